import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HostAgent } from '../../agent/agent.js';
import { systemClock } from '../../shared/clock.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import { defaultConfig, defaultDataDir, readConfigFile, type CoreConfig } from '../core/config.js';
import { createCore } from '../core/core.js';
import { AGENT_TOKEN_FILE } from '../core/ingest/tokens.js';
import { packageRoot, VERSION } from '../core/version.js';
import { intFlag, parse, untilSignal } from './args.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function serveCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parse('serve', argv, {
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    'ingest-port': { type: 'string' },
    'ingest-host': { type: 'string' },
    'agent-token': { type: 'string' },
    'session-token': { type: 'string' },
    config: { type: 'string' },
    renderer: { type: 'string' },
    'with-agent': { type: 'boolean' },
    'agent-region': { type: 'string' },
  });
  const dataDir = resolve(flags['data-dir'] ?? env.MERIDIAN_DATA_DIR ?? defaultDataDir());
  const file = await readConfigFile(flags.config ?? join(dataDir, 'config.json'));
  const builtRenderer = join(packageRoot(), 'dist', 'renderer');
  const config: CoreConfig = defaultConfig({
    ...file,
    regions: file.regions ?? [],
    dataDir,
    apiPort: intFlag('serve', 'port', flags.port, file.apiPort ?? 4780, 0, 65535),
    ingestPort: intFlag(
      'serve',
      'ingest-port',
      flags['ingest-port'],
      file.ingestPort ?? 4781,
      0,
      65535,
    ),
    ingestHost: flags['ingest-host'] ?? file.ingestHost ?? '127.0.0.1',
    agentToken: flags['agent-token'] ?? env.MERIDIAN_AGENT_TOKEN ?? null,
    sessionToken: flags['session-token'] ?? env.MERIDIAN_SESSION_TOKEN ?? null,
    rendererDir:
      flags.renderer ?? (existsSync(join(builtRenderer, 'index.html')) ? builtRenderer : null),
  });
  const core = createCore(config);
  const addr = await core.start();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`Meridian ${VERSION}`);
  out(`  console  ${addr.consoleUrl}`);
  out(`  ingest   ${addr.ingestUrl}   (agent token in ${join(dataDir, AGENT_TOKEN_FILE)})`);
  out(`  data     ${dataDir}`);
  if (!LOOPBACK.has(config.ingestHost)) {
    out(
      `  note     ingest listens on ${config.ingestHost}: agents need the token; traffic is not encrypted.`,
    );
  }
  out(
    `  connect an agent:  meridian agent --url ${addr.ingestUrl} --token ${core.agentToken} --region us-east-1`,
  );

  let agent: HostAgent | null = null;
  if (flags['with-agent']) {
    const region = flags['agent-region'] ?? DEFAULT_REGIONS[0]!.id;
    // systeminformation is large: load it only when this console runs its own agent.
    const { HostAgent } = await import('../../agent/agent.js');
    agent = new HostAgent({
      url: `ws://127.0.0.1:${addr.ingestPort}`,
      token: core.agentToken,
      region,
      agentType: 'system',
      intervalMs: 2_000,
      version: VERSION,
      clock: systemClock,
      log: (line) => out(`  agent    ${line}`),
      onFatal: (reason) => out(`  agent    stopped: ${reason}`),
    });
    agent.start();
  }
  const signal = await untilSignal();
  out(`received ${signal}; stopping`);
  agent?.stop();
  await core.stop();
  return 0;
}
