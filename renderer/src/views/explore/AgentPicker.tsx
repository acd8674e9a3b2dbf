// A searchable agent picker (combobox): type part of a hostname, id, IP or region, pick
// with the mouse or the arrow keys and Enter. Shows at most MAX_OPTIONS matches.
import { useMemo, useRef, useState } from 'react';
import type { Agent } from '../../../../shared/model';
import { useFleet } from '../../api/context';
import { StatusBadge } from '../../components/badges';
import { MiddleTruncate } from '../../components/MiddleTruncate';

const MAX_OPTIONS = 50;

function matches(agent: Agent, needle: string): boolean {
  return (
    agent.hostname.toLowerCase().includes(needle) ||
    agent.id.toLowerCase().includes(needle) ||
    agent.ipAddress.includes(needle) ||
    agent.regionId.includes(needle)
  );
}

export function AgentPicker({ value, onChange }: { value: string; onChange(id: string): void }) {
  const agents = useFleet((s) => s.agents);
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const selected = agents.get(value);

  const options = useMemo(() => {
    if (!open) return [];
    const needle = text.trim().toLowerCase();
    const out: Agent[] = [];
    for (const a of agents.values()) if (!needle || matches(a, needle)) out.push(a);
    out.sort((a, b) => a.hostname.localeCompare(b.hostname));
    return out.slice(0, MAX_OPTIONS);
  }, [agents, text, open]);

  const choose = (agent: Agent | undefined) => {
    if (!agent) return;
    onChange(agent.id);
    setOpen(false);
    setText('');
    input.current?.blur();
  };

  return (
    <div className="picker">
      <input
        ref={input}
        className="input picker__input"
        role="combobox"
        aria-expanded={open}
        aria-controls="agent-picker-list"
        aria-label="Agent"
        placeholder={selected ? selected.hostname : 'Search agents…'}
        title={selected?.hostname}
        value={open ? text : (selected?.hostname ?? value)}
        data-testid="explore-agent-input"
        onFocus={() => {
          setOpen(true);
          setActive(0);
        }}
        onBlur={() => setOpen(false)}
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((i) => Math.min(options.length - 1, i + 1));
          else if (e.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
          else if (e.key === 'Enter') choose(options[active]);
          else if (e.key === 'Escape') input.current?.blur();
          else return;
          e.preventDefault();
        }}
      />
      {open && (
        <ul className="picker__list" id="agent-picker-list" role="listbox">
          {options.length === 0 && <li className="picker__empty">No agent matches</li>}
          {options.map((a, i) => (
            <li
              key={a.id}
              role="option"
              aria-selected={i === active}
              className={`picker__option${i === active ? ' is-active' : ''}`}
              data-testid="explore-agent-option"
              data-agent-id={a.id}
              // mousedown, not click: the input's blur would close the list first.
              onMouseDown={(e) => {
                e.preventDefault();
                choose(a);
              }}
              onMouseEnter={() => setActive(i)}
            >
              {/* Fleet hostnames differ at the end: cut the middle, never the host number. */}
              <MiddleTruncate text={a.hostname} className="picker__host" testId="picker-host" />
              <span className="picker__meta">
                {a.regionId} · {a.type}
              </span>
              <StatusBadge status={a.status} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
