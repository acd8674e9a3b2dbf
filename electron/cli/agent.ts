import { HostAgent } from '../../agent/agent.js';
import { systemClock } from '../../shared/clock.js';
import { AGENT_TYPES } from '../../shared/model.js';
import { VERSION } from '../core/version.js';
import { intFlag, oneOf, parse, required, untilSignal, wsUrl } from './args.js';

export async function agentCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = parse('agent', argv, {
    url: { type: 'string' },
    token: { type: 'string' },
    region: { type: 'string' },
    type: { type: 'string' },
    hostname: { type: 'string' },
    interval: { type: 'string' },
  });
  const url = wsUrl('agent', required('agent', 'url', flags.url));
  const token = required('agent', 'token', flags.token ?? env.MERIDIAN_AGENT_TOKEN);
  const log = (line: string) => process.stderr.write(`meridian agent: ${line}\n`);
  let fatal: string | null = null;
  let onFatal: () => void = () => {};
  const refused = new Promise<void>((resolve) => (onFatal = resolve));
  const agent = new HostAgent({
    url,
    token,
    region: flags.region ?? 'us-east-1',
    agentType: oneOf('agent', 'type', flags.type, AGENT_TYPES, 'system'),
    ...(flags.hostname ? { hostname: flags.hostname } : {}),
    intervalMs: intFlag('agent', 'interval', flags.interval, 5_000, 250, 3_600_000),
    version: VERSION,
    clock: systemClock,
    log,
    onFatal: (reason) => {
      fatal = reason;
      log(reason);
      onFatal();
    },
  });
  agent.start();
  await Promise.race([untilSignal(), refused]);
  agent.stop();
  return fatal ? 1 : 0;
}
