// Refusals that hold for every request, before any route sees it.

/**
 * Why this URL is refused outright, or null. A NUL character cannot be stored in PostgreSQL
 * text: any value carrying one would turn a harmless search into a database error.
 */
export function urlProblem(pathname: string, search: string): string | null {
  if (/%00|\u0000/.test(pathname) || /%00|\u0000/.test(search)) return "NUL characters are not allowed in the URL";
  return null;
}
