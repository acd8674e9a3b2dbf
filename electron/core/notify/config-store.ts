// Channels and escalation policies: validated, kept in <data-dir>/notify.json (0600: it holds
// webhook secrets and SMTP passwords) with the same crash-safe write as state.json. Not in
// state.json because the incidents helper and this one would otherwise fight over one schema.
import { join } from 'node:path';
import {
  CHANNEL_INPUT_SCHEMAS,
  ChannelBody,
  PolicyInput,
  type ChannelConfig,
  type ChannelInput,
  type ChannelView,
  type EscalationPolicy,
} from '../../../shared/notify.js';
import { DurableJsonFile, type Recovery } from '../state/durable-file.js';
import { DEFAULT_CHANNELS, DEFAULT_POLICY } from './defaults.js';
import { check, checkHttpUrl, NotifyInputError, slug } from './validate.js';

interface NotifyFile {
  version: 1;
  channels: ChannelConfig[];
  policies: EscalationPolicy[];
}

/** The fields GET never returns; a PUT that leaves them out keeps the stored ones. */
const SECRET_FIELDS = ['secret', 'password'] as const;

export class NotifyConfigStore {
  private channels = new Map<string, ChannelConfig>();
  private policies: EscalationPolicy[] = [];
  private readonly file: DurableJsonFile<NotifyFile> | null;
  private writing: Promise<void> = Promise.resolve();
  recovery: Recovery | null = null;

  /** `dataDir` null: kept in memory only (tests, benches). */
  constructor(dataDir: string | null, stamp: () => number) {
    this.file = dataDir
      ? new DurableJsonFile(join(dataDir, 'notify.json'), parseFile, stamp)
      : null;
    for (const c of DEFAULT_CHANNELS) this.channels.set(c.id, { ...c });
    this.policies = [structuredClone(DEFAULT_POLICY)];
  }

  async load(): Promise<void> {
    if (!this.file) return;
    const loaded = await this.file.read();
    this.recovery = this.file.recovery;
    if (!loaded) return;
    this.channels = new Map(loaded.channels.map((c) => [c.id, c]));
    this.policies = loaded.policies;
  }

  channel(id: string): ChannelConfig | undefined {
    return this.channels.get(id);
  }

  allChannels(): ChannelConfig[] {
    return [...this.channels.values()];
  }

  /** In match order: the operator's policies as created, the built-in `default` last. */
  allPolicies(): EscalationPolicy[] {
    return [
      ...this.policies.filter((p) => p.id !== DEFAULT_POLICY.id),
      ...this.policies.filter((p) => p.id === DEFAULT_POLICY.id),
    ];
  }

  policy(id: string): EscalationPolicy | undefined {
    return this.policies.find((p) => p.id === id);
  }

  async addChannel(body: unknown): Promise<ChannelConfig> {
    const channel = channelFrom(body, undefined);
    const id = channel.id;
    if (this.channels.has(id))
      throw new NotifyInputError(409, 'conflict', `channel ${id} exists`, 'id');
    this.channels.set(id, channel);
    await this.persist();
    return channel;
  }

  async replaceChannel(id: string, body: unknown): Promise<ChannelConfig> {
    const stored = this.requireChannel(id);
    const channel = channelFrom(body, stored);
    if (channel.id !== id)
      throw new NotifyInputError(400, 'invalid_body', 'id cannot change', 'id');
    this.channels.set(id, channel);
    await this.persist();
    return channel;
  }

  async deleteChannel(id: string): Promise<void> {
    this.requireChannel(id);
    const user = this.policies.find((p) => p.steps.some((s) => s.channelIds.includes(id)));
    if (user)
      throw new NotifyInputError(
        409,
        'in_use',
        `channel ${id} is used by policy ${user.id}; change the policy first`,
        'id',
      );
    this.channels.delete(id);
    await this.persist();
  }

  async addPolicy(body: unknown): Promise<EscalationPolicy> {
    const policy = this.policyFrom(body);
    if (this.policy(policy.id))
      throw new NotifyInputError(409, 'conflict', `policy ${policy.id} exists`, 'id');
    this.policies.push(policy);
    await this.persist();
    return policy;
  }

  async replacePolicy(id: string, body: unknown): Promise<EscalationPolicy> {
    const i = this.policies.findIndex((p) => p.id === id);
    if (i < 0) throw new NotifyInputError(404, 'not_found', `no policy ${id}`);
    const policy = this.policyFrom({ ...(body as object), id });
    this.policies[i] = policy;
    await this.persist();
    return policy;
  }

  async deletePolicy(id: string): Promise<void> {
    const before = this.policies.length;
    this.policies = this.policies.filter((p) => p.id !== id);
    if (this.policies.length === before)
      throw new NotifyInputError(404, 'not_found', `no policy ${id}`);
    await this.persist();
  }

  private requireChannel(id: string): ChannelConfig {
    const c = this.channels.get(id);
    if (!c) throw new NotifyInputError(404, 'not_found', `no channel ${id}`);
    return c;
  }

  private policyFrom(body: unknown): EscalationPolicy {
    const input = check<PolicyInput>(PolicyInput, body);
    input.steps.forEach((step, i) =>
      step.channelIds.forEach((cid, j) => {
        if (!this.channels.has(cid))
          throw new NotifyInputError(
            400,
            'unknown_channel',
            `no channel ${cid}`,
            `steps/${i}/channelIds/${j}`,
          );
      }),
    );
    const firstGap = input.steps[1]?.afterMs ?? 0;
    return {
      id: input.id ?? `${slug(input.name)}`,
      name: input.name,
      match: input.match ?? {},
      steps: input.steps,
      repeatAfterMs:
        input.repeatAfterMs === undefined ? Math.max(300_000, firstGap) : input.repeatAfterMs,
    };
  }

  /** Writes one at a time, in order; a failed write is the caller's error (the API's 500). */
  private persist(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const data: NotifyFile = {
      version: 1,
      channels: this.allChannels(),
      policies: this.policies,
    };
    const next = this.writing.catch(() => {}).then(() => file.write(data));
    this.writing = next;
    return next;
  }
}

/** Body → stored channel. On PUT, secrets left out are kept from `stored`. */
function channelFrom(body: unknown, stored: ChannelConfig | undefined): ChannelConfig {
  const head = check<{ kind: ChannelConfig['kind'] }>(ChannelBody, body);
  const raw: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  if (stored && stored.kind === head.kind) {
    for (const f of SECRET_FIELDS)
      if (raw[f] === undefined && (stored as Record<string, unknown>)[f] !== undefined)
        raw[f] = (stored as Record<string, unknown>)[f];
    if (stored.kind === 'slack' && raw.url === undefined) raw.url = stored.url;
    raw.id ??= stored.id;
  }
  const input = check<ChannelInput>(CHANNEL_INPUT_SCHEMAS[head.kind], raw);
  if ('url' in input) input.url = checkHttpUrl(input.url, 'url');
  return {
    ...input,
    id: input.id ?? slug(input.name),
    enabled: input.enabled ?? true,
    sendResolved: input.sendResolved ?? input.kind !== 'email',
    maxPerMinute: input.maxPerMinute ?? 30,
  };
}

/** What GET shows of a channel: everything but its secrets. */
export function channelView(c: ChannelConfig, consecutiveFailures: number): ChannelView {
  const view: ChannelView = {
    id: c.id,
    name: c.name,
    kind: c.kind,
    enabled: c.enabled,
    sendResolved: c.sendResolved,
    maxPerMinute: c.maxPerMinute,
    consecutiveFailures,
  };
  switch (c.kind) {
    case 'webhook':
    case 'alertmanager':
      return { ...view, url: c.url, hasSecret: c.secret !== undefined };
    case 'slack':
      return { ...view, url: `${new URL(c.url).origin}/…` };
    case 'email':
      return {
        ...view,
        host: c.host,
        port: c.port,
        secure: c.secure ?? false,
        ...(c.user !== undefined ? { user: c.user } : {}),
        hasPassword: c.password !== undefined,
        from: c.from,
        to: c.to,
      };
    case 'desktop':
      return view;
  }
}

function parseFile(raw: unknown): NotifyFile {
  const f = raw as Partial<NotifyFile>;
  if (f?.version !== 1 || !Array.isArray(f.channels) || !Array.isArray(f.policies))
    throw new Error('notify.json: not a version 1 file');
  const channels = f.channels.map((c) => channelFrom(c, undefined));
  const known = new Set(channels.map((c) => c.id));
  const policies = f.policies.map((p, i) => {
    const input = check<PolicyInput>(PolicyInput, p, `policies/${i}/`);
    for (const s of input.steps)
      for (const cid of s.channelIds)
        if (!known.has(cid))
          throw new Error(`notify.json: policy ${input.id} names channel ${cid}`);
    return p as EscalationPolicy;
  });
  return { version: 1, channels, policies };
}
