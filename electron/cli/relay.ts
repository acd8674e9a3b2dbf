import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { systemClock } from '../../shared/clock.js';
import { parseFingerprint } from '../../shared/credentials.js';
import { FileCredentialStore } from '../../agent/credential-file.js';
import { chooseLogFormat, createLogger, LOG_FORMATS } from '../core/logger.js';
import { defaultRelayConfig, RELAY_KEY_FILE, RelayNode } from '../core/relay/node/relay-node.js';
import { VERSION } from '../core/version.js';
import {
  hostFlag,
  intFlag,
  oneOf,
  parse,
  required,
  untilSignal,
  UsageError,
  wsUrl,
} from './args.js';
import { connectCommand, ingestTlsFlag } from './launch.js';
import { RELAY } from './relay-spec.js';

export async function relayCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parse(RELAY, argv);
  const upstream = wsUrl('relay', required('relay', 'upstream', flags.upstream));
  const region = required('relay', 'region', flags.region);
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(region))
    throw new UsageError(`meridian relay: --region '${region}' is not a region id (a-z, 0-9, -)`);
  const name = flags.name;
  if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/.test(name))
    throw new UsageError(
      `meridian relay: --name '${name}' must be letters, digits, '.', '_' or '-'`,
    );
  const rawPin = flags['ca-fingerprint'];
  const caFingerprint = rawPin === undefined ? null : parseFingerprint(rawPin);
  if (rawPin !== undefined && !caFingerprint)
    throw new UsageError(
      `meridian relay: --ca-fingerprint must be sha256: and 64 hex digits (got '${rawPin}')`,
    );
  const stateDir = resolve(
    flags['state-dir'] ?? env.MERIDIAN_RELAY_STATE_DIR ?? join(homedir(), '.meridian', 'relay'),
  );
  const hasKey = new FileCredentialStore(stateDir, upstream, RELAY_KEY_FILE).load() !== null;
  const token =
    flags.token ??
    env.MERIDIAN_RELAY_TOKEN ??
    (hasKey ? '' : required('relay', 'token', undefined));
  const logFormat = chooseLogFormat(
    flags['log-format'] === undefined
      ? null
      : oneOf('relay', 'log-format', flags['log-format'], LOG_FORMATS, 'text'),
    process.stderr.isTTY === true,
  );
  const config = defaultRelayConfig({
    stateDir,
    upstream,
    upstreamToken: token,
    region,
    caFingerprint,
    ...(name ? { name } : {}),
    listenHost: hostFlag('relay', 'listen-host', flags['listen-host']) ?? '127.0.0.1',
    listenPort: intFlag('relay', 'listen-port', flags['listen-port'], 4781, 0, 65535),
    agentToken: flags['agent-token'] || env.MERIDIAN_AGENT_TOKEN || null,
    ingestTls: ingestTlsFlag(flags['ingest-tls']) ?? 'auto',
    insecureIngest: flags['insecure-ingest'] === true,
    queueMaxBytes: intFlag(
      'relay',
      'queue-max-bytes',
      flags['queue-max-bytes'],
      2 * 1024 ** 3,
      1024 * 1024,
      Number.MAX_SAFE_INTEGER,
    ),
  });
  const logger = createLogger('info', systemClock.now, undefined, logFormat);
  const relay = new RelayNode(config, { clock: systemClock, logger });
  const addr = await relay.start();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`Meridian relay ${VERSION} for ${region} (${config.name})`);
  out(`  upstream ${upstream}`);
  out(`  ingest   ${addr.ingestUrl}`);
  if (addr.caFingerprint) out(`  tls      CA ${addr.caFingerprint}`);
  out(`  state    ${stateDir}`);
  out(
    `  connect an agent:  ${connectCommand(addr.ingestUrl, addr.agentToken, addr.caFingerprint, region)}`,
  );
  const fatal = new Promise<string>((resolve) => relay.onFatal(resolve));
  const ended = await Promise.race([
    untilSignal().then((signal) => ({ signal, fatal: null })),
    fatal.then((message) => ({ signal: null, fatal: message })),
  ]);
  if (ended.fatal) process.stderr.write(`meridian relay: ${ended.fatal}\n`);
  else out(`received ${ended.signal}; stopping`);
  await relay.stop();
  return ended.fatal ? 1 : 0;
}
