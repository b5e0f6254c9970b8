// The demo's pieces: the simulated provider's callbacks are valid, varied 20004s, and the
// stand-in CDN serves their media encrypted (or plain) exactly as the payload describes.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { classify } from "../../lib/ingest/classify";
import { conversationKind } from "../../lib/videos/item";
import { decryptMedia, parseAesKey } from "../../lib/media/decrypt";
import { sniff } from "../../lib/media/sniff";
import { startStandInCdn, type StandInCdn } from "./cdn";
import { demoCallback, loadClips } from "./provider";

let cdn: StandInCdn;
beforeAll(async () => {
  cdn = await startStandInCdn();
});
afterAll(() => cdn.stop());

const clips = loadClips();
const callbacks = () => Array.from({ length: 22 }, (_, n) => demoCallback(cdn, clips, n));

describe("the simulated provider", () => {
  test("posts valid 20004 callbacks: several senders, group and private conversations, both directions", () => {
    const sent = callbacks();
    for (const envelope of sent) expect(classify(Buffer.from(JSON.stringify(envelope))).kind).toBe("video");
    const senders = new Set(sent.filter((e) => e.data.messageSource === 0).map((e) => e.data.fromNickName));
    expect(senders.size).toBeGreaterThanOrEqual(4);
    expect([...senders].some((nick) => /[\u4e00-\u9fff]/.test(nick))).toBe(true);
    expect([...senders].some((nick) => /^[A-Za-z]/.test(nick))).toBe(true);
    expect(new Set(sent.map((e) => conversationKind(e.data.conversationId)))).toEqual(new Set(["group", "private"]));
    expect(new Set(sent.map((e) => e.data.messageSource))).toEqual(new Set([0, 1]));
    expect(new Set(sent.map((e) => `${e.data.serverId}`)).size).toBe(sent.length);
  });

  test("its media: real clips, encrypted with the payload's aes_key (or plain), md5 and size as announced", async () => {
    const kinds = new Set<string>();
    for (const { data } of callbacks()) {
      const res = await fetch(data.cdnData.url as string);
      if (res.status === 404) {
        kinds.add("expired");
        continue;
      }
      const body = Buffer.from(await res.arrayBuffer());
      const plain = sniff(body) ? body : decryptMedia(body, parseAesKey(data.cdnData.aes_key as string)!);
      kinds.add(sniff(body) ? "plain" : "encrypted");
      expect(sniff(plain)?.contentType).toBe("video/mp4");
      expect(createHash("md5").update(plain).digest("hex")).toBe(data.cdnData.md5);
      expect(plain.length).toBe(data.cdnData.size);
      const preview = Buffer.from(await (await fetch(data.cdnData.preview_img_url as string)).arrayBuffer());
      const previewPlain = sniff(preview) ? preview : decryptMedia(preview, parseAesKey(data.cdnData.aes_key as string)!);
      expect(sniff(previewPlain)?.contentType).toBe("image/jpeg");
    }
    expect(kinds).toEqual(new Set(["encrypted", "plain", "expired"]));
  });

  test("the stand-in CDN answers Range requests like a CDN", async () => {
    const published = cdn.publish(clips[0].video, { encrypted: false });
    const res = await fetch(published.url, { headers: { range: "bytes=4-11" } });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).toString("latin1")).toBe("ftypisom");
  });
});

test("every conversation sees messages in both directions", () => {
  const sent = callbacks();
  for (const conversationId of new Set(sent.map((e) => e.data.conversationId))) {
    const directions = new Set(sent.filter((e) => e.data.conversationId === conversationId).map((e) => e.data.messageSource));
    expect(directions, conversationId).toEqual(new Set([0, 1]));
  }
});
