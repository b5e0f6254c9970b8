import { Readable } from "node:stream";
import fc from "fast-check";
import { expect, it } from "vitest";
import { JsonArrayFraming } from "./stream";
import { readAll } from "../../test/support/export-readers";

it("turns JSON lines into one JSON array however the bytes are split into chunks", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.jsonValue(), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), async (values, cuts) => {
      const bytes = Buffer.from(values.map((v) => `${JSON.stringify(v)}\n`).join(""));
      const points = [...new Set(cuts.map((c) => (bytes.length ? c % bytes.length : 0)))].sort((a, b) => a - b);
      const chunks = [0, ...points, bytes.length].slice(1).map((end, i, ends) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end));
      const framed = await readAll(Readable.from(chunks, { objectMode: false }).pipe(new JsonArrayFraming()));
      expect(JSON.parse(framed.toString())).toEqual(JSON.parse(JSON.stringify(values)));
    }),
  );
});
