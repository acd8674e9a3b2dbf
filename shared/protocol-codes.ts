// The agent protocol's plain values: version, limits, close and error codes. Apart from the
// TypeBox schemas in ./protocol.ts (which re-exports these), so the agent, which only builds
// frames, does not load the schema library: its memory is part of what it costs a host.

/**
 * 2 adds per-agent keys and posture facts. A hello with protocol 2 on a connection
 * authenticated with the enrolment secret is answered by a welcome carrying the agent's own key
 * (`credential`), and later connections authenticate with that key; a protocol-2 agent sends
 * `facts` (posture) once the welcome says 2. Protocol 1 hellos are still accepted: such an
 * agent keeps the shared secret and is "unknown" on the compliance scorecards (see
 * docs/protocol.md, "Versions").
 */
export const PROTOCOL_VERSION = 2;
/** Every protocol version the console accepts in a hello. */
export const SUPPORTED_PROTOCOLS = [1, 2] as const;
/** The oldest agent protocol a console accepts in `hello`. */
export const MIN_PROTOCOL_VERSION = 1;
/** Agents send `facts` only to a console whose `welcome` says at least this version. */
export const FACTS_PROTOCOL_VERSION = 2;
/**
 * An agent key as sent in `Authorization: Bearer mak.<keyId>.<secret>`: the key id names the
 * console's record, the secret (32 random bytes, base64url) proves it.
 */
export const AGENT_KEY_PREFIX = 'mak.';
/** Largest frame the console accepts; bigger ones are closed with 1009. */
export const MAX_FRAME_BYTES = 256 * 1024;
export const MAX_SAMPLES_PER_BATCH = 5_000;
export const MAX_EVENTS_PER_BATCH = 1_000;
/** An `action_result`'s output (stdout then stderr) is cut to this many bytes of UTF-8. */
export const MAX_ACTION_OUTPUT_BYTES = 16 * 1024;
/** At most this many parameters per `action`, each value at most MAX_ACTION_PARAM_CHARS long. */
export const MAX_ACTION_PARAMS = 16;
export const MAX_ACTION_PARAM_CHARS = 256;

/**
 * How an action ended, as the agent reports it in `action_result`:
 * - `succeeded` / `failed`: it ran; exit code 0 / not 0 (the console's verification, not this,
 *   decides whether the recovery worked);
 * - `timeout`: killed at its timeout or the action's deadline;
 * - `refused`: not run: unknown action, a parameter outside its pattern, approval required
 *   but not given, deadline already past, another action still running (see `reason`);
 * - `dry_run`: validated and not run; `argv` says what would have run;
 * - `interrupted`: the agent stopped (crash, restart) while it ran: never reported as done.
 */
export const ACTION_STATUSES = [
  'succeeded',
  'failed',
  'timeout',
  'refused',
  'dry_run',
  'interrupted',
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** `reason` codes of a `refused` action_result. */
export const ACTION_REFUSALS = {
  unknownAction: 'unknown_action',
  badParameter: 'bad_parameter',
  approvalRequired: 'approval_required',
  deadlinePassed: 'deadline_passed',
  busy: 'busy',
  /** The agent could not start the program (not found, user unknown, not permitted). */
  spawnFailed: 'spawn_failed',
} as const;

/**
 * WebSocket close codes the console uses, with the reason label counted in
 * /metrics (meridian_frames_rejected_total{reason}). 1009 (too big) comes from ws itself.
 */
export const CLOSE = {
  invalidJson: { code: 4000, reason: 'invalid_json' },
  schema: { code: 4001, reason: 'schema_violation' },
  nonFinite: { code: 4002, reason: 'non_finite_number' },
  forbiddenKey: { code: 4003, reason: 'forbidden_key' },
  unknownType: { code: 4004, reason: 'unknown_type' },
  helloFirst: { code: 4005, reason: 'hello_required' },
  duplicateHello: { code: 4006, reason: 'duplicate_hello' },
  unknownRegion: { code: 4007, reason: 'unknown_region' },
  binaryFrame: { code: 4008, reason: 'binary_frame' },
  slowConsumer: { code: 4009, reason: 'slow_consumer' },
  replaced: { code: 4010, reason: 'replaced' },
  /** The console's cap on registered agents is reached; retry later (an operator may retire agents). */
  agentLimit: { code: 4011, reason: 'agent_limit' },
  /** The hello names an agent id the connection's credential is not bound to (impersonation). */
  agentIdMismatch: { code: 4012, reason: 'agent_id_mismatch' },
  /** The connection's key was revoked by an operator; the agent is refused from now on. */
  keyRevoked: { code: 4013, reason: 'key_revoked' },
  /** The console could not make the agent's registration durable (disk full, I/O error); retry later. */
  registryFailed: { code: 1011, reason: 'registry_failed' },
  tooBig: { code: 1009, reason: 'frame_too_big' },
  shuttingDown: { code: 1001, reason: 'shutting_down' },
} as const;

/** Codes sent in `error` messages (the connection stays open). */
export const ERROR_CODES = {
  seriesLimit: 'series_limit',
  /** Samples more than 5 min ahead of the console's clock are dropped (the batch is acked). */
  futureTimestamp: 'future_timestamp',
  /**
   * Samples older than the console's out-of-order window (behind the newest sample of their
   * series by more than the window) are dropped; the batch is acked.
   */
  outOfOrder: 'out_of_order',
  /**
   * Samples older than the console keeps raw data for (its raw retention, less the time it
   * takes to compact an hour) are dropped; the batch is acked.
   */
  tooOld: 'too_old',
  /**
   * The console cannot make data durable now (its disk is full, or its write queue is over
   * its bound). The batch `seq` was NOT acked: keep it, send no batches for `retryAfterMs`,
   * then resend every unacked batch, oldest first. Heartbeats continue as usual.
   */
  ingestPaused: 'ingest_paused',
} as const;

/**
 * True for a close code after which reconnecting cannot help: the agent sent frames the
 * console refuses (4000–4006, 4008), and would send them again. Not fatal: unknown region
 * (4007: an operator may add it), slow consumer (4009), replaced (4010: another connection
 * took this agent's identity: with keys that is another copy of the same agent, giving up for good
 * would let any second process silence an agent), agent limit (4011: an operator may retire
 * agents) and shutdown. After 4007, 4010 and 4011 retry only after a long wait. Fatal as
 * well: 4012 (the hello claims another agent's id) and 4013 (this agent's key was revoked).
 */
export function isFatalCloseCode(code: number): boolean {
  if (code === CLOSE.agentIdMismatch.code || code === CLOSE.keyRevoked.code) return true;
  return code >= 4000 && code < 4009 && code !== CLOSE.unknownRegion.code;
}
