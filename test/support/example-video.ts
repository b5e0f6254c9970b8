// Test helper: the provider's example with its own identity, posted through the real receiver.
import { readFileSync } from "node:fs";
import type { Db } from "../../lib/db/client";
import { receiveDelivery } from "../../lib/ingest/store";

const example = JSON.parse(readFileSync(new URL("../fixtures/provider-example-20004.json", import.meta.url), "utf8"));
let counter = 0;

export function exampleVideo(data: Record<string, unknown> = {}) {
  const tag = `${process.pid}-${counter++}`;
  return { ...example, data: { ...example.data, serverId: `srv-${tag}`, localId: `loc-${tag}`, ...data } };
}

export async function postVideo(db: Db, data: Record<string, unknown> = {}) {
  return receiveDelivery(db, Buffer.from(JSON.stringify(exampleVideo(data))));
}
