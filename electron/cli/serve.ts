import { join, resolve } from 'node:path';
import { systemClock } from '../../shared/clock.js';
import { defaultConfig, defaultDataDir, readConfigFile, type CoreConfig } from '../core/config.js';
import { createCore } from '../core/core.js';
import { checkIngestTransport } from '../core/credentials/credentials-wiring.js';
import { chooseLogFormat, createLogger, LOG_FORMATS } from '../core/logger.js';
import { VERSION } from '../core/version.js';
import { hostFlag, intFlag, oneOf, parse, untilSignal } from './args.js';
import {
  agentTokenSource,
  bannerLines,
  builtRendererDir,
  ingestTlsFlag,
  LOCAL_AGENT_DIR,
  startLocalAgent,
} from './launch.js';
import { SERVE } from './serve-spec.js';

export async function serveCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parse(SERVE, argv);
  const logFormat = chooseLogFormat(
    flags['log-format'] === undefined
      ? null
      : oneOf('serve', 'log-format', flags['log-format'], LOG_FORMATS, 'text'),
    process.stderr.isTTY === true,
  );
  const dataDir = resolve(flags['data-dir'] ?? env.MERIDIAN_DATA_DIR ?? defaultDataDir());
  const file = await readConfigFile(flags.config ?? join(dataDir, 'config.json'));
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
    ingestHost:
      hostFlag('serve', 'ingest-host', flags['ingest-host']) ?? file.ingestHost ?? '127.0.0.1',
    ingestTls: ingestTlsFlag(flags['ingest-tls']) ?? file.ingestTls ?? 'auto',
    insecureIngest: flags['insecure-ingest'] === true || file.insecureIngest === true,
    agentToken: flags['agent-token'] || env.MERIDIAN_AGENT_TOKEN || null,
    sessionToken: flags['session-token'] ?? env.MERIDIAN_SESSION_TOKEN ?? null,
    rendererDir: flags.renderer ?? builtRendererDir(),
  });
  // Before anything is created or bound: plain ws:// on a reachable address is refused.
  checkIngestTransport(config);
  const logger = createLogger(config.logLevel, systemClock.now, undefined, logFormat);
  const core = createCore(config, { logger });
  const addr = await core.start();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const banner = bannerLines({
    title: `Meridian ${VERSION}`,
    consoleLine: addr.consoleUrl,
    addr,
    dataDir,
    agentToken: core.agentToken,
    agentTokenSource: agentTokenSource(flags['agent-token'], env),
    ingestHost: config.ingestHost,
    caFingerprint: core.credentials?.tls?.fingerprint ?? null,
  });
  banner.forEach(out);
  const agent = flags['with-agent']
    ? await startLocalAgent({
        addr,
        ingestHost: config.ingestHost,
        token: core.agentToken,
        caFingerprint: core.credentials?.tls?.fingerprint ?? null,
        stateDir: join(dataDir, LOCAL_AGENT_DIR),
        ...(flags['agent-region'] ? { region: flags['agent-region'] } : {}),
        out,
      })
    : null;
  const signal = await untilSignal();
  out(`received ${signal}; stopping`);
  agent?.stop();
  await core.stop();
  return 0;
}
