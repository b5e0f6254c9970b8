// One concurrency limiter for the whole app: at most `size` holders at once. Exports take a
// slot or are refused at once (each holds a pooled connection for its whole length; the pool
// also serves the callback and the pages); media fetches wait their turn, first come, first
// served (a page of 50 cards asks for 50 previews at once: the CDN gets a few at a time).

export class Slots {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  /** A release function, or null when every slot is taken. Releasing twice frees one slot. */
  tryAcquire(): (() => void) | null {
    if (this.inUse >= this.size) return null;
    this.inUse += 1;
    return this.releaser();
  }

  /** Waits for a slot; resolves to its release function. */
  async acquire(): Promise<() => void> {
    const release = this.tryAcquire();
    if (release) return release;
    // A releaser hands its slot straight to the first waiter, so a newcomer cannot jump the queue.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.releaser();
  }

  /** Runs `task` in a slot, waiting for one first. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }

  get busy(): number {
    return this.inUse;
  }

  get queued(): number {
    return this.waiting.length;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.inUse -= 1;
    };
  }
}
