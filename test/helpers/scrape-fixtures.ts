// The exposition texts in test/fixtures/scrape: node_exporter 1.5.0's output (Debian's
// prometheus-node-exporter, two scrapes 3 s apart) and the format documentation's example.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../electron/core/version.js';

export const scrapeFixture = (name: string): string =>
  readFileSync(join(packageRoot(), 'test', 'fixtures', 'scrape', name), 'utf8');
