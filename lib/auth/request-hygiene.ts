// Refusals that hold for every request, before any route sees it.

/**
 * Why this URL is refused outright, or null. A NUL character cannot be stored in PostgreSQL
 * text: any value carrying one would turn a harmless search into a database error.
 */
export function urlProblem(pathname: string, search: string): string | null {
  if (/%00|\u0000/.test(pathname) || /%00|\u0000/.test(search)) return "NUL characters are not allowed in the URL";
  return null;
}

/**
 * Why a request path cannot be routed, or null: a malformed percent-escape (`/api/videos/%E0%A4%A`)
 * makes Next's own parameter decoding fail with a bare 500 before any handler runs.
 */
export function pathProblem(target: string): string | null {
  const path = target.split("?", 1)[0];
  try {
    decodeURIComponent(path);
    return null;
  } catch {
    return "the URL's path has a malformed percent-escape";
  }
}
