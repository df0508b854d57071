import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy that injects faults between an agent and its coordinator: `partition()` holds
 * every byte in both directions until `heal()` (the peer sees silence, then a late burst),
 * and `flipNextBlob()` corrupts one byte of the next blob body the coordinator sends.
 * Listens on loopback only; bounded buffers (held data is capped).
 */
export class FaultProxy {
  private server?: Server;
  private partitioned = false;
  private flip = false;
  private readonly held: { to: Socket; data: Buffer }[] = [];
  private readonly sockets = new Set<Socket>();
  flipped = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(host: string): Promise<string> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      this.sockets.add(client).add(upstream);
      client.on('data', (d) => this.pass(upstream, d, false));
      upstream.on('data', (d) => this.pass(client, d, true));
      const end = () => { client.destroy(); upstream.destroy(); };
      client.on('close', end); upstream.on('close', end);
      client.on('error', end); upstream.on('error', end);
    });
    await new Promise<void>((r) => this.server!.listen(0, host, () => r()));
    const a = this.server.address() as { port: number };
    return `http://${host}:${a.port}`;
  }

  partition(): void { this.partitioned = true; }

  heal(): void {
    this.partitioned = false;
    for (const h of this.held.splice(0)) if (!h.to.destroyed) h.to.write(h.data);
  }

  flipNextBlob(): void { this.flip = true; }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private pass(to: Socket, data: Buffer, fromUpstream: boolean): void {
    if (fromUpstream && this.flip) {
      const i = data.indexOf('application/octet-stream');
      const body = i >= 0 ? data.indexOf('\r\n\r\n', i) : -1;
      if (body >= 0 && body + 4 < data.length) {
        data = Buffer.from(data);
        data[data.length - 1] ^= 0xff;
        this.flip = false;
        this.flipped++;
      }
    }
    if (this.partitioned) {
      if (this.held.reduce((n, h) => n + h.data.length, 0) < 64 * 1024 * 1024) this.held.push({ to, data });
      return;
    }
    to.write(data);
  }
}
