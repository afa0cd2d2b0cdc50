import type { Listener, Unsubscribe } from "../../src/index.js";

/** Generous: an event that is coming arrives in milliseconds, even on a loaded 2-core box. */
export const defaultTimeoutMs = 15_000;

/** Settles like `promise`, or rejects when it has not settled within the default timeout. */
export async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not settled within ${defaultTimeoutMs} ms`)), defaultTimeoutMs)));
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Records every payload of one event and lets a test await them in order, with a timeout (never a sleep):
 * `next()` returns the next payload after the last one returned, skipping those that do not match.
 */
export class EventStream<T> {
  readonly items: T[] = [];
  private cursor = 0;
  private waiter: (() => void) | null = null;

  constructor(readonly name: string) {}

  push(item: T): void {
    this.items.push(item);
    this.waiter?.();
  }

  async next(predicate: (item: T) => boolean = () => true, timeoutMs = defaultTimeoutMs): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.items.length) {
        const item = this.items[this.cursor++]!;
        if (predicate(item)) {
          return item;
        }
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`Timed out after ${timeoutMs} ms waiting for '${this.name}' (saw ${this.items.length}: ${describe(this.items)})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        };
      });
    }
  }

  /** The next `count` payloads that match. */
  async take(count: number, predicate?: (item: T) => boolean, timeoutMs?: number): Promise<T[]> {
    const taken: T[] = [];
    while (taken.length < count) {
      taken.push(await this.next(predicate, timeoutMs));
    }
    return taken;
  }
}

interface Subscribable<Events> {
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Unsubscribe;
}

/** One {@link EventStream} per event name of a client, created on first use and recording from construction. */
export function record<Events>(client: Subscribable<Events>, names: (keyof Events)[]): { [K in keyof Events]: EventStream<Events[K]> } {
  const streams = {} as { [K in keyof Events]: EventStream<Events[K]> };
  for (const name of names) {
    const stream = new EventStream<Events[typeof name]>(String(name));
    client.on(name, (payload) => stream.push(payload));
    streams[name] = stream;
  }
  return streams;
}

function describe(items: unknown[]): string {
  const text = JSON.stringify(items.slice(-5));
  return text.length > 500 ? text.slice(0, 500) + "…" : text;
}
