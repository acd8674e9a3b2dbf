import { useState } from 'react';
import { setOperatorName, useOperatorName } from '../../lib/operator';

/** Who is at this console: sent as `by` with every ack, resolve, assignment and silence. */
export function OperatorPanel() {
  const name = useOperatorName();
  const [draft, setDraft] = useState(name);
  return (
    <section className="panel settings-panel" data-testid="operator-panel">
      <header className="panel__head">
        <h2>Operator</h2>
        <span className="panel__sub">kept in this browser; recorded on every action</span>
      </header>
      <form
        className="settings-panel__body field-row"
        onSubmit={(e) => {
          e.preventDefault();
          setOperatorName(draft);
        }}
      >
        <label className="field field--grow">
          <span className="field__label">Your name</span>
          <input
            className="input"
            value={draft}
            maxLength={64}
            placeholder="e.g. alice"
            onChange={(e) => setDraft(e.target.value)}
            data-testid="operator-name"
          />
        </label>
        <button type="submit" className="btn btn--primary" data-testid="operator-save">
          Save
        </button>
        <span className="muted" data-testid="operator-current">
          {name
            ? `Actions are recorded as ${name}.`
            : 'Actions are recorded as the console default.'}
        </span>
      </form>
    </section>
  );
}
