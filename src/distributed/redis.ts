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

/**
 * Parses a Redis URL with the WHATWG URL parser. Credentials may be percent-encoded (`p%40ss`);
 * an unencoded `@` in a password is taken as the parser takes it (the last `@` ends the
 * credentials). No message quotes the text of a URL that does not parse: it may hold a password.
 */
export function parseRedisUrl(text: string): RedisTarget {
  const usage = (message: string): never => {
    throw new InputError('command line', [{ path: '--queue', message }]);
  };
  const form = 'redis://[user:password@]host:port[/db] (rediss:// for TLS)';
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return usage(
      `not a URL such as ${form}; the text is not shown, as it may hold a password. ` +
        'Characters such as / @ : # ? % in a user name or password must be percent-encoded (%2F %40 %3A %23 %3F %25)',
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') usage(`the URL must begin with redis:// or rediss:// (${form})`);
  if (url.search || url.hash) usage(`the URL has a "?" or "#" part, which a Redis URL does not take (in a password, percent-encode them as %3F and %23)`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) usage(`the URL names no host (${form})`);
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : /^\d{1,5}$/.test(dbText) ? Number(dbText) : NaN;
  if (!Number.isInteger(db)) usage(`the path after the port must be a database number (/0, /1, …), not "${dbText.length > 20 ? `${dbText.slice(0, 19)}…` : dbText.includes('@') ? '…' : dbText}"`);
  const options: RedisOptions = { host, port, db };
  try {
    if (url.username) options.username = decodeURIComponent(url.username);
    if (url.password) options.password = decodeURIComponent(url.password);
  } catch {
    usage('the user name or password holds a "%" that is not a valid percent-encoding (write % itself as %25)');
  }
  if (url.protocol === 'rediss:') options.tls = {};
  const masked = `${url.protocol}//${url.hostname}:${port}${db ? `/${db}` : ''}`;
  return { masked, options };
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
  if (/has no database/.test(message)) return message;
  return message;
}

/**
 * Connects once, without retries, and checks the server answers (PING) with these
 * credentials; throws RedisUsageError otherwise. Returns the connected client (for plain
 * commands: the registry of sweeps, their definitions), which fails its commands rather than
 * queueing them forever while the server is away.
 */
export async function connectRedis(target: RedisTarget, timeoutMs = 5000): Promise<Redis> {
  const { db = 0 } = target.options;
  const client = new Redis({
    ...target.options,
    // Database 0 first, then SELECT: a database the server lacks is an answer, not a hang.
    db: 0,
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
        if (db !== 0) {
          try {
            await client.select(db);
          } catch (e) {
            const databases = await client.config('GET', 'databases').then((r) => (r as string[])[1]).catch(() => undefined);
            throw new Error(`the server has no database ${db}${databases ? ` (it has ${databases}: /0 to /${Number(databases) - 1})` : ''} (${(e as Error).message})`);
          }
        }
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
