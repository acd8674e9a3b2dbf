// Pieces every run display shares: its state badge, its sentence with the command as code,
// and its output, folded until asked for.
import type { ActionRecord, RunState } from '../../../../shared/recovery';
import { formatBytes } from '../../lib/format';
import { STATE_LABELS, stateTone, type Sentence } from '../../lib/recovery-text';

export function RunStateBadge({ state }: { state: RunState }) {
  return (
    <span className={`run-state run-state--${stateTone(state)}`} data-state={state}>
      {STATE_LABELS[state]}
    </span>
  );
}

export function SentenceText({ sentence }: { sentence: Sentence }) {
  return (
    <>
      {sentence.map((part, n) =>
        typeof part === 'string' ? (
          <span key={n}>{part}</span>
        ) : (
          <code key={n} className="run-command">
            {part.code}
          </code>
        ),
      )}
    </>
  );
}

/** The action's output (stdout then stderr, cut by the agent to a bound), folded. */
export function RunOutput({ action }: { action: ActionRecord }) {
  if (!action.output) return <span className="muted">no output</span>;
  const size = new TextEncoder().encode(action.output).length;
  return (
    <details className="run-output" data-testid="run-output">
      <summary>
        Output ({formatBytes(size)}
        {action.outputTruncated ? ', cut at the agent’s limit' : ''})
      </summary>
      <pre>{action.output}</pre>
    </details>
  );
}
