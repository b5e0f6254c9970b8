// What a conversation is called on screen (issue 27): the operator's label; else, for a private
// chat, the other person's nickname; for a group, its most active participants' nicknames and how
// many more there are; else nothing, and the page shows the id. Labels and nicknames are user
// text: rendered as text only (React escapes them), never as markup.
import type { useTranslations } from "next-intl";
import type { ConversationName } from "@/lib/conversations/names";
import type { ConversationKind } from "@/lib/videos/item";

type NamesT = ReturnType<typeof useTranslations<"names">>;

export function conversationTitle(t: NamesT, kind: ConversationKind, name: ConversationName | null | undefined): string | null {
  if (!name) return null;
  if (name.label) return name.label;
  if (name.nicknames.length === 0) return null;
  if (kind === "private") return name.nicknames[0];
  const names = name.nicknames.join(t("separator"));
  const more = name.participantCount - name.nicknames.length;
  return more > 0 ? t("groupMore", { names, more }) : names;
}
