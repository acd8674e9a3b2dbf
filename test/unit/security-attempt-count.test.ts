// One SSH attempt is one counted failure: a real sshd writes several failure lines per
// connection (`Invalid user`, PAM's `authentication failure`, `Failed password`, `Connection
// closed … [preauth]`, `PAM N more`), and the brute-force rule must count attempts, not lines.
// The lines go through the agent's real parser into the console's real rules and engine.
import { beforeAll, describe, expect, it } from 'vitest';
import { authEventFromLine, parseSyslogLine } from '../../agent/security/auth-line.js';
import { ManualClock } from '../../shared/clock.js';
import { DetectionEngine } from '../../electron/core/security/detect/engine.js';
import { loadRules } from '../../electron/core/security/detect/rule-files.js';
import type { CompiledRule, Detection } from '../../electron/core/security/detect/types.js';

const NOW = Date.UTC(2026, 10, 30, 9, 0, 0);
const IP = '203.0.113.7';

let rules: CompiledRule[];
beforeAll(async () => {
  const set = await loadRules();
  expect(set.errors).toEqual([]);
  rules = set.rules;
});

const at = (sec: number) =>
  `Nov 30 08:${String(10 + Math.floor(sec / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}`;

/** The lines sshd writes for one connection from IP: `tries` password attempts as `user`. */
function connection(n: number, sec: number, user: string, tries: number): string[] {
  const pid = 4000 + n;
  const port = 40000 + n;
  const head = `${at(sec)} web-1 sshd[${pid}]:`;
  const invalid = user !== 'root';
  const lines: string[] = [];
  if (invalid) {
    lines.push(`${head} Invalid user ${user} from ${IP} port ${port}`);
    lines.push(`${head} pam_unix(sshd:auth): check pass; user unknown`);
    lines.push(
      `${head} pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${IP}`,
    );
  } else {
    lines.push(
      `${head} pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${IP}  user=root`,
    );
  }
  for (let i = 0; i < tries; i++)
    lines.push(
      `${head} Failed password for ${invalid ? 'invalid user ' : ''}${user} from ${IP} port ${port} ssh2`,
    );
  lines.push(
    `${head} Connection closed by ${invalid ? 'invalid' : 'authenticating'} user ${user} ${IP} port ${port} [preauth]`,
  );
  if (tries > 1)
    lines.push(
      `${head} PAM ${tries - 1} more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=${IP}${invalid ? '' : '  user=root'}`,
    );
  return lines;
}

function detect(lines: string[]): { detections: Detection[]; failures: number } {
  const engine = new DetectionEngine({ rules, clock: new ManualClock(NOW) });
  const detections: Detection[] = [];
  let failures = 0;
  for (const text of lines) {
    const line = parseSyslogLine(text, { timeZone: 'UTC', now: NOW });
    const event = line && authEventFromLine(line);
    if (!event) continue;
    if (event.attributes?.['event.type'] === 'auth_failure') failures++;
    detections.push(...engine.process({ ...event, agentId: 'web-1', hostname: 'web-1' }));
  }
  return { detections, failures };
}

const brute = (ds: Detection[]) => ds.filter((d) => d.title === 'SSH brute force');

describe('counting SSH attempts, not log lines', () => {
  /** 9 attempts in 4 connections (3 + 3 + 2 + 1), 40 s, as invalid users and as root. */
  const nine = [
    ...connection(1, 0, 'admin', 3),
    ...connection(2, 10, 'root', 3),
    ...connection(3, 20, 'oracle', 2),
    ...connection(4, 30, 'root', 1),
  ];

  it('9 attempts (many more failure lines) do not fire the brute-force rule', () => {
    const { detections, failures } = detect(nine);
    expect(failures).toBeGreaterThan(20); // the lines that restate the attempts are still events
    expect(brute(detections)).toEqual([]);
  });

  it('the 10th attempt fires it, once, counting 10', () => {
    const ten = [...nine, ...connection(5, 40, 'ubnt', 1)];
    const { detections } = detect(ten);
    const fired = brute(detections);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      count: 10,
      group: { agentId: 'web-1', src_ip: IP },
      mitre: ['T1110', 'T1110.001'],
    });
  });
});
