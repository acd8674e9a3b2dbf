// What `meridian serve` and the desktop app share when they start a console: where the built
// renderer is, the banner they print, and the local agent for this machine.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HostAgent } from '../../agent/agent.js';
import { systemClock } from '../../shared/clock.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import type { CoreAddresses } from '../core/core.js';
import { AGENT_TOKEN_FILE } from '../core/ingest/tokens.js';
import { packageRoot, VERSION } from '../core/version.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** The built renderer (dist/renderer), or null for the core's placeholder page. */
export function builtRendererDir(root = packageRoot()): string | null {
  const dir = join(root, 'dist', 'renderer');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

export interface Banner {
  title: string;
  /** How a person reaches the console (a URL with its token, or the window). */
  consoleLine: string;
  addr: CoreAddresses;
  dataDir: string;
  agentToken: string;
  ingestHost: string;
}

export function bannerLines(b: Banner): string[] {
  return [
    b.title,
    `  console  ${b.consoleLine}`,
    `  ingest   ${b.addr.ingestUrl}   (agent token in ${join(b.dataDir, AGENT_TOKEN_FILE)})`,
    `  data     ${b.dataDir}`,
    ...(LOOPBACK.has(b.ingestHost)
      ? []
      : [
          `  note     ingest listens on ${b.ingestHost}: agents need the token; traffic is not encrypted.`,
        ]),
    `  connect an agent:  meridian agent --url ${b.addr.ingestUrl} --token ${b.agentToken} --region us-east-1`,
  ];
}

/** A real agent for this machine, reporting to the console just started. */
export async function startLocalAgent(opts: {
  ingestPort: number;
  token: string;
  region?: string;
  out: (line: string) => void;
}): Promise<HostAgent> {
  // systeminformation is large: load it only when the console runs its own agent.
  const { HostAgent } = await import('../../agent/agent.js');
  const agent = new HostAgent({
    url: `ws://127.0.0.1:${opts.ingestPort}`,
    token: opts.token,
    region: opts.region ?? DEFAULT_REGIONS[0]!.id,
    agentType: 'system',
    intervalMs: 2_000,
    version: VERSION,
    clock: systemClock,
    log: (line) => opts.out(`  agent    ${line}`),
    onFatal: (reason) => opts.out(`  agent    stopped: ${reason}`),
  });
  agent.start();
  return agent;
}
