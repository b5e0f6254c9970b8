"use client";
// The header's menu and live indicator are for the dashboard, not for the login page (where the
// stream would only be refused, and read "reconnecting…").
import { usePathname } from "next/navigation";

export const LOGIN_PATH = "/login";

export function HiddenOnLogin({ children }: { children: React.ReactNode }) {
  return usePathname() === LOGIN_PATH ? null : children;
}
