// A conversation wherever a page names one: its name as the link (label, else its participants),
// and below it the id, cut in the middle, with its copy button; without a name, the id is the link.
import Link from "next/link";
import { useTranslations } from "next-intl";
import type { ConversationName } from "@/lib/conversations/names";
import { pathSegment } from "@/lib/format/format";
import type { ConversationKind } from "@/lib/videos/item";
import { conversationTitle } from "./conversation-name";
import { IdText } from "./id-text";

/** `rowLink`: the link stretches over its table row (the row is one link: globals.css .row-linked). */
type Props = { conversationId: string; kind: ConversationKind; name?: ConversationName | null; className?: string; idMax?: number; rowLink?: boolean };

export function ConversationLink({ conversationId, kind, name, className = "", idMax, rowLink = false }: Props) {
  const tn = useTranslations("names");
  if (!conversationId) return <span>—</span>;
  const title = conversationTitle(tn, kind, name);
  const href = `/conversations/${pathSegment(conversationId)}`;
  if (!title) return <IdText id={conversationId} href={href} max={idMax} className={`link ${className}`} linkClassName={rowLink ? "row-link" : ""} />;
  return (
    <span className={`flex min-w-0 flex-col ${className}`}>
      <Link href={href} title={conversationId} className={`link wrap-anywhere ${rowLink ? "row-link" : ""}`} data-testid="conversation-name" data-data>{title}</Link>
      {/* In a table row on a phone the name alone: the id (on hover, and on the conversation's page) would push the row's other cells off screen. */}
      <IdText id={conversationId} max={idMax} className={rowLink ? "muted hidden sm:inline-flex" : "muted"} />
    </span>
  );
}
