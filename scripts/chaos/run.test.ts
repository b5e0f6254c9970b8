// The chaos run's own honesty: each fault kind it names happens at least once (or the run says it
// did not), and a connection refused while the app restarts is told apart from an unknown fate.
import { createServer } from "node:net";
import http from "node:http";
import { describe, expect, it } from "vitest";
import { FAULTS, missingFaults, nextFault, unanswered, type Fault } from "./run";

const none = (): Record<Fault, number> => ({ kill: 0, "database-restart": 0, "disk-full": 0 });

describe("the chaos run's faults", () => {
  it("schedules every allowed fault before repeating any, even when the dice favour one", () => {
    const counts = none();
    const alwaysKill = () => 0;
    for (let i = 0; i < FAULTS.length; i++) counts[nextFault(counts, FAULTS, alwaysKill)]++;
    expect(counts).toEqual({ kill: 1, "database-restart": 1, "disk-full": 1 });
    const withoutDisk = none();
    for (let i = 0; i < 20; i++) withoutDisk[nextFault(withoutDisk, ["kill", "database-restart"], () => 0.99)]++;
    expect(withoutDisk["disk-full"]).toBe(0);
    expect(withoutDisk.kill).toBeGreaterThan(0);
  });

  it("names each fault kind that did not happen as a violation, unless skipped", () => {
    expect(missingFaults({ kill: 2, "database-restart": 1, "disk-full": 0 }, [])).toEqual([expect.stringMatching(/^fault disk-full never happened/)]);
    expect(missingFaults({ kill: 2, "database-restart": 1, "disk-full": 0 }, ["disk-full"])).toEqual([]);
    expect(missingFaults(none(), [])).toHaveLength(3);
  });

  it("counts a refused connection apart from a request whose fate is unknown", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await new Promise<NodeJS.ErrnoException>((resolve) => http.request(`http://127.0.0.1:${port}/`, { method: "POST" }).on("error", resolve).end("{}"));
    expect(unanswered(refused)).toBe("refused");
    // A server that reads the request and drops the connection: it may have stored it.
    const dropper = createServer((socket) => socket.once("data", () => socket.destroy()));
    await new Promise<void>((resolve) => dropper.listen(0, "127.0.0.1", resolve));
    try {
      const reset = await new Promise<NodeJS.ErrnoException>((resolve) =>
        http.request(`http://127.0.0.1:${(dropper.address() as { port: number }).port}/`, { method: "POST" }).on("error", resolve).end("{}"),
      );
      expect(unanswered(reset)).toBe("no answer");
    } finally {
      dropper.close();
    }
  });
});
