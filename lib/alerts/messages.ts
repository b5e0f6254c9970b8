// What an alert looks like on the wire: the generic JSON, or the message format of the group-chat
// robot it goes to (each of them reads its own JSON and ignores anything else).
export type AlertFormat = "generic" | "wecom" | "dingtalk" | "feishu" | "slack";

export type RobotAlert = { robotId: string; state: "active" | "silent"; lastCallbackAt: string | null; url: string };

function text(alert: RobotAlert): string {
  const last = alert.lastCallbackAt ?? "never";
  return alert.state === "silent"
    ? `机器人 ${alert.robotId} 已静默 / Robot ${alert.robotId} is silent. 最后回调 / last callback: ${last}. ${alert.url}`
    : `机器人 ${alert.robotId} 已恢复 / Robot ${alert.robotId} is active again. 最后回调 / last callback: ${last}. ${alert.url}`;
}

/** The request body for `format`. */
export function alertBody(alert: RobotAlert, format: AlertFormat): unknown {
  switch (format) {
    case "generic":
      return { robotId: alert.robotId, state: alert.state, lastCallbackAt: alert.lastCallbackAt, url: alert.url };
    // WeCom's and DingTalk's group robots read the same text message.
    case "wecom":
    case "dingtalk":
      return { msgtype: "text", text: { content: text(alert) } };
    case "feishu":
      return { msg_type: "text", content: { text: text(alert) } };
    case "slack":
      return { text: text(alert) };
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
