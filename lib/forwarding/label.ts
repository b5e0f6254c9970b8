// How a relay target is named wherever it is shown.
/**
 * A target as it may be shown: scheme, host and path. Credentials in the URL (user:password@,
 * a token in the query) never reach pages, logs or metric labels.
 */
export function targetLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}
