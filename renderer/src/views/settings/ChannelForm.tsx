import { useState } from 'react';
import type { ChannelInput, ChannelKind, ChannelView } from '../../../../shared/notify';
import { CHANNEL_KINDS } from '../../../../shared/notify';

/** Add or edit a channel. Secrets are write-only: left empty on edit, the stored one stays. */
export function ChannelForm({
  editing,
  onSave,
  onCancel,
}: {
  editing: ChannelView | null;
  onSave(input: ChannelInput): Promise<string | null>;
  onCancel(): void;
}) {
  const [kind, setKind] = useState<ChannelKind>(editing?.kind ?? 'webhook');
  const [name, setName] = useState(editing?.name ?? '');
  const [url, setUrl] = useState(editing?.kind === 'slack' ? '' : (editing?.url ?? ''));
  const [secret, setSecret] = useState('');
  const [host, setHost] = useState(editing?.host ?? '');
  const [port, setPort] = useState(String(editing?.port ?? 587));
  const [from, setFrom] = useState(editing?.from ?? '');
  const [to, setTo] = useState((editing?.to ?? []).join(', '));
  const [enabled, setEnabled] = useState(editing?.enabled ?? true);
  const [error, setError] = useState<string | null>(null);

  const input = (): ChannelInput => {
    const common = { name: name.trim(), enabled, ...(editing ? { id: editing.id } : {}) };
    switch (kind) {
      case 'webhook':
      case 'alertmanager':
        return { ...common, kind, url: url.trim(), ...(secret ? { secret } : {}) };
      case 'slack':
        return { ...common, kind, url: url.trim() };
      case 'email':
        return {
          ...common,
          kind,
          host: host.trim(),
          port: Number(port),
          from: from.trim(),
          to: to
            .split(/[,\s]+/)
            .map((s) => s.trim())
            .filter(Boolean),
        };
      case 'desktop':
        return { ...common, kind };
    }
  };

  return (
    <form
      className="channel-form"
      data-testid="channel-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSave(input()).then(setError);
      }}
    >
      <div className="field-row">
        <label className="field">
          <span className="field__label">Kind</span>
          <select
            className="input"
            value={kind}
            disabled={editing !== null}
            onChange={(e) => setKind(e.target.value as ChannelKind)}
            data-testid="channel-kind"
          >
            {CHANNEL_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label className="field field--grow">
          <span className="field__label">Name</span>
          <input
            className="input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="channel-name"
          />
        </label>
        <label className="field field--check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />{' '}
          enabled
        </label>
      </div>
      {(kind === 'webhook' || kind === 'alertmanager' || kind === 'slack') && (
        <div className="field-row">
          <label className="field field--grow">
            <span className="field__label">
              URL{kind === 'slack' && editing ? ' (leave empty to keep)' : ''}
            </span>
            <input
              className="input"
              value={url}
              placeholder="https://…"
              onChange={(e) => setUrl(e.target.value)}
              data-testid="channel-url"
            />
          </label>
          {kind !== 'slack' && (
            <label className="field">
              <span className="field__label">
                HMAC secret{editing?.hasSecret ? ' (set; empty keeps it)' : ' (optional)'}
              </span>
              <input
                className="input"
                type="password"
                value={secret}
                autoComplete="off"
                onChange={(e) => setSecret(e.target.value)}
              />
            </label>
          )}
        </div>
      )}
      {kind === 'email' && (
        <div className="field-row">
          <label className="field">
            <span className="field__label">SMTP host</span>
            <input className="input" value={host} onChange={(e) => setHost(e.target.value)} />
          </label>
          <label className="field">
            <span className="field__label">Port</span>
            <input
              className="input"
              type="number"
              value={port}
              onChange={(e) => setPort(e.target.value)}
            />
          </label>
          <label className="field">
            <span className="field__label">From</span>
            <input className="input" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label className="field field--grow">
            <span className="field__label">To</span>
            <input className="input" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert" data-testid="channel-error">
          {error}
        </p>
      )}
      <div className="field-row">
        <button type="submit" className="btn btn--primary" data-testid="channel-save">
          {editing ? 'Save channel' : 'Add channel'}
        </button>
        <button type="button" className="btn btn--ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
