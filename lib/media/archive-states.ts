// The states of a kept file (media_archive.state), for the filter, the API and the badges: a
// module of its own so browser components can import it without the server's configuration.
export const ARCHIVE_STATES = ["pending", "archived", "expired", "failed"] as const;
export type ArchiveState = (typeof ARCHIVE_STATES)[number];
