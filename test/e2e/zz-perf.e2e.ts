import { it } from 'vitest';
import { startStack } from './stack.js';
import { byTestId, openConsole, waitForText } from './ui.js';

const N = Number(process.env.PERF_AGENTS ?? 5000);
it('perf', async () => {
  const stack = await startStack({ agents: N, seed: 2 });
  try {
    const page = await openConsole(stack, '#/agents', 60_000);
    await waitForText(page, 'agent-count', `${N.toLocaleString('en')} agents`, 30_000);
    const measure = `new Promise((resolve) => {
      const deltas = []; let last = performance.now(); const end = last + 5000;
      const scroller = document.querySelector('[data-testid="agent-table-body"]');
      const f = (t) => { deltas.push(t - last); last = t; if (scroller) scroller.scrollTop += 37; if (t < end) requestAnimationFrame(f); else {
        deltas.sort((a, b) => a - b);
        resolve({ frames: deltas.length, p50: deltas[Math.floor(deltas.length * 0.5)], p95: deltas[Math.floor(deltas.length * 0.95)], p99: deltas[Math.floor(deltas.length * 0.99)], max: deltas[deltas.length - 1], long: deltas.filter((d) => d > 50).length });
      } };
      requestAnimationFrame(f);
    })`;
    const cdp = await stack.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const busy = async (label: string) => {
      const get = async () =>
        Object.fromEntries(
          (await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]),
        );
      const a = await get();
      await page.waitForTimeout(5000);
      const b = await get();
      console.log(
        label,
        'busy over 5 s: task',
        (b.TaskDuration - a.TaskDuration).toFixed(2),
        'script',
        (b.ScriptDuration - a.ScriptDuration).toFixed(2),
        'layout',
        (b.LayoutDuration - a.LayoutDuration).toFixed(2),
        'style',
        (b.RecalcStyleDuration - a.RecalcStyleDuration).toFixed(2),
      );
    };
    await busy('agents view');
    await stack.browser.startTracing(page, {
      path: '/tmp/trace.json',
      categories: ['devtools.timeline', 'v8', 'disabled-by-default-devtools.timeline'],
    });
    await page.waitForTimeout(3000);
    await stack.browser.stopTracing();
    await page.click(byTestId('nav-overview'));
    await busy('overview');
    await page.click(byTestId('nav-alerts'));
    await busy('alerts');
    await page.click(byTestId('nav-agents'));
    console.log('agents view', JSON.stringify(await page.evaluate(measure)));
    await page.click(byTestId('sort-cpu'));
    console.log('agents view sorted by cpu', JSON.stringify(await page.evaluate(measure)));
    await page.click(byTestId('nav-overview'));
    console.log('overview', JSON.stringify(await page.evaluate(measure)));
    await page.click(byTestId('nav-alerts'));
    console.log('alerts', JSON.stringify(await page.evaluate(measure)));
  } finally {
    await stack.stop();
  }
}, 120_000);
