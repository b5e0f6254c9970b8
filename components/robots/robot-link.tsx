// A robot wherever a page names one: its label as the link and its id below (cut in the middle,
// with its copy button), or the id as the link when it has no label.
import Link from "next/link";
import { pathSegment } from "@/lib/format/format";
import { IdText } from "../id-text";

/** `rowLink`: the link stretches over its table row (the row is one link: globals.css .row-linked). */
export function RobotLink({ robotId, label, idMax, rowLink = false }: { robotId: string; label: string | null | undefined; idMax?: number; rowLink?: boolean }) {
  const href = `/robots/${pathSegment(robotId)}`;
  if (!label) return <IdText id={robotId} href={href} max={idMax} className="link" linkClassName={rowLink ? "row-link" : ""} />;
  return (
    <span className="flex min-w-0 flex-col">
      <Link href={href} title={robotId} className={`link font-medium wrap-anywhere ${rowLink ? "row-link" : ""}`} data-testid="robot-label" data-data>{label}</Link>
      {/* As for conversations (conversation-link.tsx): in a row on a phone, the name alone. */}
      <IdText id={robotId} max={idMax} className={rowLink ? "muted hidden sm:inline-flex" : "muted"} />
    </span>
  );
}
