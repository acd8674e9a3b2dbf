// A real TCP proxy standing for the WAN between a relay and the central console, which a test
// can cut and heal. A cut is a partition, not a close: bytes in both directions are dropped
// and no FIN or RST crosses, so each end finds out only by its own timeouts (as over a real
// WAN), and connections opened during the cut are accepted and then hear nothing. Healing
// resets every connection that lived through the cut: their other end gave up on them meanwhile,
// and the first packet after a partition heals is answered with a reset.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket | null;
  sawCut: boolean;
}

export class WanProxy {
  private readonly server: Server;
  private readonly pairs = new Set<Pair>();
  private cut = false;
  /** Bytes carried towards the target (what a WAN link would bill). */
  bytesUp = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  async start(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  get isCut(): boolean {
    return this.cut;
  }

  cutLink(): void {
    this.cut = true;
    for (const p of this.pairs) p.sawCut = true;
  }

  heal(): void {
    this.cut = false;
    for (const p of [...this.pairs]) if (p.sawCut) this.drop(p, true);
  }

  async stop(): Promise<void> {
    for (const p of [...this.pairs]) this.drop(p, true);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const pair: Pair = { client, upstream: null, sawCut: this.cut };
    this.pairs.add(pair);
    client.on('error', () => {});
    client.on('close', () => {
      if (!this.cut) this.drop(pair, false);
    });
    if (this.cut) {
      client.on('data', () => {});
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    pair.upstream = upstream;
    upstream.on('error', () => {});
    upstream.on('close', () => {
      // Across a cut the client hears nothing of it.
      if (!pair.sawCut) this.drop(pair, false);
    });
    client.on('data', (d: Buffer) => {
      if (this.cut || pair.sawCut) return;
      this.bytesUp += d.length;
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (this.cut || pair.sawCut) return;
      client.write(d);
    });
  }

  private drop(pair: Pair, reset: boolean): void {
    if (!this.pairs.delete(pair)) return;
    if (reset) {
      pair.client.resetAndDestroy();
      pair.upstream?.resetAndDestroy();
    } else {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
  }
}
