/**
 * A min-heap of items by time, first in first out among equal times: the order in which calls
 * that end at one instant are taken is their arrival order. Each item carries a small integer
 * tag beside it, so that an item and a fact about it need no object to hold them together.
 */
export class SettleQueue<T> {
  private readonly times: number[] = [];
  private readonly orders: number[] = [];
  private readonly items: T[] = [];
  private readonly tags: number[] = [];
  private pushed = 0;

  get size(): number {
    return this.items.length;
  }

  /** The earliest time, or +Infinity when empty. */
  peekAt(): number {
    return this.items.length === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  /** The tag of the earliest item; the queue must not be empty. */
  peekTag(): number {
    return this.tags[0]!;
  }

  push(at: number, item: T, tag = 0): void {
    let index = this.items.length;
    const order = this.pushed++;
    this.times.push(at);
    this.orders.push(order);
    this.items.push(item);
    this.tags.push(tag);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  /** Take the earliest item; the queue must not be empty. */
  pop(): T {
    const top = this.items[0]!;
    const last = this.items.length - 1;
    this.swap(0, last);
    this.times.pop();
    this.orders.pop();
    this.items.pop();
    this.tags.pop();
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < last && this.before(left, smallest)) smallest = left;
      if (right < last && this.before(right, smallest)) smallest = right;
      if (smallest === index) return top;
      this.swap(index, smallest);
      index = smallest;
    }
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta < tb || (ta === tb && this.orders[a]! < this.orders[b]!);
  }

  private swap(a: number, b: number): void {
    const time = this.times[a]!;
    this.times[a] = this.times[b]!;
    this.times[b] = time;
    const order = this.orders[a]!;
    this.orders[a] = this.orders[b]!;
    this.orders[b] = order;
    const item = this.items[a]!;
    this.items[a] = this.items[b]!;
    this.items[b] = item;
    const tag = this.tags[a]!;
    this.tags[a] = this.tags[b]!;
    this.tags[b] = tag;
  }
}
