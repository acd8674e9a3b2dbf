// A scrape target that fails — not listening, an HTTP error, text that is not the exposition
// format, an endless body, more series than allowed — is counted, said once per change of
// state, and never stops the agent or the other targets. Real HTTP servers on loopback.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_SCRAPE_BYTES, Scraper } from '../../agent/scrape/scraper.js';
import { parseScrapeTargets, type ScrapeTarget } from '../../agent/scrape/targets.js';
import { ManualClock } from '../../shared/clock.js';
import type { Sample } from '../../shared/protocol.js';
import { spawnAgent } from '../helpers/agent-process.js';
import { freePort } from '../helpers/node-exporter.js';
import { scrapeFixture } from '../helpers/scrape-fixtures.js';

/** A loopback endpoint whose answer the test sets. */
async function endpoint(): Promise<{ server: Server; url: string; answer: (a: Answer) => void }> {
  let current: Answer = { status: 200, body: 'up 1\n' };
  const server = createServer((req, res) => {
    const a = current;
    res.writeHead(a.status, { 'Content-Type': 'text/plain; version=0.0.4' });
    if (a.endless) {
      // More than the agent reads: it must stop reading and drop the connection.
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      const write = () => {
        while (res.write(chunk));
      };
      res.on('drain', write);
      res.on('error', () => {});
      req.socket.on('close', () => res.off('drain', write));
      write();
      return;
    }
    res.end(a.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/metrics`, answer: (a) => (current = a) };
}
interface Answer {
  status: number;
  body?: string;
  endless?: boolean;
}

describe('scrape errors', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('each failure is counted and said once per change of state; the other target goes on; recovery is said too', async () => {
    const bad = await endpoint();
    const good = await endpoint();
    servers.push(bad.server, good.server);
    good.answer({ status: 200, body: scrapeFixture('app-exposition.prom') });
    const closed = `http://127.0.0.1:${await freePort()}/metrics`;
    const targets = parseScrapeTargets([`${bad.url},${good.url}`, closed]) as ScrapeTarget[];
    const warnings: string[] = [];
    const said: string[] = [];
    const sent: Sample[][] = [];
    const clock = new ManualClock(1_700_000_000_000);
    const scraper = new Scraper({
      targets,
      intervalMs: 1_000,
      maxSeries: 10_000,
      clock,
      send: (s) => sent.push(s),
      warn: (l) => warnings.push(l),
      say: (l) => said.push(l),
    });
    // Each scrape a second after the last (the scraper's own timer is not started).
    const scrape = () => {
      clock.advance(1_000);
      return scraper.scrapeAll();
    };
    const stat = (url: string) => scraper.stats().find((s) => s.url === url)!;
    const lastUp = (instance: string) =>
      sent
        .flat()
        .filter((s) => s.name === 'scrape_up' && s.labels?.instance === instance)
        .at(-1)?.value;

    // An HTTP error, three times: counted three times, said once.
    bad.answer({ status: 500, body: 'oops' });
    for (let i = 0; i < 3; i++) await scrape();
    expect(stat(bad.url)).toMatchObject({ state: 'down', errors: { down: 3 } });
    expect(warnings.filter((w) => w.includes(bad.url))).toEqual([
      `scrape ${bad.url}: not answering: HTTP 500; the agent's own cpu, memory and disk readings stand in`,
    ]);
    expect(lastUp(targets[0]!.instance)).toBe(0);
    // Nothing listening: the same, with the reason.
    expect(stat(closed)).toMatchObject({ state: 'down', errors: { down: 3 } });
    expect(warnings.filter((w) => w.includes(closed))).toEqual([
      expect.stringMatching(/not answering: ECONNREFUSED/),
    ]);
    // Meanwhile the good one was scraped each time, its samples sent.
    expect(stat(good.url)).toMatchObject({ state: 'ok', scrapes: 3 });
    expect(said).toEqual([
      expect.stringMatching(
        new RegExp(`^scraping ${good.url}: \\d+ series \\(2 non finite left out\\)$`),
      ),
    ]);
    expect(sent.flat().filter((s) => s.name === 'http_requests_total:rate')).toHaveLength(4);

    // Text that is not the exposition format (a web page): a new state, said once, with the line.
    bad.answer({ status: 200, body: '<html>\n<body>Not found</body>\n</html>\n' });
    await scrape();
    await scrape();
    expect(stat(bad.url)).toMatchObject({ state: 'bad_text', errors: { down: 3, bad_text: 2 } });
    expect(warnings.filter((w) => w.includes(bad.url))[1]).toMatch(
      /bad exposition text: line 1: expected a metric name at '<html>'/,
    );

    // An endless body: refused at MAX_SCRAPE_BYTES, not read into memory.
    bad.answer({ status: 200, endless: true });
    await scrape();
    expect(stat(bad.url)).toMatchObject({ state: 'bad_text', errors: { bad_text: 3 } });

    // Good again: said on stdout; errors stay counted (scrape_errors_total{reason}).
    bad.answer({ status: 200, body: '# TYPE jobs_total counter\njobs_total 5\n' });
    await scrape();
    expect(stat(bad.url).state).toBe('ok');
    expect(said.at(-1)).toBe(`scraping ${bad.url}: 1 series`);
    expect(lastUp(targets[0]!.instance)).toBe(1);
    const errors = sent
      .at(-3)!
      .concat(sent.at(-2)!, sent.at(-1)!)
      .filter(
        (s) => s.name === 'scrape_errors_total' && s.labels?.instance === targets[0]!.instance,
      );
    expect(Object.fromEntries(errors.map((e) => [e.labels!.reason, e.value]))).toEqual({
      down: 3,
      bad_text: 3,
    });
    expect(MAX_SCRAPE_BYTES).toBe(16 * 1024 * 1024);
  });

  it('too many series: the first ones are sent, the rest counted, said once; the budget is split evenly between targets', async () => {
    const a = await endpoint();
    const b = await endpoint();
    servers.push(a.server, b.server);
    const lines = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${prefix}{i="${i}"} ${i}`).join('\n') + '\n';
    a.answer({ status: 200, body: lines('a_gauge', 30) });
    b.answer({ status: 200, body: lines('b_gauge', 3) });
    const warnings: string[] = [];
    const sent: Sample[][] = [];
    const scraper = new Scraper({
      targets: parseScrapeTargets([a.url, b.url]) as ScrapeTarget[],
      intervalMs: 1_000,
      maxSeries: 20,
      clock: new ManualClock(1_700_000_000_000),
      send: (s) => sent.push(s),
      warn: (l) => warnings.push(l),
      say: () => {},
    });
    await scraper.scrapeAll();
    await scraper.scrapeAll();
    // Two scrapes: 10 of a's 30 series each time (half the budget), all 3 of b's.
    expect(sent.flat().filter((s) => s.name === 'a_gauge').length / 2).toBe(10);
    expect(sent.flat().filter((s) => s.name === 'b_gauge').length / 2).toBe(3);
    expect(scraper.stats()[0]).toMatchObject({
      state: 'too_many_series',
      errors: { too_many_series: 2 },
    });
    expect(warnings).toEqual([
      `scrape ${a.url}: too many series: 30 series, over the limit of 10 (--scrape-max-series): the first 10 are sent`,
    ]);
  });

  it('an unexpected failure inside a scrape (here: handing the samples on) is counted, never thrown at the timer', async () => {
    const e = await endpoint();
    servers.push(e.server);
    const warnings: string[] = [];
    let failSend = true;
    const sent: Sample[][] = [];
    const scraper = new Scraper({
      targets: parseScrapeTargets([e.url]) as ScrapeTarget[],
      intervalMs: 1_000,
      clock: new ManualClock(1_700_000_000_000),
      send: (s) => {
        if (failSend) throw new Error('uplink gone');
        sent.push(s);
      },
      warn: (l) => warnings.push(l),
      say: () => {},
    });
    await expect(scraper.scrapeAll()).resolves.toBeUndefined();
    expect(scraper.stats()[0]).toMatchObject({ state: 'bad_text', errors: { bad_text: 1 } });
    expect(warnings).toEqual([
      `scrape ${e.url}: bad exposition text: could not be read: uplink gone; the agent's own cpu, memory and disk readings stand in`,
    ]);
    failSend = false;
    await scraper.scrapeAll();
    expect(scraper.stats()[0]!.state).toBe('ok');
    expect(sent.flat().map((s) => s.name)).toContain('up');
  });

  it('meridian agent refuses a --scrape that is not an http(s) URL: exit 2, naming it', async () => {
    for (const [arg, message] of [
      ['ftp://127.0.0.1/metrics', "--scrape 'ftp://127.0.0.1/metrics' is not http:// or https://"],
      ['http://127.0.0.1:9100/metrics,not a url', "--scrape 'not a url' is not a URL"],
    ]) {
      const p = spawnAgent(['--url', 'ws://127.0.0.1:1', '--token', 'x', '--scrape', arg!]);
      expect(await p.exited).toBe(2);
      expect(p.err()).toContain(message);
    }
    const p = spawnAgent([
      '--url',
      'ws://127.0.0.1:1',
      '--token',
      'x',
      '--scrape',
      'http://127.0.0.1:1/m',
      '--scrape-max-series',
      '0',
    ]);
    expect(await p.exited).toBe(2);
    expect(p.err()).toContain('--scrape-max-series must be an integer from 1 to 100000');
  });
});
