// Guarded recovery in the browser (issue 12). (a) A runbook in dry run (made over REST) on
// disk_usage critical: the simulator fills one virtual agent's disk, and the incident page says
// what would have run there. (b) Switched to approval on the Recovery page, a second agent's
// disk fills: the operator approves on the incident page, the simulated agent runs its
// simulated clean_tmp, its disk falls, the incident resolves, and its MTTR shows on the
// incident and on the Recovery page. A browser notification asked for the approval first.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incidents.js';
import type { Agent } from '../../shared/model.js';
import type {
  IncidentRecoveryFigures,
  RecoveryRun,
  Runbook,
  RunbookStats,
} from '../../shared/recovery.js';
import { formatDuration } from '../../renderer/src/lib/recovery-text.js';
import type { Simulator } from '../../agent/simulator.js';
import { startStack, type Stack } from './stack.js';
import { byTestId, eventually, waitForText } from './ui.js';

const OPERATOR = 'e2e-approver';
const RUNBOOK = 'free-disk';
const OUT = resolve(import.meta.dirname, '../../test-results/recovery');
/** Long enough for a verification on a busy machine; the simulated clean_tmp acts at once. */
const VERIFY_WITHIN_MS = 60_000;
const RECOVERY_WAIT_MS = 90_000;

let stack: Stack;

/** The simulator's scripted disk: `percent` full from now on, until an action frees it. */
function fillDisk(sim: Simulator, index: number, percent: number): void {
  sim.fillDisk(index, percent);
}

async function agentOf(index: number): Promise<Agent> {
  const hostname = stack.sim!.agents[index]!.hostname;
  return eventually(async () => {
    const res = await stack.api<{ agents: Agent[] }>('/api/v1/agents');
    const agent = res.body.agents.find((a) => a.hostname === hostname);
    expect(agent).toBeDefined();
    return agent!;
  });
}

/** The open incident of an agent's disk_usage alert, once the core has opened it. */
async function diskIncident(agentId: string): Promise<Incident> {
  return eventually(async () => {
    const res = await stack.api<{ incidents: Incident[] }>('/api/v1/incidents?state=unresolved');
    const incident = res.body.incidents.find((i) =>
      i.alerts.some((a) => a.ruleId === 'disk_usage' && a.agentId === agentId),
    );
    expect(incident).toBeDefined();
    return incident!;
  }, 30_000);
}

async function recoveryOf(
  incidentId: string,
): Promise<{ runs: RecoveryRun[]; figures: IncidentRecoveryFigures[] }> {
  const res = await stack.api<{ runs: RecoveryRun[]; figures: IncidentRecoveryFigures[] }>(
    `/api/v1/recovery/runs?incident=${encodeURIComponent(incidentId)}`,
  );
  expect(res.status).toBe(200);
  return res.body;
}

const runsOf = async (incidentId: string) => (await recoveryOf(incidentId)).runs;

async function openIncident(incidentId: string): Promise<Page> {
  const page = stack.page;
  await page.goto(`${stack.consoleUrl}#/incidents/${incidentId}`);
  await page.waitForSelector(`${byTestId('conn-status')}[data-state="live"]`);
  await page.waitForSelector(`${byTestId('incident-detail')}[data-incident-id="${incidentId}"]`);
  return page;
}

const runItem = (runId: string) => `${byTestId('incident-run')}[data-run-id="${runId}"]`;

describe('guarded recovery', () => {
  beforeAll(async () => {
    // No start-up grace: the console is not restarting here, and runs may act at once.
    stack = await startStack({ agents: 6, seed: 12, config: { recoveryGraceMs: 0 } });
    await mkdir(OUT, { recursive: true });
    // The operator's name, as Settings keeps it: approvals are recorded under it.
    await stack.page.goto(stack.consoleUrl);
    await stack.page.evaluate(`localStorage.setItem('meridian.operator', '${OPERATOR}')`);
    const created = await stack.api<{ runbook: Runbook }>('/api/v1/runbooks', {
      method: 'POST',
      body: JSON.stringify({
        id: RUNBOOK,
        name: 'Free disk',
        trigger: { ruleIds: ['disk_usage'], severities: ['critical'] },
        steps: [
          { kind: 'action', action: 'clean_tmp' },
          {
            kind: 'verify',
            condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
            withinMs: VERIFY_WITHIN_MS,
          },
          { kind: 'escalate' },
        ],
      }),
    });
    expect(created.status).toBeLessThan(300);
    // A new runbook records what it would do, nothing more.
    expect(created.body.runbook.mode).toBe('dry_run');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('(a) in dry run, the incident page says what would have run on the agent', async () => {
    const agent = await agentOf(1);
    fillDisk(stack.sim!, 1, 99);
    const incident = await diskIncident(agent.id);
    const page = await openIncident(incident.id);
    await page.waitForSelector(`${byTestId('incident-run')}[data-state="dry_run"]`, {
      timeout: 30_000,
    });
    const text = await page.locator(byTestId('incident-run-text')).first().textContent();
    expect(text).toMatch(
      new RegExp(`^Would have run .*clean[_-]tmp.* on ${agent.hostname} \\(dry run\\)$`),
    );
    // Nothing ran: the disk is as full as the simulator made it.
    expect(stack.sim!.agents[1]!.disk).toBeGreaterThan(97);
    await page.screenshot({ path: join(OUT, 'dry-run.png') });
  });

  it('(b) switched to approval, approved on the incident page: the action runs, the disk falls, the incident resolves with its MTTR', async () => {
    const page = stack.page;
    await page.goto(`${stack.consoleUrl}#/recovery`);
    const card = `${byTestId(`runbook-${RUNBOOK}`)}`;
    await page.waitForSelector(`${card}[data-mode="dry_run"]`);
    await page.click(byTestId(`runbook-mode-${RUNBOOK}-approval`));
    await page.waitForSelector(`${card}[data-mode="approval"]`);
    const saved = await stack.api<{ runbook: Runbook }>(`/api/v1/runbooks/${RUNBOOK}`);
    expect(saved.body.runbook.mode).toBe('approval');

    const agent = await agentOf(2);
    fillDisk(stack.sim!, 2, 99);
    const incident = await diskIncident(agent.id);
    const run = await eventually(async () => {
      const runs = await runsOf(incident.id);
      expect(runs.map((r) => r.state)).toContain('awaiting_approval');
      return runs.find((r) => r.state === 'awaiting_approval')!;
    }, 30_000);

    // The browser asked first (its notification opens this incident).
    await eventually(async () =>
      expect((await stack.notifications()).map((n) => n.title)).toContain(
        `Approve clean_tmp on ${agent.hostname}?`,
      ),
    );

    await openIncident(incident.id);
    await waitForText(
      page,
      'incident-run-text',
      new RegExp(`^Awaiting approval: .*clean_tmp.* on ${agent.hostname}`),
    );
    await page.screenshot({ path: join(OUT, 'awaiting-approval.png') });
    await page.click(`${runItem(run.id)} ${byTestId('run-approve')}`);

    // The simulated agent runs it, its disk falls, the verification clears, the incident resolves.
    const done = await eventually(
      async () => {
        const r = (await runsOf(incident.id)).find((x) => x.id === run.id)!;
        expect(r.state).toBe('succeeded');
        return r;
      },
      RECOVERY_WAIT_MS,
      250,
    );
    expect(done.approvedBy).toBe(OPERATOR);
    expect(stack.sim!.agents[2]!.disk).toBeLessThan(85);
    const resolved = await eventually(async () => {
      const res = await stack.api<{ incident: Incident }>(`/api/v1/incidents/${incident.id}`);
      expect(res.body.incident.state).toBe('resolved');
      return res.body.incident;
    }, RECOVERY_WAIT_MS);
    const figures = (await recoveryOf(incident.id)).figures.find(
      (f) => f.incidentId === incident.id,
    )!;
    // The core's figure is the incident's own span, opened → resolved.
    expect(figures.timeToRecoverMs).toBe(resolved.resolvedAt! - resolved.openedAt);
    expect(figures.automatic).toBe(true);

    // On the incident: resolved, recovered by the run, its time to recover as the core measured it.
    await page.click(byTestId('incidents-tab-resolved'));
    await page.waitForSelector(`${runItem(run.id)}[data-state="succeeded"]`);
    await waitForText(page, 'incident-mttr', formatDuration(figures.timeToRecoverMs));
    await waitForText(page, 'incident-tta', formatDuration(figures.timeToActMs));
    await waitForText(page, 'incident-automatic', 'yes');
    await page.screenshot({ path: join(OUT, 'recovered.png') });

    // On the Recovery page: the run in the history, the runbook's median MTTR, the figures.
    await page.goto(`${stack.consoleUrl}#/recovery`);
    await page.waitForSelector(
      `${byTestId('recovery-run')}[data-run-id="${run.id}"][data-state="succeeded"]`,
    );
    const stats = await stack.api<{
      runbooks: RunbookStats[];
      overall: { medianMttrMs: number | null };
    }>('/api/v1/recovery/stats');
    const mine = stats.body.runbooks.find((r) => r.runbookId === RUNBOOK)!;
    // One recovered incident so far: the runbook's median is that incident's time to recover.
    expect(mine.medianMttrMs).toBe(figures.timeToRecoverMs);
    await waitForText(page, `runbook-mttr-${RUNBOOK}`, formatDuration(mine.medianMttrMs));
    await waitForText(page, 'recovery-mttr', formatDuration(stats.body.overall.medianMttrMs));
    await page.screenshot({ path: join(OUT, 'recovery-page.png'), fullPage: true });
  });

  it('(c) the runbook form shows the core’s refusal beside the field it names, then saves in dry run', async () => {
    const page = stack.page;
    await page.goto(`${stack.consoleUrl}#/recovery`);
    await page.click(byTestId('runbook-new'));
    await page.fill(byTestId('runbook-field-id'), 'restart-app');
    await page.fill(byTestId('runbook-field-name'), 'Restart the app');
    await page.fill(byTestId('runbook-field-trigger.ruleIds'), 'no_such_rule');
    await page.click(byTestId('runbook-save'));
    await waitForText(page, 'runbook-error-trigger.ruleIds', /no rule no_such_rule/);
    // The steps editor names the step at fault, counted from 1.
    await page.fill(byTestId('runbook-field-trigger.ruleIds'), 'cpu_usage');
    await page.fill(
      byTestId('runbook-field-steps'),
      JSON.stringify([
        { kind: 'action', action: 'restart_service', params: { unit: 'app.service' } },
        { kind: 'verify', condition: { type: 'online' }, withinMs: 10 },
      ]),
    );
    await page.click(byTestId('runbook-save'));
    await waitForText(page, 'runbook-error-steps', /^step 2/);
    await page.fill(
      byTestId('runbook-field-steps'),
      JSON.stringify([
        { kind: 'action', action: 'restart_service', params: { unit: 'app.service' } },
        { kind: 'verify', condition: { type: 'online' }, withinMs: 60_000 },
      ]),
    );
    await page.click(byTestId('runbook-save'));
    await page.waitForSelector(`${byTestId('runbook-restart-app')}[data-mode="dry_run"]`);
    await waitForText(page, 'runbook-trigger-restart-app', 'cpu_usage critical');
    const saved = await stack.api<{ runbook: Runbook }>('/api/v1/runbooks/restart-app');
    expect(saved.body.runbook).toMatchObject({ mode: 'dry_run', updatedBy: OPERATOR });
  });
});
