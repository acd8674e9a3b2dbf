import { describe, expect, it } from 'vitest';
import { parseShellArgs, ShellArgError } from '../../electron/shell/args.js';

describe('parseShellArgs', () => {
  it('defaults: no agent, userData, preferred ports', () => {
    expect(parseShellArgs([])).toEqual({
      withAgent: false,
      agentRegion: null,
      dataDir: null,
      port: null,
      ingestPort: null,
      ingestHost: null,
      hidden: false,
      logFormat: null,
    });
  });

  it('reads our flags in both --flag=value and --flag value forms', () => {
    expect(
      parseShellArgs([
        'dist/electron/main.js',
        '--with-agent',
        '--agent-region',
        'eu-west-1',
        '--port=0',
        '--ingest-port',
        '4791',
        '--ingest-host=0.0.0.0',
        '--hidden',
        '--log-format=json',
      ]),
    ).toEqual({
      withAgent: true,
      agentRegion: 'eu-west-1',
      dataDir: null,
      port: 0,
      ingestPort: 4791,
      ingestHost: '0.0.0.0',
      hidden: true,
      logFormat: 'json',
    });
  });

  it("takes Chromium's --user-data-dir as the data dir; --data-dir wins", () => {
    expect(parseShellArgs(['--user-data-dir=/tmp/m']).dataDir).toBe('/tmp/m');
    expect(parseShellArgs(['--user-data-dir=/tmp/m', '--data-dir', '/tmp/d']).dataDir).toBe(
      '/tmp/d',
    );
  });

  it('ignores what Electron, Chromium and Playwright add', () => {
    const args = parseShellArgs([
      '--inspect=0',
      '--remote-debugging-port=0',
      '--no-sandbox',
      '/app/dist/electron/main.js',
      '--enable-features=Foo',
      '--with-agent',
    ]);
    expect(args.withAgent).toBe(true);
    expect(args.port).toBeNull();
  });

  it('names a bad value of our own flags', () => {
    expect(() => parseShellArgs(['--port=http'])).toThrow(ShellArgError);
    expect(() => parseShellArgs(['--port=70000'])).toThrow(/--port must be a port number/);
    expect(() => parseShellArgs(['--ingest-port'])).toThrow(/--ingest-port needs a value/);
    expect(() => parseShellArgs(['--data-dir', '--with-agent'])).toThrow(
      /--data-dir needs a value/,
    );
    expect(() => parseShellArgs(['--agent-region=Not A Region'])).toThrow(/--agent-region/);
    expect(() => parseShellArgs(['--log-format', 'xml'])).toThrow(
      "--log-format must be one of text, json (got 'xml')",
    );
  });
});
