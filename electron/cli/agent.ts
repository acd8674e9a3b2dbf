import { HostAgent } from '../../agent/agent.js';
import { DEFAULT_INTERVALS, INTERVAL_BOUNDS } from '../../agent/intervals.js';
import { EventReporter } from '../../agent/uplink-events.js';
import { systemClock } from '../../shared/clock.js';
import { AGENT_TYPES } from '../../shared/model.js';
import { VERSION } from '../core/version.js';
import { intFlag, oneOf, parse, required, untilSignal, wsUrl } from './args.js';
import { AGENT } from './specs.js';

export async function agentCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parse(AGENT, argv);
  const url = wsUrl('agent', required('agent', 'url', flags.url));
  const token = required('agent', 'token', flags.token ?? env.MERIDIAN_AGENT_TOKEN);
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
    region,
    agentType,
    ...(flags.hostname ? { hostname: flags.hostname } : {}),
    intervals,
    version: VERSION,
    clock: systemClock,
    log: warn,
    onEvent: (e) => reporter.report(e),
    onFatal: (reason) => {
      fatal = reason;
      onFatal();
    },
  });
  say(`connecting to ${url} (region ${region}, type ${agentType})…`);
  agent.start();
  await Promise.race([untilSignal(), refused]);
  agent.stop();
  if (fatal) warn('stopped: the console will keep refusing until that is fixed');
  return fatal ? 1 : 0;
}
