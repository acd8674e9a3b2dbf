import { Fragment, useState } from 'react';
import type { SessionInfo } from '../../../shared/api';
import { DEFAULT_REGIONS } from '../../../shared/regions';
import { useSession } from '../api/use-session';
import { CopyButton } from '../components/CopyButton';

/** The region a shown command is for (the known regions). */
export function RegionPicker(p: {
  value: string;
  onChange: (region: string) => void;
  className?: string;
  testId?: string;
}) {
  return (
    <label className={p.className}>
      region{' '}
      <select
        className="input select select--small"
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        data-testid={p.testId}
      >
        {DEFAULT_REGIONS.map((r) => (
          <option key={r.id} value={r.id}>
            {r.id}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A command to copy, or why it is not there yet (the session is loading or failed). */
export function CommandBox(p: {
  command: string | null;
  error: string | null;
  testId: string;
  copyTestId: string;
}) {
  return (
    <div className="command">
      {p.command ? (
        <Command text={p.command} testId={p.testId} />
      ) : (
        <code data-testid={p.testId}>
          {p.error ? `Could not load the session: ${p.error}` : 'Loading…'}
        </code>
      )}
      {p.command && <CopyButton text={p.command} testId={p.copyTestId} />}
    </div>
  );
}

/** Wrap only between arguments, never inside one (a hyphen is a line-break opportunity). */
export function Command({ text, testId }: { text: string; testId: string }) {
  const words = text.split(' ');
  return (
    <code data-testid={testId}>
      {words.map((w, i) => (
        <Fragment key={i}>
          {i > 0 && ' '}
          <span className="nowrap">{w}</span>
        </Fragment>
      ))}
    </code>
  );
}

/** The CA pin, when ingest serves TLS (the agent refuses any other certificate). */
const pin = (s: Pick<SessionInfo, 'caFingerprint'>) =>
  s.caFingerprint ? ` --ca-fingerprint ${s.caFingerprint}` : '';

export function agentCommand(
  s: Pick<SessionInfo, 'ingestUrl' | 'agentToken' | 'caFingerprint'>,
  region: string,
): string {
  return `meridian agent --url ${s.ingestUrl}${pin(s)} --token ${s.agentToken} --region ${region}`;
}

/** First run: no agent has ever connected. Say exactly how to connect one. */
export function EmptyState() {
  const { session, error } = useSession();
  const [region, setRegion] = useState(DEFAULT_REGIONS[0]!.id);

  const command = session ? agentCommand(session, region) : null;
  const simulate = session
    ? `meridian simulate --url ${session.ingestUrl}${pin(session)} --token ${session.agentToken} --agents 200`
    : null;

  return (
    <div className="view empty" data-testid="empty-state">
      <div className="empty__card">
        <svg className="empty__art" viewBox="0 0 64 64" aria-hidden="true">
          <circle cx="32" cy="32" r="22" />
          <path d="M32 10v44M10 32h44M16 20c10 6 22 6 32 0M16 44c10-6 22-6 32 0" />
        </svg>
        <h1>No agents yet</h1>
        <p className="empty__lead">
          The console is running and waiting for agents. Run this on any host you want to watch; it
          reports CPU, memory, disk, network and load, and shows up here within a second.
        </p>
        <div className="empty__step">
          <div className="empty__step-head">
            <span className="empty__num">1</span>
            <span>Connect an agent</span>
            <span className="toolbar__spacer" />
            <RegionPicker className="empty__region" value={region} onChange={setRegion} />
          </div>
          <CommandBox
            command={command}
            error={error}
            testId="connect-command"
            copyTestId="copy-command"
          />
        </div>
        <div className="empty__step">
          <div className="empty__step-head">
            <span className="empty__num">2</span>
            <span>Or try it with simulated agents</span>
          </div>
          <div className="command">
            {simulate ? <Command text={simulate} testId="simulate-command" /> : <code>…</code>}
            {simulate && <CopyButton text={simulate} testId="copy-simulate" />}
          </div>
        </div>
        <p className="muted empty__foot">
          The agent token is kept in the console's data directory (<code>meridian token</code>{' '}
          prints it). Agents on other hosts need the ingest port reachable: start the console with{' '}
          <code>--ingest-host 0.0.0.0</code>.
        </p>
      </div>
    </div>
  );
}
