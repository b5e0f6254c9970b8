// What a login form or script sends: JSON `{"password": ...}` or a plain HTML form post.
import { z } from "zod";

export const loginInputSchema = z.object({
  password: z.string({ error: "password is required" }).min(1, "password is required").max(1024, "password is too long"),
  next: z.string().max(2000).optional(),
});

export type LoginInput = z.infer<typeof loginInputSchema>;

export function isFormPost(contentType: string | null): boolean {
  return /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(contentType ?? "");
}

/** The login fields of a body, or a one-line reason it is not a login. */
export function parseLoginBody(body: string, form: boolean): LoginInput | { error: string } {
  let input: unknown;
  if (form) input = Object.fromEntries(new URLSearchParams(body));
  else {
    try {
      input = JSON.parse(body);
    } catch {
      return { error: 'body is not JSON: send {"password": "..."}' };
    }
  }
  const result = loginInputSchema.safeParse(input);
  return result.success ? result.data : { error: result.error.issues[0]?.message ?? "bad login" };
}
