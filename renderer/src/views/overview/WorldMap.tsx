import { useMemo, useState } from 'react';
import type { Region } from '../../../../shared/model';
import { StatusBadge } from '../../components/badges';
import { ThreatBadge } from '../../components/ThreatBadge';
import { ageSince, formatRatio } from '../../lib/format';
import { useServerNow } from '../../lib/now';
import { hrefFor } from '../../lib/route';
import type { ThreatLevels } from './useThreatLevels';
import { worldShapes } from './world';

interface Props {
  regions: readonly Region[];
  openAlerts: ReadonlyMap<string, { critical: number; warning: number }>;
  threat: ThreatLevels;
}

function radius(count: number, max: number): number {
  return 6 + 10 * Math.sqrt(max > 0 ? count / max : 0);
}

function Tooltip({
  region,
  x,
  y,
  width,
  height,
  alerts,
  threat,
}: {
  threat: ThreatLevels;
  region: Region;
  x: number;
  y: number;
  width: number;
  height: number;
  alerts: { critical: number; warning: number } | undefined;
}) {
  const now = useServerNow();
  const left = (x / width) * 100;
  const top = (y / height) * 100;
  const flip = left > 70;
  return (
    <div
      className={`map-tip${flip ? ' map-tip--left' : ''}`}
      style={{ left: `${left}%`, top: `${top}%` }}
      role="tooltip"
      data-testid="map-tooltip"
    >
      <div className="map-tip__head">
        <strong>{region.name}</strong>
        <StatusBadge status={region.status} />
      </div>
      <div className="map-tip__id">{region.id}</div>
      <dl className="map-tip__grid">
        <dt>Agents online</dt>
        <dd data-testid="map-tooltip-agents">
          {region.onlineCount} / {region.agentCount}
        </dd>
        <dt>Health</dt>
        <dd>{formatRatio(region.healthScore)}</dd>
        <dt>Services</dt>
        <dd>{region.serviceCount}</dd>
        <dt>Threat level</dt>
        <dd>
          <ThreatBadge
            threat={threat.byRegion.get(region.id)}
            stale={threat.error !== null}
            testId="map-tooltip-threat"
          />
        </dd>
        <dt>Open alerts</dt>
        <dd>{alerts ? `${alerts.critical} crit · ${alerts.warning} warn` : 'none'}</dd>
        <dt>Last heartbeat</dt>
        <dd>{ageSince(region.lastHeartbeat, now)}</dd>
      </dl>
    </div>
  );
}

export function WorldMap({ regions, openAlerts, threat }: Props) {
  const world = worldShapes();
  const [hover, setHover] = useState<string | null>(null);
  const max = Math.max(1, ...regions.map((r) => r.agentCount));
  const placed = useMemo(
    () =>
      regions.flatMap((r) => {
        const p = world.project(r.longitude, r.latitude);
        return p ? [{ region: r, x: p[0], y: p[1] }] : [];
      }),
    [regions, world],
  );
  const hovered = placed.find((p) => p.region.id === hover);

  return (
    <div className="map" data-testid="world-map">
      <svg
        viewBox={`0 0 ${world.width} ${world.height}`}
        className="map__svg"
        role="group"
        aria-label="Regions on a world map"
      >
        <path className="map__graticule" d={world.graticule} />
        <path className="map__land" d={world.land} />
        <path className="map__borders" d={world.borders} />
        {placed.map(({ region, x, y }) => {
          const r = radius(region.agentCount, max);
          return (
            // A link (an SVG <a>): focusable, announced as a link, Enter follows it.
            <a
              key={region.id}
              href={hrefFor('regions', region.id)}
              className={`marker marker--${region.status}${hover === region.id ? ' is-hover' : ''}`}
              data-testid={`region-marker-${region.id}`}
              data-status={region.status}
              data-agents={region.agentCount}
              // Starts with the visible label (the id), as speech input users say what they see.
              aria-label={`${region.id}, ${region.name}: ${region.status}, ${region.onlineCount} of ${region.agentCount} agents online${threatText(threat, region.id)}`}
              data-threat={threat.byRegion.get(region.id)?.level ?? 'unknown'}
              onMouseEnter={() => setHover(region.id)}
              onMouseLeave={() => setHover((h) => (h === region.id ? null : h))}
              onFocus={() => setHover(region.id)}
              onBlur={() => setHover((h) => (h === region.id ? null : h))}
            >
              <g transform={`translate(${x.toFixed(1)} ${y.toFixed(1)})`}>
                {region.status !== 'active' && <circle className="marker__pulse" r={r} />}
                {/* One hit area over dot and label, so hovering the name works too. */}
                <rect
                  className="marker__hit"
                  x={-r - 6}
                  y={-r - 6}
                  width={2 * r + 12 + 8 + region.id.length * 7.5}
                  height={2 * r + 12}
                />
                <circle className="marker__halo" r={r + 5} />
                <circle className="marker__ring" r={r + 7} />
                <circle className="marker__dot" r={r} />
                <ThreatMark threat={threat} regionId={region.id} r={r} />
                <text className="marker__label" x={r + 7} y={4}>
                  {region.id}
                </text>
              </g>
            </a>
          );
        })}
      </svg>
      <div className="map__legend" aria-hidden="true">
        <span>
          <i className="lg lg--active" />
          active
        </span>
        <span>
          <i className="lg lg--degraded" />
          degraded
        </span>
        <span>
          <i className="lg lg--failed" />
          failed
        </span>
        <span>
          <i className="lg lg--maintenance" />
          maintenance
        </span>
        <span className="map__legend-note">size = agents</span>
      </div>
      {hovered && (
        <Tooltip
          region={hovered.region}
          x={hovered.x}
          y={hovered.y}
          width={world.width}
          height={world.height}
          alerts={openAlerts.get(hovered.region.id)}
          threat={threat}
        />
      )}
    </div>
  );
}

/** A diamond above the marker once a region has detections, coloured by its threat level. */
function ThreatMark({
  threat,
  regionId,
  r,
}: {
  threat: ThreatLevels;
  regionId: string;
  r: number;
}) {
  const t = threat.byRegion.get(regionId);
  if (!t || t.level === 'none') return null;
  const s = 5;
  return (
    <path
      className={`threat-mark threat-mark--${t.level}`}
      data-testid={`region-threat-mark-${regionId}`}
      d={`M 0 ${-r - 4 - 2 * s} l ${s} ${s} l ${-s} ${s} l ${-s} ${-s} z`}
    />
  );
}

function threatText(threat: ThreatLevels, regionId: string): string {
  const t = threat.byRegion.get(regionId);
  return t && t.level !== 'none' ? `, threat level ${t.level}` : '';
}
