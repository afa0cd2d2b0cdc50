/** A listener gets the event's payload; exceptions it throws are reported, never passed to the emitter. */
export type Listener<T> = (payload: T) => void;

/** Call it to stop listening. */
export type Unsubscribe = () => void;

/**
 * A small typed event emitter: `Events` maps each event name to its payload type, so listeners are checked
 * by the compiler. Works the same in Node and browsers (no dependency on either's emitter).
 */
export class TypedEvents<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (event: string, error: unknown) => void = defaultListenerError) {}

  /** Listens to `event` until the returned function is called. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  /** Listens to the next `event` only. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Unsubscribe {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  /** Calls every listener of `event`; one listener's exception does not stop the others. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) {
      return;
    }
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        this.onListenerError(String(event), error);
      }
    }
  }
}

function defaultListenerError(event: string, error: unknown): void {
  console.error(`A '${event}' listener threw:`, error);
}
