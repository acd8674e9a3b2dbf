// A raw-WebSocket agent that answers `action` frames as a real agent would (the agent's own
// tests run the real one): its hello offers actions, each action it receives is answered with
// an `action_result` the test scripts, and `action_ack`s are kept. It also sends samples.
import WebSocket from 'ws';
import type { ActionMessage, ActionResultMessage, HelloMessage } from '../../shared/protocol.js';
import { connectAgent, metricsFrame, waitFor, type TestAgent } from './core.js';

export type ActionAnswer = Partial<Omit<ActionResultMessage, 'type' | 'id' | 'action'>> | null;

export interface ActionAgent extends TestAgent {
  /** Every action received, in order. */
  actions: ActionMessage[];
  /** Ids the console acked. */
  acks: string[];
  /** How to answer an action (null: not now; answer later with `reply`). */
  answer: (msg: ActionMessage) => ActionAnswer;
  reply(msg: Pick<ActionMessage, 'id' | 'action'>, answer: ActionAnswer): void;
  /** Send one sample of a metric (disk_usage by default). */
  sample(value: number, name?: string): void;
  /** Wait for the n-th action (1-based). */
  nthAction(n: number): Promise<ActionMessage>;
}

export const succeeded: ActionAnswer = {
  status: 'succeeded',
  exitCode: 0,
  output: 'removed 12 files (4.2 GiB) from /tmp',
};

export async function actionAgent(
  url: string,
  hello: Partial<HelloMessage> = {},
  offered: string[] = ['clean_tmp'],
): Promise<ActionAgent> {
  const base = await connectAgent(url, { capabilities: { actions: offered }, ...hello });
  const agent: ActionAgent = {
    ...base,
    actions: [],
    acks: [],
    answer: (msg) =>
      msg.dryRun
        ? { status: 'dry_run', argv: ['/usr/bin/find', msg.params.dir ?? '/tmp'] }
        : succeeded,
    reply(msg, a) {
      const result: ActionResultMessage = {
        type: 'action_result',
        id: msg.id,
        action: msg.action,
        status: 'succeeded',
        exitCode: 0,
        durationMs: 850,
        output: '',
        outputTruncated: false,
        ...a,
      };
      base.send(result);
    },
    sample(value, name = 'disk_usage') {
      base.send(metricsFrame([{ name, value }]));
    },
    nthAction: (n) => waitFor(() => agent.actions[n - 1], undefined, `action #${n}`),
  };
  base.ws.on('message', (data: WebSocket.RawData) => {
    const msg = JSON.parse(String(data)) as { type: string; id?: string };
    if (msg.type === 'action_ack') agent.acks.push(msg.id!);
    if (msg.type !== 'action') return;
    const action = msg as ActionMessage;
    agent.actions.push(action);
    const a = agent.answer(action);
    if (a) agent.reply(action, a);
  });
  return agent;
}
