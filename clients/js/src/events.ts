/**
 * A listener gets the event's payload; exceptions it throws (or a rejection of the promise an async listener
 * returns) are reported, never passed to the emitter.
 */
export type Listener<T> = (payload: T) => void;

/** Call it to stop listening. */
export type Unsubscribe = () => void;

/**
 * A small typed event emitter: `Events` maps each event name to its payload type, so listeners are checked
 * by the compiler. Works the same in Node and browsers (no dependency on either's emitter).
 */
export class TypedEvents<Events extends object> {
  /** One entry per subscription: the same function subscribed twice is called twice and unsubscribed separately. */
  private readonly listeners = new Map<keyof Events, Set<{ listener: Listener<never> }>>();

  constructor(private readonly onListenerError: (event: string, error: unknown) => void = defaultListenerError) {}

  /** Listens to `event` until the returned function is called. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const subscription = { listener: listener as Listener<never> };
    set.add(subscription);
    return () => {
      set.delete(subscription);
    };
  }

  /** Listens to the next `event` only. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Unsubscribe {
    const off = this.on(event, (payload) => {
      off();
      return listener(payload);
    });
    return off;
  }

  /** Ends one subscription of `listener` to `event` (the oldest, when it was subscribed more than once). */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const set = this.listeners.get(event);
    for (const subscription of set ?? []) {
      if (subscription.listener === listener) {
        set!.delete(subscription);
        return;
      }
    }
  }

  /** Calls every listener of `event`; one listener's exception does not stop the others. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) {
      return;
    }
    for (const subscription of [...set]) {
      try {
        const result: unknown = (subscription.listener as Listener<Events[K]>)(payload);
        if (result instanceof Promise) {
          result.catch((error: unknown) => this.onListenerError(String(event), error));
        }
      } catch (error) {
        this.onListenerError(String(event), error);
      }
    }
  }
}

function defaultListenerError(event: string, error: unknown): void {
  console.error(`A '${event}' listener threw:`, error);
}
