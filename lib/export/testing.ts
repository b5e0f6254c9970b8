// Readers for the tests (unit and browser): an RFC 4180 CSV parser written apart from the
// writer (PostgreSQL's COPY), so a quoting mistake on either side shows up as a mismatch.
import type { Readable } from "node:stream";

/** Rows of fields; `null` for an unquoted empty field (how COPY writes NULL), "" for `""`. */
export function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let field: string | null;
    if (text[i] === '"') {
      let value = "";
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote === -1) throw new Error("unterminated quoted field");
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      field = value;
    } else {
      let end = i;
      while (end < text.length && text[end] !== "," && text[end] !== "\n" && text[end] !== "\r") end += 1;
      const raw = text.slice(i, end);
      if (raw.includes('"')) throw new Error(`a quote inside an unquoted field: ${raw}`);
      field = raw === "" ? null : raw;
      i = end;
    }
    row.push(field);
    if (text[i] === ",") i += 1;
    else {
      if (text[i] === "\r") i += 1;
      if (i < text.length && text[i] !== "\n") throw new Error(`expected a line end at ${i}`);
      i += 1;
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

/** CSV rows as objects keyed by the header. */
export function csvRecords(text: string): Record<string, string | null>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header.map((name, i) => [name ?? "", r[i]])));
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
