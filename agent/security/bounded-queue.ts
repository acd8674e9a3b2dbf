// A FIFO with a fixed capacity that drops (and counts) what does not fit, so a log flood
// while the uplink is slow costs a counter, not the agent's memory.

export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  /** Items refused because the queue was full. */
  dropped = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** False (and counted) when full. */
  push(item: T): boolean {
    if (this.size >= this.capacity) {
      this.dropped++;
      return false;
    }
    this.items.push(item);
    return true;
  }

  /** Up to `max` items, oldest first. */
  take(max: number): T[] {
    const out = this.items.slice(this.head, this.head + Math.max(0, max));
    this.head += out.length;
    // Compact once the consumed prefix is at least half the array.
    if (this.head > 0 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}
