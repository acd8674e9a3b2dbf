// How an Uplink proves who it is and checks who the console is: its own key once enrolled
// (else the enrolment secret), and, with `--ca-fingerprint`, the pinned CA read from the
// console's chain (tls-pin.ts) before any credential is sent.
import { AGENT_KEY_PREFIX } from '../shared/protocol-codes.js';
import type { WelcomeMessage } from '../shared/protocol.js';
import type { AgentCredential, CredentialStore } from './credential-file.js';
import { fetchPinnedCa, type PinResult } from './tls-pin.js';

export interface UplinkAuthOptions {
  url: string;
  /** The enrolment secret: presented only while the agent has no key of its own. */
  token: string;
  credentials?: CredentialStore | undefined;
  caFingerprint?: string | undefined;
}

export class UplinkAuth {
  /** This agent's own key, once enrolled (or loaded from its state dir). */
  credential: AgentCredential | null;
  /** The pinned CA's certificate, read from the console's chain. */
  private pinnedCa: string | null = null;

  constructor(private readonly opts: UplinkAuthOptions) {
    this.credential = opts.credentials?.load() ?? null;
  }

  /** True while the pinned CA is still to be read (before the next connection). */
  get needsPin(): boolean {
    return this.opts.caFingerprint !== undefined && this.pinnedCa === null;
  }

  async resolvePin(): Promise<PinResult> {
    const result = await fetchPinnedCa(this.opts.url, this.opts.caFingerprint!);
    if (result.ok) this.pinnedCa = result.ca;
    return result;
  }

  /** The upgrade's headers and TLS trust. */
  connectOptions(): { headers: Record<string, string>; ca?: string } {
    const c = this.credential;
    const token = c ? `${AGENT_KEY_PREFIX}${c.keyId}.${c.key}` : this.opts.token;
    return {
      headers: { Authorization: `Bearer ${token}` },
      ...(this.pinnedCa ? { ca: this.pinnedCa } : {}),
    };
  }

  /**
   * A connection error. A certificate the pinned CA no longer verifies: read the chain again
   * next time, so a changed console is reported as a pin mismatch rather than retried for ever.
   */
  connectionFailed(message: string): void {
    if (this.pinnedCa && /certificate|self.signed|verify/i.test(message)) this.pinnedCa = null;
  }

  /** Why a 401 is final, for the person reading the agent's output. */
  refusedMessage(): string {
    if (!this.credential)
      return 'the console refused the agent token (HTTP 401): check --token or MERIDIAN_AGENT_TOKEN (`meridian token` on the console host prints it)';
    return `the console refused this agent's key ${this.credential.keyId} (HTTP 401): it was revoked, or the console lost its records; to enrol again, delete ${this.opts.credentials?.where ?? 'the key'} (an operator decides)`;
  }

  /** Keep an enrolment's key (from the welcome); an error message when it could not be stored. */
  keep(msg: WelcomeMessage): string | null {
    if (!msg.credential) return null;
    this.credential = { agentId: msg.agentId, ...msg.credential };
    try {
      this.opts.credentials?.save(this.credential);
      return null;
    } catch (err) {
      return `could not store the agent key: ${(err as Error).message}`;
    }
  }
}
