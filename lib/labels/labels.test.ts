// Labels (issue 27, item 7): stored, cleared, limited in length, and found by `q` wherever q
// exists (videos by both search plans, conversations, robots, the export), against a real database.
import { describe, expect, it, beforeAll } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { postVideo } from "../../test/support/example-video";
import { parseCsv, readAll } from "../../test/support/export-readers";
import { conversationNames } from "../conversations/names";
import { getConversation, listConversations } from "../conversations/list";
import { openExport } from "../export/stream";
import { parseExportRequest } from "../export/request";
import { getRobot, listRobots } from "../robots/list";
import { NO_FILTERS } from "../videos/filters";
import { getVideo, listVideos } from "../videos/list";
import { DomainError } from "../shared/errors";
import { clearLabel, getLabel, LABEL_MAX_LENGTH, normaliseLabel, setLabel } from "./labels";

const db = useTestDatabase();
const GROUP = "R:18000015434@chatroom";
const PRIVATE = "S:wxid_alice";
const ROBOT = "bot-labels";
const MINUTE = 60_000;

beforeAll(async () => {
  const t0 = Date.parse("2026-12-01T02:00:00Z");
  // A group with four participants (bob the most active), a private chat with alice, another group.
  const group = [
    ["wxid_bob", "Bob 鲍勃"], ["wxid_bob", "Bob 鲍勃"], ["wxid_bob", "Bob 鲍勃"],
    ["wxid_carol", "Carol"], ["wxid_carol", "Carol"], ["wxid_dan", "丹"], ["wxid_erin", "  "],
  ];
  let i = 0;
  for (const [fromWxId, fromNickName] of group) {
    await postVideo(db.client, { robotId: ROBOT, fromWxId, fromNickName, conversationId: GROUP, sendTime: t0 + i++ * MINUTE });
  }
  // The robot itself speaks in the private chat more often than alice: alice is still its name.
  for (let k = 0; k < 3; k++) await postVideo(db.client, { robotId: ROBOT, fromWxId: "wxid_robot_self", fromNickName: "Shop robot", conversationId: PRIVATE, messageSource: 1, sendTime: t0 + i++ * MINUTE });
  await postVideo(db.client, { robotId: ROBOT, fromWxId: "wxid_alice", fromNickName: "Alice", conversationId: PRIVATE, sendTime: t0 + i++ * MINUTE });
  await postVideo(db.client, { robotId: "bot-other", fromWxId: "wxid_zed", fromNickName: "Zed", conversationId: "R:999@chatroom", sendTime: t0 + i++ * MINUTE });
});

async function refusal(run: () => Promise<unknown>): Promise<DomainError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("labels", () => {
  it("stores a trimmed label, replaces it, clears it (blank or clear), and clears twice without error", async () => {
    expect(await setLabel(db.client, "conversation", GROUP, "  华东区 3 号店  ")).toEqual({ kind: "conversation", key: GROUP, label: "华东区 3 号店" });
    expect(await getLabel(db.client, "conversation", GROUP)).toBe("华东区 3 号店");
    await setLabel(db.client, "conversation", GROUP, "售后群");
    expect(await getLabel(db.client, "conversation", GROUP)).toBe("售后群");
    expect((await setLabel(db.client, "conversation", GROUP, "   ")).label).toBeNull();
    expect(await getLabel(db.client, "conversation", GROUP)).toBeNull();
    await setLabel(db.client, "robot", ROBOT, "前台机器人");
    await clearLabel(db.client, "robot", ROBOT);
    await clearLabel(db.client, "robot", ROBOT);
    expect(await getLabel(db.client, "robot", ROBOT)).toBeNull();
    expect(await db.client.label.count()).toBe(0);
  });

  it("refuses a label over the limit with label_too_long (counted in characters, not bytes), and control characters", async () => {
    const longest = "名".repeat(LABEL_MAX_LENGTH);
    expect(normaliseLabel(longest)).toBe(longest);
    // An emoji is one character to a person and to PostgreSQL's char_length, two UTF-16 units to JavaScript.
    expect(normaliseLabel("🎬".repeat(LABEL_MAX_LENGTH))).toHaveLength(LABEL_MAX_LENGTH * 2);
    const tooLong = await refusal(() => setLabel(db.client, "robot", ROBOT, `${longest}x`));
    expect(tooLong).toMatchObject({ kind: "invalid", code: "label_too_long", details: { maxLength: LABEL_MAX_LENGTH } });
    expect((await refusal(() => setLabel(db.client, "robot", ROBOT, "two\nlines"))).code).toBe("bad_label");
    expect((await refusal(() => setLabel(db.client, "robot", ROBOT, 42))).code).toBe("bad_label");
    expect(await getLabel(db.client, "robot", ROBOT)).toBeNull();
    // The database holds the same limit for anyone writing the table directly.
    await expect(db.client.label.create({ data: { kind: "robot", key: ROBOT, label: `${longest}x` } })).rejects.toThrow();
  });

  it("names only robots and conversations that exist", async () => {
    expect((await refusal(() => setLabel(db.client, "conversation", "R:nobody@chatroom", "x"))).kind).toBe("not_found");
    expect((await refusal(() => setLabel(db.client, "robot", "no-such-robot", "x"))).kind).toBe("not_found");
    expect((await refusal(() => setLabel(db.client, "robot", "a\0b", "x"))).kind).toBe("not_found");
  });

  it("is shown with every id: conversation lists and pages, robots, videos", async () => {
    await setLabel(db.client, "conversation", GROUP, "<b>售后群</b>");
    await setLabel(db.client, "robot", ROBOT, "前台机器人");
    const { items } = await listConversations(db.client, { limit: 50, cursor: undefined });
    expect(items.find((c) => c.conversationId === GROUP)?.conversationName.label).toBe("<b>售后群</b>");
    expect((await getConversation(db.client, GROUP))?.conversationName.label).toBe("<b>售后群</b>");
    expect((await listRobots(db.client, { limit: 50 }, { silentAfterMs: MINUTE })).items.find((r) => r.robotId === ROBOT)?.label).toBe("前台机器人");
    expect((await getRobot(db.client, ROBOT, { silentAfterMs: MINUTE }))?.label).toBe("前台机器人");
    const videos = await listVideos(db.client, { ...NO_FILTERS, conversationId: GROUP }, { limit: 2 });
    expect(videos.items[0]).toMatchObject({ robotLabel: "前台机器人", conversationName: { label: "<b>售后群</b>" } });
    expect((await getVideo(db.client, videos.items[0].id))?.conversationName.label).toBe("<b>售后群</b>");
    await clearLabel(db.client, "conversation", GROUP);
    await clearLabel(db.client, "robot", ROBOT);
  });

  it("without a label: a group is named by its most active participants' nicknames, a private chat by the other person", async () => {
    const names = await conversationNames(db.client, [GROUP, PRIVATE, "R:unknown"]);
    // Blank nicknames are skipped; the count is everyone who sent a video there.
    expect(names.get(GROUP)).toEqual({ label: null, nicknames: ["Bob 鲍勃", "Carol", "丹"], participantCount: 4 });
    expect(names.get(PRIVATE)?.nicknames[0]).toBe("Alice");
    expect(names.get("R:unknown")).toEqual({ label: null, nicknames: [], participantCount: 0 });
  });

  it("is found by q on conversations, robots and videos (both search plans), and exported as the last columns", async () => {
    await setLabel(db.client, "conversation", GROUP, "华东区售后群");
    await setLabel(db.client, "robot", "bot-other", "Backup Robot");
    const conversations = await listConversations(db.client, { limit: 50, cursor: undefined, q: "售后" });
    expect(conversations.items.map((c) => c.conversationId)).toEqual([GROUP]);
    expect((await listRobots(db.client, { limit: 50, q: "backup" }, { silentAfterMs: MINUTE })).items.map((r) => r.robotId)).toEqual(["bot-other"]);
    expect((await listRobots(db.client, { limit: 50, q: "bot-lab" }, { silentAfterMs: MINUTE })).items.map((r) => r.robotId)).toEqual([ROBOT]);
    for (const plan of ["list", "walk", undefined] as const) {
      const byConversation = await listVideos(db.client, { ...NO_FILTERS, q: "华东区" }, { limit: 50 }, { plan });
      expect(byConversation.items.map((v) => v.conversationId), `plan ${plan}`).toEqual(Array(7).fill(GROUP));
      const byRobot = await listVideos(db.client, { ...NO_FILTERS, q: "BACKUP ROBOT" }, { limit: 50 }, { plan });
      expect(byRobot.items.map((v) => v.robotId), `plan ${plan}`).toEqual(["bot-other"]);
    }

    const stream = await openExport(db.pool, parseExportRequest(new URLSearchParams("format=csv&q=售后")));
    const [header, ...rows] = parseCsv((await readAll(stream)).toString("utf8"));
    await stream.finished;
    expect(header.slice(-2)).toEqual(["conversationLabel", "robotLabel"]);
    // The columns before them are where they always were.
    expect(header.slice(0, 3)).toEqual(["id", "instanceId", "robotId"]);
    expect(rows).toHaveLength(7);
    expect(rows.every((r) => r.at(-2) === "华东区售后群" && r.at(-1) === null)).toBe(true);

    const json = await openExport(db.pool, parseExportRequest(new URLSearchParams("format=ndjson&q=backup")));
    const lines = (await readAll(json)).toString("utf8").trim().split("\n").map((l) => JSON.parse(l));
    await json.finished;
    expect(lines).toEqual([expect.objectContaining({ robotId: "bot-other", robotLabel: "Backup Robot", conversationLabel: null })]);
  });
});
