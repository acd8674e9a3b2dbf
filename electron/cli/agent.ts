import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { HostAgent } from '../../agent/agent.js';
import { FileCredentialStore } from '../../agent/credential-file.js';
import {
  ActionsFileError,
  loadActionsFile,
  type ActionsFile,
} from '../../agent/actions/actions-file.js';
import { parseDiskQuota, type DiskQuota } from '../../agent/disk-quota.js';
import { DEFAULT_INTERVALS, INTERVAL_BOUNDS } from '../../agent/intervals.js';
import { DEFAULT_SCRAPE_MAX_SERIES, MAX_SCRAPE_SERIES } from '../../agent/scrape/limits.js';
import { parseScrapeTargets, type ScrapeTarget } from '../../agent/scrape/targets.js';
import { parseFimPaths } from '../../agent/security/fim/fim-paths.js';
import { EventReporter } from '../../agent/uplink-events.js';
import { systemClock } from '../../shared/clock.js';
import { parseFingerprint } from '../../shared/credentials.js';
import { AGENT_TYPES } from '../../shared/model.js';
import { VERSION } from '../core/version.js';
import { intFlag, oneOf, parse, required, untilSignal, UsageError, wsUrl } from './args.js';
import { AGENT } from './agent-spec.js';

export async function agentCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parse(AGENT, argv);
  const url = wsUrl('agent', required('agent', 'url', flags.url));
  const caFingerprint = fingerprintFlag(flags['ca-fingerprint'], url);
  const region = flags.region ?? 'us-east-1';
  const agentType = oneOf('agent', 'type', flags.type, AGENT_TYPES, 'system');
  const interval = (flag: string, raw: string | undefined, fallback: number) =>
    intFlag('agent', flag, raw, fallback, INTERVAL_BOUNDS.min, INTERVAL_BOUNDS.max);
  const intervals = {
    headline: interval('interval', flags.interval, DEFAULT_INTERVALS.headline),
    network: interval('network-interval', flags['network-interval'], DEFAULT_INTERVALS.network),
    filesystems: interval(
      'filesystems-interval',
      flags['filesystems-interval'],
      DEFAULT_INTERVALS.filesystems,
    ),
  };
  const stateDir = resolve(
    flags['state-dir'] ?? env.MERIDIAN_AGENT_STATE_DIR ?? join(homedir(), '.meridian', 'agent'),
  );
  // Once enrolled the agent authenticates with its own key: the secret is needed only before.
  const hasKey = storedKey(stateDir, url);
  const token =
    flags.token ??
    env.MERIDIAN_AGENT_TOKEN ??
    (hasKey ? '' : required('agent', 'token', undefined));
  const actions = loadActions(flags.actions, stateDir);
  const diskQuotas = (flags['disk-quota'] ?? []).map(diskQuotaFlag);
  const scrape = flags.scrape?.length
    ? {
        targets: scrapeFlag(flags.scrape),
        intervalMs: interval('scrape-interval', flags['scrape-interval'], intervals.headline),
        maxSeries: intFlag(
          'agent',
          'scrape-max-series',
          flags['scrape-max-series'],
          DEFAULT_SCRAPE_MAX_SERIES,
          1,
          MAX_SCRAPE_SERIES,
        ),
        rawCounters: flags['scrape-raw-counters'] ?? false,
      }
    : undefined;
  const fimPaths = flags['fim-paths'] === undefined ? null : fimPathsFlag(flags['fim-paths']);
  // Progress a person waits for on stdout; problems (retries, pauses, refusals) on stderr.
  const say = (line: string) => process.stdout.write(`meridian agent: ${line}\n`);
  const warn = (line: string) => process.stderr.write(`meridian agent: ${line}\n`);
  const reporter = new EventReporter(systemClock.now, (line) =>
    (line.level === 'info' ? say : warn)(line.text),
  );
  let fatal: string | null = null;
  let onFatal: () => void = () => {};
  const refused = new Promise<void>((resolve) => (onFatal = resolve));
  const agent = new HostAgent({
    url,
    token,
    ...(caFingerprint ? { caFingerprint } : {}),
    region,
    agentType,
    ...(flags.hostname ? { hostname: flags.hostname } : {}),
    intervals,
    version: VERSION,
    clock: systemClock,
    log: warn,
    say,
    actions,
    stateDir,
    logAction: say,
    diskQuotas,
    ...(scrape ? { scrape } : {}),
    ...(flags['no-security'] ? { security: false as const } : {}),
    ...(flags['no-security'] || flags['no-fim']
      ? { fim: false as const }
      : fimPaths
        ? { fim: { paths: fimPaths } }
        : {}),
    ...(flags['no-security'] || flags['no-ports'] ? { ports: false as const } : {}),
    ...(flags['no-posture'] ? { posture: false as const } : {}),
    onEvent: (e) => reporter.report(e),
    onFatal: (reason) => {
      fatal = reason;
      onFatal();
    },
  });
  if (actions) {
    const names = [...actions.actions.keys()];
    say(`${names.length} action(s) from ${actions.source}: ${names.join(', ') || 'none'}`);
  }
  if (scrape)
    say(`scraping ${scrape.targets.map((t) => t.url).join(', ')} every ${scrape.intervalMs} ms`);
  say(`connecting to ${url} (region ${region}, type ${agentType})…`);
  agent.start();
  await Promise.race([untilSignal(), refused]);
  agent.stop();
  if (fatal) warn('stopped: the console will keep refusing until that is fixed');
  return fatal ? 1 : 0;
}

/** Whether the agent has a key for this console; a damaged key file is exit 2, named. */
function storedKey(stateDir: string, url: string): boolean {
  try {
    return new FileCredentialStore(stateDir, url).load() !== null;
  } catch (err) {
    throw new UsageError(
      `meridian agent: cannot read its key file in ${stateDir}: ${(err as Error).message}`,
    );
  }
}

/** `--ca-fingerprint sha256:HEX` (or openssl's AB:CD:… form); only with a wss:// URL. */
function fingerprintFlag(raw: string | undefined, url: string): string | null {
  if (raw === undefined) return null;
  const fp = parseFingerprint(raw);
  if (!fp)
    throw new UsageError(
      `meridian agent: --ca-fingerprint must be sha256: and 64 hex digits (got '${raw}')`,
    );
  if (!url.startsWith('wss://'))
    throw new UsageError(`meridian agent: --ca-fingerprint needs a wss:// --url (got '${url}')`);
  return fp;
}

/** `--actions FILE`, else `<state-dir>/actions.json` if there is one; a bad file is exit 2. */
function loadActions(flag: string | undefined, stateDir: string): ActionsFile | null {
  const path = flag !== undefined ? resolve(flag) : join(stateDir, 'actions.json');
  if (flag === undefined && !existsSync(path)) return null;
  try {
    return loadActionsFile(path);
  } catch (err) {
    if (err instanceof ActionsFileError)
      throw new UsageError(`meridian agent: ${err.message}; nothing loaded, not started`);
    throw err;
  }
}

function fimPathsFlag(raw: string): string[] {
  const r = parseFimPaths(raw);
  if ('error' in r) throw new UsageError(`meridian agent: --fim-paths ${r.error}`);
  return r.paths;
}

function diskQuotaFlag(raw: string): DiskQuota {
  const q = parseDiskQuota(raw);
  if ('error' in q) throw new UsageError(`meridian agent: --disk-quota ${q.error}`);
  const dir = resolve(q.dir);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isDir) throw new UsageError(`meridian agent: --disk-quota ${dir} is not a directory`);
  return { dir, bytes: q.bytes };
}

/** `--scrape URL[,URL…]` (repeatable); a bad URL is exit 2, naming it. */
function scrapeFlag(lists: string[]): ScrapeTarget[] {
  const targets = parseScrapeTargets(lists);
  if ('error' in targets) throw new UsageError(`meridian agent: --scrape ${targets.error}`);
  return targets;
}
