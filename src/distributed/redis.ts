/**
 * The Redis a distributed sweep runs on, named by a URL — `redis://[user:password@]host:port[/db]`
 * (`rediss://` for TLS). The password never appears in a message: every message names the
 * server by its masked URL (`redis://host:port`). A server that cannot be reached or refuses
 * the credentials is a usage error (exit 2) reported within a few seconds, not retried forever.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { InputError } from '../errors.ts';

export interface RedisTarget {
  /** `redis://host:port` (with `/db` when not 0): no user, no password. */
  masked: string;
  options: RedisOptions;
}

/** A usage error about the Redis server: `error: redis://host:port: reason`, exit 2. */
export class RedisUsageError extends InputError {
  constructor(target: string, reason: string) {
    super(target, [{ path: '', message: reason }]);
    this.name = 'RedisUsageError';
  }
}

export function parseRedisUrl(text: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError('command line', [{ path: '--queue', message: `"${mask(text)}" is not a URL such as redis://[user:password@]host:port` }]);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new InputError('command line', [{ path: '--queue', message: `"${mask(text)}": the URL must begin with redis:// or rediss://` }]);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = url.port ? Number(url.port) : 6379;
  const db = url.pathname && url.pathname !== '/' ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new InputError('command line', [{ path: '--queue', message: `"${mask(text)}": the database "${url.pathname.slice(1)}" is not a number` }]);
  const options: RedisOptions = { host, port, db };
  if (url.username) options.username = decodeURIComponent(url.username);
  if (url.password) options.password = decodeURIComponent(url.password);
  if (url.protocol === 'rediss:') options.tls = {};
  const masked = `${url.protocol}//${url.hostname}:${port}${db ? `/${db}` : ''}`;
  return { masked, options };
}

/** The URL without its user and password (for messages), even when it does not parse. */
export function mask(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//');
}

/** Why a connection failed, in words (no password). */
export function describeRedisError(e: unknown): string {
  const err = e as { message?: string; code?: string };
  const message = String(err.message ?? e);
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) return 'authentication failed: the server refused the user name or password';
  if (/NOAUTH/i.test(message)) return 'authentication required: the server has a password and the URL gives none (redis://:password@host:port)';
  if (/NOPERM/i.test(message)) return `the user lacks a permission the queue needs (${message})`;
  if (err.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) return 'connection refused: is redis-server running on that host and port?';
  if (err.code === 'ENOTFOUND' || /ENOTFOUND|EAI_AGAIN/.test(message)) return 'unknown host';
  if (/ETIMEDOUT|timed out|timeout/i.test(message)) return 'no answer from the server (connection timed out)';
  if (/Connection is closed|ECONNRESET|EPIPE/i.test(message)) return 'the connection was closed';
  if (/max retries per request/i.test(message)) return 'the server does not answer (connection lost)';
  return message;
}

/**
 * Connects once, without retries, and checks the server answers (PING) with these
 * credentials; throws RedisUsageError otherwise. Returns the connected client (for plain
 * commands: the registry of sweeps, their definitions), which fails its commands rather than
 * queueing them forever while the server is away.
 */
export async function connectRedis(target: RedisTarget, timeoutMs = 5000): Promise<Redis> {
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    // Not while connecting (the first failure is the answer); once connected, a lost
    // connection is retried (the caller decides when to give up).
    retryStrategy: () => null,
  });
  let firstError: unknown;
  client.on('error', (e) => (firstError ??= e)); // later ones are reported through the commands that fail
  try {
    await withTimeout(
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      timeoutMs + 1000,
      'no answer from the server (connection timed out)',
    );
    client.options.retryStrategy = (times) => Math.min(200 * times, 2000);
    return client;
  } catch (e) {
    client.disconnect();
    throw new RedisUsageError(target.masked, describeRedisError(firstError ?? e));
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
