/**
 * The negotiation's discrete-event loop: the simulation engine's design (engine/loop.ts) on a
 * clock of milliseconds, for messages between agents. Events wait in a priority queue ordered
 * by (atMs, scheduling order); `run()` takes them one by one and emits each on `events$` and on
 * the stream of its type. Agents subscribe with `on()`, whose errors stop the run and are
 * rethrown by `run()`. No wall-clock timer: the same events scheduled in the same order give the
 * same run, byte for byte.
 */
import { Subject, type Observable, type Subscription } from 'rxjs';
import TinyQueue from 'tinyqueue';

export interface TimedEvent {
  type: string;
  atMs: number;
}

interface Queued<E> {
  event: E;
  seq: number;
}

export class MessageLoop<E extends TimedEvent> {
  private readonly queue = new TinyQueue<Queued<E>>([], (a, b) => a.event.atMs - b.event.atMs || a.seq - b.seq);
  private seq = 0;
  private clock = 0;
  private stopped = false;
  private readonly all = new Subject<E>();
  private readonly byType = new Map<string, Subject<E>>();
  private failure: { error: unknown } | undefined;

  /** Every event, in order. */
  readonly events$: Observable<E> = this.all.asObservable();

  /** The virtual time of the event being handled, ms. */
  get nowMs(): number {
    return this.clock;
  }

  stream<T extends E['type']>(type: T): Observable<Extract<E, { type: T }>> {
    let subject = this.byType.get(type);
    if (!subject) {
      subject = new Subject<E>();
      this.byType.set(type, subject);
    }
    return subject.asObservable() as Observable<Extract<E, { type: T }>>;
  }

  /** Subscribes a handler whose errors stop the run (`run()` rethrows the first). */
  on<T extends E['type']>(type: T, handler: (event: Extract<E, { type: T }>) => void): Subscription {
    return this.stream(type).subscribe((event) => {
      try {
        handler(event);
      } catch (error) {
        this.failure ??= { error };
      }
    });
  }

  schedule(event: E): void {
    if (!Number.isFinite(event.atMs)) throw new Error(`message loop: ${event.type} at a non-finite time`);
    if (event.atMs < this.clock) throw new Error(`message loop: ${event.type} scheduled at ${event.atMs} ms, before the current ${this.clock} ms`);
    this.queue.push({ event, seq: this.seq++ });
  }

  /** Ends the run after the event being handled. */
  stop(): void {
    this.stopped = true;
  }

  /** Runs until no event is left or `stop()`; completes every stream at the end. */
  run(): void {
    for (let next = this.queue.pop(); next && !this.stopped; next = this.queue.pop()) {
      this.clock = next.event.atMs;
      this.all.next(next.event);
      this.byType.get(next.event.type)?.next(next.event);
      if (this.failure) throw this.failure.error;
    }
    this.all.complete();
    for (const subject of this.byType.values()) subject.complete();
  }
}
