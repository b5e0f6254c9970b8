// What an alert looks like on the wire: the generic JSON, or the message format of the group-chat
// robot it goes to (each of them reads its own JSON and ignores anything else). Robot ids come
// from callbacks: the callback accepts only letters, digits, "_" and "-" (lib/ingest/payload.ts),
// and each chat format escapes them all the same, so that no id can become a link, a mention or
// markup in an operator's group chat.
export type AlertFormat = "generic" | "wecom" | "dingtalk" | "feishu" | "slack";

export type AlertState = "active" | "silent";

export type AlertedRobot = { robotId: string; lastCallbackAt: string | null; url: string };

/** One message: the robots that changed to `state` together; `url` is the robot's page, or the list of those in that state. */
export type AlertGroup = { state: AlertState; robots: AlertedRobot[]; url: string };

/** Robots named in a chat message; the rest are counted ("and 490 more"). */
export const NAMED_IN_CHAT = 10;

/** The longest robot id a chat message shows whole (the callback's own limit). */
const SHOWN_ID_LENGTH = 64;

// Zero-width, direction and line-breaking characters: they hide or reorder text.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

// Markup of the chats' text and markdown: Feishu reads `<at user_id="all">` and `[text](url)` in a
// text message, WeCom's and DingTalk's markdown read `[text](url)`, `<@userid>`, `<font>`, `**`,
// `#`, `>` and backquotes. Each such character is shown as its full-width form, which no chat reads.
const MARKUP = /[<>[\]()*`~#|!{}"'\\&]/g;
const fullWidth = (c: string) => String.fromCharCode(c.charCodeAt(0) + 0xfee0);

// A word joiner after each of these breaks `@all`, `@channel`, `@here` and a bare `evil.example`
// or `https://` that a chat would turn into a link, without changing what the reader sees.
const LINKING = /[@.:/]/g;

/** `id` as a chat message may show it: at most 64 characters, nothing a chat would act on. */
export function chatSafeId(id: string, format: Exclude<AlertFormat, "generic">): string {
  const chars = Array.from(id.replace(INVISIBLE, " "));
  let shown = chars.length > SHOWN_ID_LENGTH ? `${chars.slice(0, SHOWN_ID_LENGTH).join("")}…` : chars.join("");
  // Slack's own escaping: &, < and > as entities (its documented rule for message text).
  shown = format === "slack" ? shown.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;") : shown.replace(MARKUP, fullWidth);
  return shown.replace(LINKING, "$&\u2060");
}

function text(group: AlertGroup, format: Exclude<AlertFormat, "generic">): string {
  const id = (r: AlertedRobot) => chatSafeId(r.robotId, format);
  if (group.robots.length === 1) {
    const [robot] = group.robots;
    const last = robot.lastCallbackAt ?? "never";
    return group.state === "silent"
      ? `机器人 ${id(robot)} 已静默 / Robot ${id(robot)} is silent. 最后回调 / last callback: ${last}. ${group.url}`
      : `机器人 ${id(robot)} 已恢复 / Robot ${id(robot)} is active again. 最后回调 / last callback: ${last}. ${group.url}`;
  }
  const n = group.robots.length;
  const named = group.robots.slice(0, NAMED_IN_CHAT).map(id).join(", ");
  const more = n > NAMED_IN_CHAT ? `，另有 ${n - NAMED_IN_CHAT} 个 / and ${n - NAMED_IN_CHAT} more` : "";
  return group.state === "silent"
    ? `${n} 个机器人已静默 / ${n} robots are silent: ${named}${more}. ${group.url}`
    : `${n} 个机器人已恢复 / ${n} robots are active again: ${named}${more}. ${group.url}`;
}

/** The request body for `format`. */
export function alertBody(group: AlertGroup, format: AlertFormat): unknown {
  switch (format) {
    case "generic": {
      const robots = group.robots.map((r) => ({ robotId: r.robotId, lastCallbackAt: r.lastCallbackAt, url: r.url }));
      // One robot keeps the fields the generic alert always had; several are listed in `robots`.
      const single = group.robots.length === 1 ? { robotId: robots[0].robotId, lastCallbackAt: robots[0].lastCallbackAt } : {};
      return { ...single, state: group.state, url: group.url, count: robots.length, robots };
    }
    // WeCom's and DingTalk's group robots read the same text message.
    case "wecom":
    case "dingtalk":
      return { msgtype: "text", text: { content: text(group, format) } };
    case "feishu":
      return { msg_type: "text", content: { text: text(group, format) } };
    case "slack":
      return { text: text(group, format) };
  }
}

/**
 * Whether the chat robot took the message. WeCom and DingTalk answer 200 with a non-zero `errcode`
 * when they refuse one (a bad key, a rate limit), Feishu with a non-zero `code`: those are retried.
 */
export function accepted(status: number, body: string): boolean {
  if (status < 200 || status > 299) return false;
  try {
    const answer = JSON.parse(body) as { errcode?: unknown; code?: unknown };
    if (typeof answer.errcode === "number" && answer.errcode !== 0) return false;
    if (typeof answer.code === "number" && answer.code !== 0) return false;
  } catch {}
  return true;
}
