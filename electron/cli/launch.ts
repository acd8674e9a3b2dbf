// What `meridian serve` and the desktop app share when they start a console: where the built
// renderer is, the banner they print, and the local agent for this machine.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HostAgent } from '../../agent/agent.js';
import { EventReporter } from '../../agent/uplink-events.js';
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

/** Where the agent token came from, so the banner points at the right place. */
export type AgentTokenSource = 'flag' | 'env' | 'file';

/** The same precedence as the core's: a non-empty flag, else a non-empty env var, else the file. */
export function agentTokenSource(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): AgentTokenSource {
  if (flag) return 'flag';
  return env.MERIDIAN_AGENT_TOKEN ? 'env' : 'file';
}

export interface Banner {
  title: string;
  /** How a person reaches the console (a URL with its token, or the window). */
  consoleLine: string;
  addr: CoreAddresses;
  dataDir: string;
  agentToken: string;
  agentTokenSource: AgentTokenSource;
  ingestHost: string;
}

function tokenOrigin(b: Banner): string {
  if (b.agentTokenSource === 'flag') return 'agent token from --agent-token';
  if (b.agentTokenSource === 'env') return 'agent token from MERIDIAN_AGENT_TOKEN';
  return `agent token in ${join(b.dataDir, AGENT_TOKEN_FILE)}`;
}

export function bannerLines(b: Banner): string[] {
  return [
    b.title,
    `  console  ${b.consoleLine}`,
    `  ingest   ${b.addr.ingestUrl}   (${tokenOrigin(b)})`,
    `  data     ${b.dataDir}`,
    ...(LOOPBACK.has(b.ingestHost)
      ? []
      : [
          `  note     ingest listens on ${b.ingestHost}: agents need the token; traffic is not encrypted.`,
        ]),
    `  connect an agent:  meridian agent --url ${b.addr.ingestUrl} --token ${b.agentToken} --region us-east-1`,
  ];
}

/** Where this machine's agent connects: loopback when ingest binds every address, else its address. */
export function localAgentUrl(addr: CoreAddresses, ingestHost: string): string {
  return ingestHost === '0.0.0.0' || ingestHost === '::'
    ? `ws://127.0.0.1:${addr.ingestPort}`
    : addr.ingestUrl;
}

/** A real agent for this machine, reporting to the console just started. */
export async function startLocalAgent(opts: {
  addr: CoreAddresses;
  ingestHost: string;
  token: string;
  region?: string;
  out: (line: string) => void;
}): Promise<HostAgent> {
  // systeminformation is large: load it only when the console runs its own agent.
  const { HostAgent } = await import('../../agent/agent.js');
  const agent = new HostAgent({
    url: localAgentUrl(opts.addr, opts.ingestHost),
    token: opts.token,
    region: opts.region ?? DEFAULT_REGIONS[0]!.id,
    agentType: 'system',
    version: VERSION,
    clock: systemClock,
    log: (line) => opts.out(`  agent    ${line}`),
    onEvent: (e) => reporter.report(e),
    onFatal: () => {},
  });
  const reporter = new EventReporter(systemClock.now, (line, e) =>
    opts.out(`  agent    ${e.type === 'fatal' ? `stopped: ${line.text}` : line.text}`),
  );
  agent.start();
  return agent;
}
