// A simulated provider: realistic 20004 callbacks (several senders, group "R:" and private "S:"
// conversations, received and sent by the robot), whose media are real small playable videos
// published on the stand-in CDN.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Published, StandInCdn } from "./cdn";

export type Clip = { video: Buffer; preview: Buffer; width: number; height: number; duration: number };

const media = (name: string) => readFileSync(new URL(`./media/${name}`, import.meta.url));

/** Three 3-second H.264 clips (landscape, portrait, square) and a JPEG preview of each. */
export function loadClips(): Clip[] {
  return [
    { video: media("clip-a.mp4"), preview: media("preview-a.jpg"), width: 160, height: 90, duration: 3 },
    { video: media("clip-b.mp4"), preview: media("preview-b.jpg"), width: 90, height: 160, duration: 3 },
    { video: media("clip-c.mp4"), preview: media("preview-c.jpg"), width: 120, height: 120, duration: 3 },
  ];
}

const ROBOT = { robotId: "wxid_robot_demo01", instanceId: "97554f7c82a1439c86df3143ef4975c5" };

export const SENDERS = [
  { wxid: "wxid_zhangwei_8841", nick: "张伟" },
  { wxid: "wxid_lina_2207", nick: "李娜 🌸" },
  { wxid: "wxid_emma_w_31", nick: "Emma W." },
  { wxid: "wxid_chen_jie", nick: "陈杰" },
  { wxid: "wxid_oliver_k", nick: "Oliver" },
];

export const CONVERSATIONS = [
  { id: "R:10864727538@chatroom", members: [0, 1, 3] },
  { id: "R:20931145722@chatroom", members: [1, 2, 4] },
  { id: "S:wxid_zhangwei_8841", members: [0] },
  { id: "S:wxid_emma_w_31", members: [2] },
];

/** A 20004 envelope shaped like the provider's documentation example, around the given cdnData. */
let nextSequence = 0;

export function videoEnvelope<Cdn extends Record<string, unknown>, Data extends Record<string, unknown>>(cdnData: Cdn, data: Data = {} as Data) {
  const now = Date.now();
  // Unique within this run even for callbacks made in the same millisecond (a random suffix alone
  // repeats: 22 draws from 1,000 collide one time in five).
  const sequence = BigInt(nextSequence++ % 1000);
  const localId = String(BigInt(now) * 1000n + sequence);
  return {
    event: "20004",
    description: "视频消息事件",
    time: now,
    data: {
      ...ROBOT,
      sendTime: now,
      localId,
      serverId: String(BigInt("7000000000000000000") + BigInt(now) * 1000n + sequence),
      appInfo: "",
      messageType: 103,
      cdnType: 2,
      messageSource: 0,
      isPc: 0,
      ...data,
      cdnData: { auth_key: `v1_${randomBytes(32).toString("hex")}`, file_name: `${localId}.mp4`, ...cdnData } as Cdn & { auth_key: string; file_name: string },
    },
  };
}

/** The n-th demo callback: media published on `cdn`, encrypted mostly, sometimes plain, rarely expired. */
export function demoCallback(cdn: StandInCdn, clips: Clip[], n: number) {
  const clip = clips[n % clips.length];
  const conversation = CONVERSATIONS[n % CONVERSATIONS.length];
  const sender = SENDERS[conversation.members[Math.floor(n / CONVERSATIONS.length) % conversation.members.length]];
  // Every third message is the robot's own (messageSource 1), sent to the conversation; the
  // period differs from the conversations' so every conversation sees both directions.
  const outgoing = n % 3 === 1;
  // Some links serve plain files; now and then one has already expired (shown as such in the UI).
  const expired = n % 11 === 10;
  // One aes_key per message: the payload has one, for the video and its preview.
  const key = randomBytes(16);
  const encrypted = n % 5 !== 4;
  // Every seventh link dies a minute after it was sent, as WeChat's do after some days: the
  // archive (MEDIA_ARCHIVE, on by default) kept the file on arrival, so it still plays.
  const expiresInMs = n % 7 === 3 ? 60_000 : undefined;
  const video: Published = expired
    ? { url: cdn.expired(), aes_key: key.toString("hex"), md5: "0".repeat(32), size: clip.video.length }
    : cdn.publish(clip.video, { encrypted, key, expiresInMs });
  const preview = cdn.publish(clip.preview, { encrypted, key, expiresInMs });
  return videoEnvelope(
    {
      url: video.url,
      // Plain links still come with a key in real payloads: the proxy must notice the file is plain.
      aes_key: key.toString("hex"),
      md5: video.md5,
      size: video.size,
      preview_img_url: preview.url,
      preview_img_size: preview.size,
      width: Math.round(clip.width / 2),
      height: Math.round(clip.height / 2),
    },
    {
      width: clip.width,
      height: clip.height,
      duration: clip.duration,
      cdnType: n % 3 === 0 ? 3 : 2,
      messageSource: outgoing ? 1 : 0,
      conversationId: conversation.id,
      fromWxId: outgoing ? ROBOT.robotId : sender.wxid,
      fromNickName: outgoing ? "Demo Robot" : sender.nick,
      toWxId: outgoing ? (conversation.id.startsWith("S:") ? conversation.id.slice(2) : conversation.id) : ROBOT.robotId,
    },
  );
}

export async function postCallback(appUrl: string, envelope: unknown, token?: string): Promise<number> {
  const url = `${appUrl}/api/callback${token ? `?token=${encodeURIComponent(token)}` : ""}`;
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(envelope) });
  await res.arrayBuffer();
  return res.status;
}
