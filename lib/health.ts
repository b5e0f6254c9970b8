import type { Pool } from "pg";

export type Health = { status: "ok" | "down"; database: "ok" | string };

/** Whether the database answers within two seconds. */
export async function checkHealth(db: Pool): Promise<Health> {
  try {
    await Promise.race([
      db.query("SELECT 1"),
      new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 2 s")), 2000).unref()),
    ]);
    return { status: "ok", database: "ok" };
  } catch (err) {
    return { status: "down", database: `unreachable: ${(err as Error).message.split("\n")[0]}` };
  }
}
