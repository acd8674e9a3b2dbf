import { useCallback, useState } from 'react';
import type { ChannelInput, ChannelView, DeliveryAttempt } from '../../../../shared/notify';
import { useServices } from '../../api/context';
import { channelTarget, deliveryText } from '../../lib/policy-text';
import { usePolled } from '../../lib/use-polled';
import { ChannelForm } from './ChannelForm';

type NoParams = Record<string, never>;

/** Notification channels: list, add, edit, delete, and a test-send with its result and latency. */
export function ChannelsPanel({ onChange }: { onChange(): void }) {
  const { api } = useServices();
  const load = useCallback(() => api.get('GET /api/v1/channels').then((r) => r.channels), [api]);
  const { data, error, reload } = usePolled(load, 15_000);
  const [editing, setEditing] = useState<ChannelView | 'new' | null>(null);
  const [tests, setTests] = useState<Record<string, DeliveryAttempt | string | 'sending'>>({});

  const save = async (input: ChannelInput): Promise<string | null> => {
    try {
      if (editing && editing !== 'new') {
        await api.request('PUT /api/v1/channels/:id', { params: { id: editing.id }, body: input });
      } else {
        await api.post('POST /api/v1/channels', {} as NoParams, input);
      }
      setEditing(null);
      await reload();
      onChange();
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };

  const test = async (c: ChannelView) => {
    setTests((t) => ({ ...t, [c.id]: 'sending' }));
    try {
      const out = await api.post(
        'POST /api/v1/channels/:id/test',
        { id: c.id },
        undefined as never,
      );
      setTests((t) => ({ ...t, [c.id]: out.delivery }));
    } catch (err) {
      setTests((t) => ({ ...t, [c.id]: (err as Error).message }));
    }
    void reload();
  };

  const remove = async (c: ChannelView) => {
    try {
      await api.request('DELETE /api/v1/channels/:id', { params: { id: c.id } });
    } catch (err) {
      setTests((t) => ({ ...t, [c.id]: (err as Error).message }));
    }
    await reload();
    onChange();
  };

  return (
    <section className="panel settings-panel" data-testid="channels-panel">
      <header className="panel__head">
        <h2>Notification channels</h2>
        <span className="panel__sub">where incidents page; prove each with a test send</span>
        {editing === null && (
          <button
            type="button"
            className="btn btn--small panel__link"
            onClick={() => setEditing('new')}
            data-testid="channel-add"
          >
            Add channel
          </button>
        )}
      </header>
      <div className="settings-panel__body">
        {error && <p className="toolbar__error">Channels unavailable: {error}</p>}
        {editing !== null && (
          <ChannelForm
            key={editing === 'new' ? 'new' : editing.id}
            editing={editing === 'new' ? null : editing}
            onSave={save}
            onCancel={() => setEditing(null)}
          />
        )}
        {data && data.length === 0 && <p className="muted">No channels yet.</p>}
        {data && data.length > 0 && (
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Sends to</th>
                <th scope="col">Health</th>
                <th scope="col">Test</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((c) => {
                const t = tests[c.id];
                return (
                  <tr key={c.id} data-testid="channel-row" data-channel-id={c.id}>
                    <td>
                      {c.name}
                      {!c.enabled && <span className="tag tag--muted">disabled</span>}
                    </td>
                    <td>{c.kind}</td>
                    <td className="mono">{channelTarget(c)}</td>
                    <td>
                      {c.consecutiveFailures > 0 ? (
                        <span className="tag tag--warn">
                          {c.consecutiveFailures} failed in a row
                        </span>
                      ) : (
                        'ok'
                      )}
                    </td>
                    <td
                      data-testid="channel-test-result"
                      data-ok={typeof t === 'object' ? t.ok : undefined}
                    >
                      {t === 'sending'
                        ? 'sending…'
                        : typeof t === 'string'
                          ? `could not test: ${t}`
                          : t
                            ? deliveryText(t)
                            : ''}
                    </td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="btn btn--small"
                        disabled={t === 'sending'}
                        onClick={() => void test(c)}
                        data-testid="channel-test"
                      >
                        Test send
                      </button>
                      <button
                        type="button"
                        className="btn btn--small btn--ghost"
                        onClick={() => setEditing(c)}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="btn btn--small btn--ghost"
                        onClick={() => void remove(c)}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
