/**
 * A redis-server of a test's own: started on a free loopback port with a temporary folder, no
 * persistence (optionally a password), stopped (SIGKILL on request) and restarted on the same
 * port. Without `redis-server` on the PATH the distributed tests are skipped — unless
 * P2PMARKET_REDIS_TESTS=required (CI), where that is a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_REQUIRED = process.env.P2PMARKET_REDIS_TESTS === 'required';
export const REDIS_AVAILABLE = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'p2pmarket-redis-'));

  private constructor(
    readonly port: number,
    readonly password: string | undefined,
  ) {}

  /** `redis://[:password@]127.0.0.1:port` */
  get url(): string {
    return `redis://${this.password ? `:${this.password}@` : ''}127.0.0.1:${this.port}`;
  }

  static async start(options: { password?: string } = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options.password);
    await server.restart();
    return server;
  }

  /** Starts (again, on the same port, with no data) and waits until it accepts connections. */
  async restart(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    if (this.password) args.push('--requirepass', this.password);
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      child.stdout!.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}): ${out}`));
      });
    });
    child.removeAllListeners('exit');
    child.stdout!.resume();
  }

  /** Stops the server (SIGKILL: gone at once, as a crashed host) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.on('exit', () => resolve());
      child.kill(signal);
    });
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
