-- The search asks the planner how many senders and conversations a term matches before reading
-- them (lib/videos/search.ts); the estimate comes from the statistics ANALYZE gathers on the gram
-- indexes' expressions, which a new index lacks until the next ANALYZE. Without them every term
-- is estimated rare and a common one (wxid_) builds a bitmap of every sender: 150 to 230 ms at 10M
-- videos (measured) instead of a few. ANALYZE samples the tables and takes no lock writers wait on.
ANALYZE "sender_summaries", "sender_nicknames", "conversation_summaries";
