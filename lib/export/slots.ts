// A bound on exports streaming at once from this server: each holds a pooled connection for its
// whole length, and the pool (10) also serves the callback and the pages. Over the bound, an
// export is refused at once (429) rather than left waiting for a connection.

export class ExportSlots {
  private inUse = 0;

  constructor(readonly size: number) {}

  /** A release function, or null when every slot is taken. */
  tryAcquire(): (() => void) | null {
    if (this.inUse >= this.size) return null;
    this.inUse += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse -= 1;
    };
  }

  get busy(): number {
    return this.inUse;
  }
}
