import { HostAgent } from '../../agent/agent.js';
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
  const intervalMs = intFlag('agent', 'interval', flags.interval, 5_000, 250, 3_600_000);
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
    intervalMs,
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
