// The auth settings of this process, derived once from the configuration.
import { config, type Config } from "../config";
import type { AccessSettings } from "./access";
import { installSecret } from "./secrets";
import { deriveSessionKey } from "./session";

export type AuthSettings = AccessSettings & { password?: string; sessionTtlMs: number; trustProxy: boolean };

export function authSettingsFrom(cfg: Pick<Config, "DASHBOARD_PASSWORD" | "API_TOKEN" | "SESSION_SECRET" | "SESSION_HOURS" | "TRUST_PROXY" | "DATA_DIR">): AuthSettings {
  const password = cfg.DASHBOARD_PASSWORD;
  return {
    loginRequired: !!password,
    password,
    apiToken: cfg.API_TOKEN,
    sessionKey: password ? deriveSessionKey(password, cfg.SESSION_SECRET ?? installSecret(cfg.DATA_DIR)) : undefined,
    sessionTtlMs: cfg.SESSION_HOURS * 3_600_000,
    trustProxy: cfg.TRUST_PROXY,
  };
}

let cached: AuthSettings | undefined;

export function authSettings(): AuthSettings {
  cached ??= authSettingsFrom(config());
  return cached;
}
