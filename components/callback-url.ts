// The URL a user pastes into the provider's console, as this browser reached the server.
import { headers } from "next/headers";
import { config } from "@/lib/config";

export async function callbackUrl(): Promise<string> {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? `${config().HOST}:${config().PORT}`;
  const proto = h.get("x-forwarded-proto") ?? "http";
  // The token itself is a secret: the page shows where it goes, never its value.
  const token = config().CALLBACK_TOKEN ? "?token=YOUR_CALLBACK_TOKEN" : "";
  return `${proto}://${host}/api/callback${token}`;
}
