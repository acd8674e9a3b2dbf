// The action executor with real processes: exit codes, the timeout (SIGTERM, then SIGKILL for
// a program that ignores it), output cut to its bound, no shell, a minimal environment, and
// running as another user.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Executor, type ExecOutcome } from '../../agent/actions/executor.js';
import { systemClock } from '../../shared/clock.js';
import { MAX_ACTION_OUTPUT_BYTES } from '../../shared/protocol-codes.js';
import { tempDir, waitFor } from '../helpers/core.js';

const node = process.execPath;
const exec = new Executor({ clock: systemClock, killGraceMs: 300 });

function ran(o: ExecOutcome) {
  if (o.status === 'spawn_failed') throw new Error(`spawn failed: ${o.detail}`);
  return o;
}

describe('action executor', () => {
  it('exit 0 succeeds, any other exit fails, with its code; stdout then stderr', async () => {
    const ok = ran(
      await exec.run({
        argv: [node, '-e', 'process.stderr.write("warn\\n"); process.stdout.write("done\\n")'],
        timeoutMs: 30_000,
      }),
    );
    expect(ok).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      signal: null,
      output: 'done\nwarn\n',
      outputTruncated: false,
    });
    const bad = ran(await exec.run({ argv: [node, '-e', 'process.exit(3)'], timeoutMs: 30_000 }));
    expect(bad).toMatchObject({ status: 'failed', exitCode: 3 });
  });

  it('at its timeout it is sent SIGTERM', async () => {
    const o = ran(
      await exec.run({ argv: [node, '-e', 'setInterval(() => {}, 1000)'], timeoutMs: 200 }),
    );
    expect(o).toMatchObject({ status: 'timeout', exitCode: null, signal: 'SIGTERM' });
  });

  it('a program that ignores SIGTERM is killed with SIGKILL after the grace', async () => {
    // sh, not node: it ignores SIGTERM from its first command. The timeout leaves it 2 s to get
    // there: a loaded machine can take longer than 300 ms to start a shell, and SIGTERM would
    // then end it before its trap (output '', signal SIGTERM).
    const o = ran(
      await exec.run({
        argv: ['/bin/sh', '-c', 'trap "" TERM; echo up; exec sleep 300'],
        timeoutMs: 2_000,
      }),
    );
    expect(o).toMatchObject({ status: 'timeout', signal: 'SIGKILL', output: 'up\n' });
  });

  it('the timeout ends what the action started too (its process group)', async () => {
    const dir = await tempDir();
    const pidFile = join(dir, 'grandchild.pid');
    // The action leaves a grandchild that ignores SIGTERM and would outlive it.
    const o = ran(
      await exec.run({
        argv: ['/bin/sh', '-c', `(trap "" TERM; exec sleep 300) & echo $! > ${pidFile}; wait`],
        // Time for the shell to start and write the pid file, loaded machine included.
        timeoutMs: 2_000,
      }),
    );
    expect(o.status).toBe('timeout');
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitFor(() => !alive(), undefined, 'the grandchild to be gone');
  });

  it('output is cut to MAX_ACTION_OUTPUT_BYTES at a character boundary, and says so', async () => {
    // 3-byte characters, so the bound falls inside one unless the cut steps back.
    const o = ran(
      await exec.run({
        argv: [node, '-e', 'process.stdout.write("€".repeat(20000)); console.error("tail")'],
        timeoutMs: 30_000,
      }),
    );
    expect(o.status).toBe('succeeded');
    expect(o.outputTruncated).toBe(true);
    const bytes = Buffer.byteLength(o.output);
    expect(bytes).toBeLessThanOrEqual(MAX_ACTION_OUTPUT_BYTES);
    expect(bytes).toBeGreaterThan(MAX_ACTION_OUTPUT_BYTES - 3);
    expect(o.output).not.toContain('\ufffd');
    expect(o.output).toBe('€'.repeat(Math.floor(MAX_ACTION_OUTPUT_BYTES / 3)));
  });

  it('no shell: a parameter value reaches the program as one literal argument', async () => {
    const dir = await tempDir();
    const marker = join(dir, 'pwned');
    const value = `$(touch ${marker}); touch ${marker}; \`touch ${marker}\``;
    const o = ran(await exec.run({ argv: ['/bin/echo', value], timeoutMs: 30_000 }));
    expect(o.output).toBe(`${value}\n`);
    expect(existsSync(marker)).toBe(false);
  });

  it("the agent's environment (its token) is not passed on; PATH is the system's", async () => {
    process.env.MERIDIAN_AGENT_TOKEN = 'secret-agent-token';
    try {
      const o = ran(
        await exec.run({
          argv: [node, '-e', 'console.log(JSON.stringify(process.env))'],
          timeoutMs: 30_000,
          env: { MERIDIAN_ACTION_ID: 'act-1' },
        }),
      );
      const env = JSON.parse(o.output) as Record<string, string>;
      expect(env.MERIDIAN_AGENT_TOKEN).toBeUndefined();
      expect(o.output).not.toContain('secret-agent-token');
      expect(env.MERIDIAN_ACTION_ID).toBe('act-1');
      expect(env.PATH).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    } finally {
      delete process.env.MERIDIAN_AGENT_TOKEN;
    }
  });

  it('a program that does not exist, or an unknown user, is spawn_failed', async () => {
    const missing = await exec.run({ argv: ['/nonexistent/program'], timeoutMs: 1_000 });
    expect(missing).toEqual({
      status: 'spawn_failed',
      detail: 'program not found: /nonexistent/program',
    });
    const dir = await tempDir();
    const passwd = join(dir, 'passwd');
    await writeFile(passwd, 'root:x:0:0:root:/root:/bin/sh\n');
    const withPasswd = new Executor({ clock: systemClock, passwdPath: passwd });
    const unknown = await withPasswd.run({
      argv: ['/bin/true'],
      timeoutMs: 1_000,
      user: 'svc-missing',
    });
    expect(unknown).toEqual({
      status: 'spawn_failed',
      detail: `user 'svc-missing' is not in ${passwd}`,
    });
  });

  it("runs as the file's user (uid/gid from the passwd file), or refuses when it may not", async () => {
    const nobody = await exec.run({
      argv: ['/usr/bin/id', '-u'],
      timeoutMs: 10_000,
      user: 'nobody',
    });
    if (process.getuid?.() === 0) {
      expect(ran(nobody).output.trim()).toBe('65534');
    } else {
      // Without the privilege to change user, it is refused, never run as the agent's user.
      expect(nobody).toMatchObject({ status: 'spawn_failed' });
      expect((nobody as { detail: string }).detail).toMatch(/not permitted/);
    }
  });
});
