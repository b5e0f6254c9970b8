import { expect, it } from "vitest";
import { Slots } from "./slots";

it("hands out at most `size` slots, and each release frees exactly one", () => {
  const slots = new Slots(2);
  const a = slots.tryAcquire();
  const b = slots.tryAcquire();
  expect(a && b).toBeTruthy();
  expect(slots.tryAcquire()).toBeNull();
  a!();
  a!();
  expect(slots.busy).toBe(1);
  expect(slots.tryAcquire()).not.toBeNull();
  expect(slots.tryAcquire()).toBeNull();
});

it("runs at most `size` tasks at once, the waiting ones in arrival order, and no newcomer jumps the queue", async () => {
  const slots = new Slots(2);
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const gates = Array.from({ length: 6 }, () => {
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  });
  const tasks = gates.map((gate, i) =>
    slots.run(async () => {
      started.push(i);
      most = Math.max(most, ++running);
      await gate.promise;
      running--;
      if (i === 0) expect(slots.tryAcquire()).toBeNull();
    }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  expect(started).toEqual([0, 1]);
  expect(slots.queued).toBe(4);
  for (const gate of gates) {
    gate.resolve();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(tasks);
  expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  expect(most).toBe(2);
  expect(slots.busy).toBe(0);
});

it("a failing task frees its slot", async () => {
  const slots = new Slots(1);
  await expect(slots.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  expect(slots.busy).toBe(0);
  expect(await slots.run(async () => 7)).toBe(7);
});
