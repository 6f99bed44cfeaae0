/**
 * A discrete-event loop on a virtual clock: no wall-clock timers, so a run is deterministic
 * and replayable. Events wait in a priority queue ordered by (simHour, EVENT_PRIORITY,
 * scheduling order); `run()` takes them one by one and emits each on `events$` and on the
 * stream of its type. Subscribers — the agents, or any observer of a user's — react
 * synchronously and may schedule further events, never in the past.
 *
 * RxJS does not pass an error thrown by a subscriber back to the emitter (it reports it later,
 * as unhandled). Handlers that belong to the simulation — the agents — subscribe with `on()`,
 * which stops the run and rethrows the error from `run()`.
 */
import { Subject, type Observable, type Subscription } from 'rxjs';
import TinyQueue from 'tinyqueue';
import { EVENT_PRIORITY, type EventOf, type EventType, type SimEvent } from './events.ts';

interface Queued {
  event: SimEvent;
  priority: number;
  seq: number;
}

const before = (a: Queued, b: Queued) =>
  a.event.simHour - b.event.simHour || a.priority - b.priority || a.seq - b.seq;

export class EventLoop {
  private readonly queue = new TinyQueue<Queued>([], before);
  private seq = 0;
  private clock = -Infinity;
  private readonly all = new Subject<SimEvent>();
  private readonly byType = new Map<EventType, Subject<SimEvent>>();
  private failure: { error: unknown } | undefined;

  /** Every event, in order. */
  readonly events$: Observable<SimEvent> = this.all.asObservable();
  readonly timestep$ = this.stream('timestep');
  readonly request$ = this.stream('request');
  readonly marketCleared$ = this.stream('marketCleared');
  readonly batteryUpdate$ = this.stream('batteryUpdate');
  readonly forecastUpdate$ = this.stream('forecastUpdate');

  /** The simulated hour of the event being handled. */
  get now(): number {
    return this.clock;
  }

  stream<T extends EventType>(type: T): Observable<EventOf<T>> {
    let subject = this.byType.get(type);
    if (!subject) {
      subject = new Subject<SimEvent>();
      this.byType.set(type, subject);
    }
    return subject.asObservable() as Observable<EventOf<T>>;
  }

  /** Subscribes a handler whose errors stop the run (`run()` rethrows the first). */
  on<T extends EventType>(type: T, handler: (event: EventOf<T>) => void): Subscription {
    return this.stream(type).subscribe((event) => {
      try {
        handler(event);
      } catch (error) {
        this.failure ??= { error };
      }
    });
  }

  schedule(event: SimEvent): void {
    if (!Number.isFinite(event.simHour)) throw new Error(`event loop: ${event.type} at a non-finite hour`);
    if (event.simHour < this.clock) {
      throw new Error(`event loop: ${event.type} scheduled at hour ${event.simHour}, before the current hour ${this.clock}`);
    }
    this.queue.push({ event, priority: EVENT_PRIORITY[event.type], seq: this.seq++ });
  }

  /** Runs until no event is left; completes every stream at the end. */
  run(): void {
    for (let next = this.queue.pop(); next; next = this.queue.pop()) {
      this.clock = next.event.simHour;
      this.all.next(next.event);
      this.byType.get(next.event.type)?.next(next.event);
      if (this.failure) throw this.failure.error;
    }
    this.all.complete();
    for (const subject of this.byType.values()) subject.complete();
  }
}
