// Undo steps a test registers as it goes (servers, receivers, temporary directories), run after
// each test, last registered first.
import { afterEach } from "vitest";

export function useCleanup(): (() => Promise<void>)[] {
  const steps: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) await step();
  });
  return steps;
}
