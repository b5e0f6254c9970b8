import { expect, it } from "vitest";
import { ExportSlots } from "./slots";

it("hands out at most `size` slots, and each release frees exactly one", () => {
  const slots = new ExportSlots(2);
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
