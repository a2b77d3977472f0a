const INITIAL_CAPACITY = 64;

/**
 * A min-heap of items by time, first in first out among equal times: the order in which calls
 * that end at one instant are taken is their arrival order. Each item carries a small integer
 * tag beside it, so that an item and a fact about it need no object to hold them together.
 *
 * The keys live in typed arrays (a time and a push order per slot) and entries move into a hole
 * rather than being swapped: the heap is the what-if engine's busiest structure, taking every
 * admitted call once in and once out.
 */
export class SettleQueue<T> {
  private times = new Float64Array(INITIAL_CAPACITY);
  private orders = new Float64Array(INITIAL_CAPACITY);
  private tags = new Int32Array(INITIAL_CAPACITY);
  private items: (T | undefined)[] = [];
  private count = 0;
  private pushed = 0;

  get size(): number {
    return this.count;
  }

  /** The earliest time, or +Infinity when empty. */
  peekAt(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  /** The tag of the earliest item; the queue must not be empty. */
  peekTag(): number {
    return this.tags[0]!;
  }

  push(at: number, item: T, tag = 0): void {
    if (this.count === this.times.length) this.grow();
    const { times, orders, tags, items } = this;
    const order = this.pushed++;
    // Sift the hole up from the end until its parent comes first.
    let index = this.count++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentAt = times[parent]!;
      if (parentAt < at || (parentAt === at && orders[parent]! < order)) break;
      times[index] = parentAt;
      orders[index] = orders[parent]!;
      tags[index] = tags[parent]!;
      items[index] = items[parent];
      index = parent;
    }
    times[index] = at;
    orders[index] = order;
    tags[index] = tag;
    items[index] = item;
  }

  /** Take the earliest item; the queue must not be empty. */
  pop(): T {
    const { times, orders, tags, items } = this;
    const top = items[0] as T;
    const last = --this.count;
    const at = times[last]!;
    const order = orders[last]!;
    const tag = tags[last]!;
    const item = items[last];
    items[last] = undefined;
    // Sift the hole at the root down until the last entry fits in it.
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= last) break;
      const right = child + 1;
      if (right < last && (times[right]! < times[child]! || (times[right] === times[child] && orders[right]! < orders[child]!))) child = right;
      const childAt = times[child]!;
      if (at < childAt || (at === childAt && order < orders[child]!)) break;
      times[index] = childAt;
      orders[index] = orders[child]!;
      tags[index] = tags[child]!;
      items[index] = items[child];
      index = child;
    }
    if (last > 0) {
      times[index] = at;
      orders[index] = order;
      tags[index] = tag;
      items[index] = item;
    }
    return top;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const orders = new Float64Array(capacity);
    const tags = new Int32Array(capacity);
    times.set(this.times);
    orders.set(this.orders);
    tags.set(this.tags);
    this.times = times;
    this.orders = orders;
    this.tags = tags;
  }
}
