// The conversation of a video in the table: its name, the id on hover. A component of its own
// because a name needs a hook (the table's rows are mapped, not components).
import Link from "next/link";
import type { ConversationName } from "@/lib/conversations/names";
import type { VideoListItem } from "@/lib/videos/item";
import { pathSegment } from "@/lib/format/format";
import { Highlighted } from "./highlight";
import { useConversationText } from "./video-card";

export function ConversationCell({ video, highlight }: { video: VideoListItem & { conversationName?: ConversationName }; highlight?: string }) {
  const text = useConversationText(video);
  return (
    <Link href={`/conversations/${pathSegment(video.conversationId)}`} className="truncate text-xs hover:underline" title={video.conversationId} data-testid="conversation-name" data-data>
      <Highlighted text={text} term={highlight} />
    </Link>
  );
}
