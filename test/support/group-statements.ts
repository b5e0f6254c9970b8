// A pool that notes, for every group statement (video-store.ts's "store_videos") sent through it,
// how many rows it carried: tests tell from it whether rows were grouped.
import type pg from "pg";

export function countingGroupStatements(pool: pg.Pool): { pool: pg.Pool; groups: number[] } {
  const groups: number[] = [];
  const counted = new Proxy(pool, {
    get(target, key, receiver) {
      if (key !== "query") return Reflect.get(target, key, receiver);
      return (config: { name?: string; values?: unknown[][] }, ...rest: unknown[]) => {
        if (config?.name === "store_videos") groups.push(config.values![0].length);
        return (target.query as (...a: unknown[]) => unknown).call(target, config, ...rest);
      };
    },
  });
  return { pool: counted, groups };
}
