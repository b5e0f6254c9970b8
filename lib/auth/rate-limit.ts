// A sliding-window count of failures per key, in process memory: enough for one dashboard
// process, and forgotten on restart (which an attacker cannot cause from outside).

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class FailureWindow {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Whether `key` may try again at `now`, and if not, in how many seconds it may. */
  check(key: string, now: number): Verdict {
    const recent = this.recent(key, now);
    if (recent.length < this.limit) return { allowed: true };
    const oldest = recent[recent.length - this.limit];
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000)) };
  }

  recordFailure(key: string, now: number): void {
    if (!this.failures.has(key) && this.failures.size >= this.maxKeys) this.prune(now);
    const recent = this.recent(key, now);
    recent.push(now);
    this.failures.set(key, recent);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
  }

  private prune(now: number): void {
    for (const [key, times] of this.failures) {
      if (times.every((t) => t <= now - this.windowMs)) this.failures.delete(key);
    }
    // Still full: a flood of distinct addresses. Drop the oldest keys rather than grow without end;
    // the global window in login.ts still bounds what such a flood can try.
    for (const key of this.failures.keys()) {
      if (this.failures.size < this.maxKeys) break;
      this.failures.delete(key);
    }
  }
}
