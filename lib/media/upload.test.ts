import { describe, expect, test } from "vitest";
import { MediaError } from "./errors";
import { authorizeUpload } from "./upload";

const refused = (authorization: string | null, cfg: Parameters<typeof authorizeUpload>[1]) => {
  try {
    authorizeUpload(authorization, cfg);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).kind).toBe("unauthorized");
    return (err as MediaError).message;
  }
};

describe("who may upload media", () => {
  test("with API_TOKEN: only `Authorization: Bearer <API_TOKEN>`", () => {
    const cfg = { API_TOKEN: "s3cret-token", DASHBOARD_PASSWORD: "pw", HOST: "0.0.0.0" };
    expect(refused("Bearer s3cret-token", cfg)).toBeNull();
    expect(refused("bearer s3cret-token", cfg)).toBeNull();
    expect(refused(null, cfg)).toMatch(/Bearer/);
    expect(refused("Bearer wrong", cfg)).toMatch(/Bearer/);
    expect(refused("Bearer s3cret-token-and-more", cfg)).toMatch(/Bearer/);
    expect(refused("Basic czNjcmV0LXRva2Vu", cfg)).toMatch(/Bearer/);
  });

  test("a token one byte short, one byte long, or wrong only in its last byte: refused", () => {
    const cfg = { API_TOKEN: "s3cret-token", DASHBOARD_PASSWORD: "pw", HOST: "0.0.0.0" };
    for (const token of ["s3cret-toke", "s3cret-tokenn", "s3cret-tokeN", "s3cret-toker", "S3cret-token"]) {
      expect(refused(`Bearer ${token}`, cfg), token).toMatch(/Bearer/);
    }
  });

  test("without API_TOKEN or password (loopback only): accepted", () => {
    expect(refused(null, { API_TOKEN: undefined, DASHBOARD_PASSWORD: undefined, HOST: "127.0.0.1" })).toBeNull();
  });

  test("with a password but no API_TOKEN: refused, the token is what scripts use", () => {
    expect(refused(null, { API_TOKEN: undefined, DASHBOARD_PASSWORD: "pw", HOST: "0.0.0.0" })).toMatch(/API_TOKEN/);
    expect(refused("Bearer pw", { API_TOKEN: undefined, DASHBOARD_PASSWORD: "pw", HOST: "127.0.0.1" })).toMatch(/API_TOKEN/);
  });
});
