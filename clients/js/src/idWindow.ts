/**
 * Remembers the ids of recently delivered messages so a message that arrives twice (live and in re-join
 * history, or replayed after a reconnect) is delivered once. Memory stays bounded: past `capacity` ids the
 * oldest are forgotten, and every id at or below the highest forgotten one counts as seen.
 */
export class IdWindow {
  private readonly ids = new Set<number>();
  private readonly order: number[] = [];
  private floor = -Infinity;

  constructor(private readonly capacity = 1000) {}

  has(id: number): boolean {
    return id <= this.floor || this.ids.has(id);
  }

  /** Adds `id`; returns `false` when it was already seen. */
  add(id: number): boolean {
    if (this.has(id)) {
      return false;
    }
    this.ids.add(id);
    this.order.push(id);
    if (this.order.length > this.capacity) {
      const forgotten = this.order.shift()!;
      this.ids.delete(forgotten);
      this.floor = Math.max(this.floor, forgotten);
    }
    return true;
  }
}
