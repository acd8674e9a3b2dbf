// The monitoring core as the desktop app runs it: the same createCore as `meridian serve`, with
// the data dir in Electron's userData, the built renderer, and optionally an agent for this
// machine. No electron import, so it is tested under plain Node.
import { userInfo } from 'node:os';
import { createServer } from 'node:net';
import { systemClock } from '../../shared/clock.js';
import { join } from 'node:path';
import type { HostAgent } from '../../agent/agent.js';
import {
  DEFAULT_API_PORT,
  DEFAULT_INGEST_PORT,
  defaultConfig,
  readConfigFile,
  type ConfigFile,
  type CoreConfig,
} from '../core/config.js';
import { createCore, type CoreAddresses, type MonitoringCore } from '../core/core.js';
import { chooseLogFormat, createLogger, type Logger } from '../core/logger.js';
import { VERSION } from '../core/version.js';
import {
  agentTokenSource,
  bannerLines,
  builtRendererDir,
  LOCAL_AGENT_DIR,
  startLocalAgent,
  type AgentTokenSource,
} from '../cli/launch.js';
import type { ShellArgs } from './args.js';

/** `preferred` when it can be bound on `host` now, else 0 (the OS picks a free port). */
export async function portOrAny(preferred: number, host: string): Promise<number> {
  if (preferred === 0) return 0;
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen({ port: preferred, host, exclusive: true }, () => {
      probe.close(() => resolve(preferred));
    });
  });
}

export function desktopConfig(
  args: ShellArgs,
  dataDir: string,
  file: ConfigFile,
  ports: { apiPort: number; ingestPort: number },
  env: NodeJS.ProcessEnv,
  rendererDir: string | null,
  /** The OS user running the app: on the desktop, who acts unless config.json names operators. */
  osUser: string | null = null,
): CoreConfig {
  return defaultConfig({
    ...file,
    operators: file.operators ?? (osUser ? [osUser] : []),
    regions: file.regions ?? [],
    dataDir,
    apiPort: ports.apiPort,
    ingestPort: ports.ingestPort,
    ingestHost: args.ingestHost ?? file.ingestHost ?? '127.0.0.1',
    agentToken: env.MERIDIAN_AGENT_TOKEN || null,
    // A fresh session token every launch: the window gets it from the main process.
    sessionToken: null,
    rendererDir,
  });
}

/** What the app prints on stdout when started from a terminal (the same lines as `meridian serve`). */
export function desktopBanner(
  addr: CoreAddresses,
  dataDir: string,
  agentToken: string,
  ingestHost: string,
  agentTokenSource: AgentTokenSource = 'file',
  caFingerprint: string | null = null,
): string[] {
  return bannerLines({
    title: `Meridian ${VERSION} (desktop)`,
    consoleLine: `${addr.apiUrl}/   (in the Meridian window)`,
    addr,
    dataDir,
    agentToken,
    agentTokenSource,
    ingestHost,
    caFingerprint,
  });
}

export interface DesktopCore {
  core: MonitoringCore;
  addr: CoreAddresses;
  agent: HostAgent | null;
  stop(): Promise<void>;
}

export interface DesktopCoreOptions {
  args: ShellArgs;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  logger?: Logger;
  rendererDir?: string | null;
  /** Subscribe to core events before start(), so alerts raised while restoring are seen too. */
  beforeStart?: (core: MonitoringCore) => void;
}

export async function startDesktopCore(opts: DesktopCoreOptions): Promise<DesktopCore> {
  const { args, dataDir, env, out } = opts;
  const file = await readConfigFile(join(dataDir, 'config.json'));
  const ingestHost = args.ingestHost ?? file.ingestHost ?? '127.0.0.1';
  const ports = {
    apiPort: args.port ?? (await portOrAny(file.apiPort ?? DEFAULT_API_PORT, '127.0.0.1')),
    ingestPort:
      args.ingestPort ?? (await portOrAny(file.ingestPort ?? DEFAULT_INGEST_PORT, ingestHost)),
  };
  const rendererDir = opts.rendererDir === undefined ? builtRendererDir() : opts.rendererDir;
  const config = desktopConfig(args, dataDir, file, ports, env, rendererDir, osUserName());
  const logger =
    opts.logger ??
    createLogger(
      config.logLevel,
      systemClock.now,
      undefined,
      chooseLogFormat(args.logFormat, process.stderr.isTTY === true),
    );
  const core = createCore(config, { logger });
  opts.beforeStart?.(core);
  let addr: CoreAddresses;
  try {
    addr = await core.start();
  } catch (err) {
    await core.stop().catch(() => {});
    throw err;
  }
  const banner = desktopBanner(
    addr,
    dataDir,
    core.agentToken,
    config.ingestHost,
    agentTokenSource(undefined, env),
    core.credentials?.tls?.fingerprint ?? null,
  );
  for (const line of banner) out(line);
  const agent = args.withAgent
    ? await startLocalAgent({
        addr,
        ingestHost: config.ingestHost,
        token: core.agentToken,
        caFingerprint: core.credentials?.tls?.fingerprint ?? null,
        stateDir: join(dataDir, LOCAL_AGENT_DIR),
        ...(args.agentRegion ? { region: args.agentRegion } : {}),
        out,
      })
    : null;
  let stopping: Promise<void> | null = null;
  return {
    core,
    addr,
    agent,
    stop: () =>
      (stopping ??= (async () => {
        agent?.stop();
        await core.stop();
      })()),
  };
}

/** The OS user's name, or null where the system cannot say (no passwd entry, a sandbox). */
export function osUserName(): string | null {
  try {
    return userInfo().username || null;
  } catch {
    return null;
  }
}
