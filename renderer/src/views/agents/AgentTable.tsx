import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useRef } from 'react';
import type { Agent } from '../../../../shared/model';
import { StatusBadge } from '../../components/badges';
import { Meter } from '../../components/Meter';
import { ageSince } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { defaultDir, type Sort, type SortKey } from './agent-list';

const ROW_HEIGHT = 40;

const COLUMNS: { key: SortKey; label: string; align?: 'right' }[] = [
  { key: 'status', label: 'Status' },
  { key: 'hostname', label: 'Hostname' },
  { key: 'region', label: 'Region' },
  { key: 'type', label: 'Type' },
  { key: 'heartbeat', label: 'Heartbeat', align: 'right' },
  { key: 'cpu', label: 'CPU' },
  { key: 'memory', label: 'Memory' },
  { key: 'disk', label: 'Disk' },
  { key: 'alerts', label: 'Alerts', align: 'right' },
];

interface RowProps {
  agent: Agent;
  index: number;
  start: number;
  selected: boolean;
  now: number;
  onOpen(id: string): void;
}

/** One row; memoised so a stream batch only re-renders the rows whose agent changed. */
const AgentRow = memo(function AgentRow({
  agent: a,
  index,
  start,
  selected,
  now,
  onOpen,
}: RowProps) {
  // Not reporting: its values are the last it sent, not its state now.
  const down = a.status !== 'online';
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      tabIndex={0}
      className={`agents-row grid-table__row${selected ? ' is-selected' : ''}${down ? ' is-down' : ''}`}
      style={{ transform: `translateY(${start}px)`, height: ROW_HEIGHT }}
      data-testid="agent-row"
      data-agent-id={a.id}
      data-hostname={a.hostname}
      data-region={a.regionId}
      data-status={a.status}
      onClick={() => onOpen(a.id)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onOpen(a.id);
        }
      }}
    >
      <span role="cell">
        <StatusBadge status={a.status} />
      </span>
      <span role="cell" className="cell-strong cell-ellipsis" title={a.hostname}>
        {a.hostname}
      </span>
      <span role="cell" className="cell-muted">
        {a.regionId}
      </span>
      <span role="cell" className="cell-muted">
        {a.type}
      </span>
      <span role="cell" className="num" data-testid="agent-heartbeat">
        {down ? (
          <span className="last-seen">
            <span className="last-seen__label">last seen</span> {ageSince(a.lastHeartbeat, now)}
          </span>
        ) : (
          ageSince(a.lastHeartbeat, now)
        )}
      </span>
      <span role="cell">
        <Meter value={a.latest.cpu_usage} stale={down} />
      </span>
      <span role="cell">
        <Meter value={a.latest.memory_usage} stale={down} />
      </span>
      <span role="cell">
        <Meter value={a.latest.disk_usage} stale={down} />
      </span>
      <span role="cell" className={`num${a.alertsCount ? ' text-warning' : ' cell-muted'}`}>
        {a.alertsCount}
      </span>
    </div>
  );
});

interface Props {
  agents: readonly Agent[];
  sort: Sort;
  onSort(sort: Sort): void;
  selectedId: string | null;
  onOpen(id: string): void;
  /** The pointer is over the rows, or a row has the focus (true), or neither any more (false). */
  onHold(on: boolean): void;
}

export function AgentTable({ agents, sort, onSort, selectedId, onOpen, onHold }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const pointerIn = useRef(false);
  const focusIn = useRef(false);
  const report = () => onHold(pointerIn.current || focusIn.current);
  const now = useServerNow();
  const virtualizer = useVirtualizer({
    count: agents.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => agents[i]!.id,
  });

  return (
    <div
      className="grid-table agents-table"
      role="table"
      aria-rowcount={agents.length + 1}
      data-testid="agent-table"
    >
      <div className="grid-table__head agents-row" role="row">
        {COLUMNS.map((c) => {
          const active = sort.key === c.key;
          return (
            <button
              key={c.key}
              type="button"
              role="columnheader"
              aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
              className={`th${active ? ' is-sorted' : ''}${c.align === 'right' ? ' th--right' : ''}`}
              data-testid={`sort-${c.key}`}
              onClick={() =>
                onSort(
                  active
                    ? { key: c.key, dir: sort.dir === 'asc' ? 'desc' : 'asc' }
                    : { key: c.key, dir: defaultDir(c.key) },
                )
              }
            >
              {c.label}
              <span className="th__arrow" aria-hidden="true">
                {active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
              </span>
            </button>
          );
        })}
      </div>
      <div
        className="grid-table__body dims-when-stale"
        ref={scrollRef}
        data-testid="agent-table-body"
        onPointerEnter={() => {
          pointerIn.current = true;
          report();
        }}
        onPointerLeave={() => {
          pointerIn.current = false;
          report();
        }}
        onFocus={() => {
          focusIn.current = true;
          report();
        }}
        onBlur={(e) => {
          if (e.currentTarget.contains(e.relatedTarget as Node | null)) return;
          focusIn.current = false;
          report();
        }}
      >
        {agents.length === 0 ? (
          <div className="grid-table__empty" data-testid="agent-table-empty">
            No agents match these filters.
          </div>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => (
              <AgentRow
                key={item.key}
                agent={agents[item.index]!}
                index={item.index}
                start={item.start}
                selected={agents[item.index]!.id === selectedId}
                now={now}
                onOpen={onOpen}
              />
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
