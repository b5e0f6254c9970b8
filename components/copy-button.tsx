"use client";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { Icon } from "./icons";

/**
 * Copies `text`. `compact`: a small icon button (beside an id), named "Copy the id <text>" unless
 * `label` says otherwise; otherwise a button with the label as its text. Either says "Copied" for 2 s and announces it.
 */
export function CopyButton({ text, label, compact = false }: { text: string; label?: string; compact?: boolean }) {
  const t = useTranslations("common");
  const ids = useTranslations("ids");
  const [copied, setCopied] = useState(false);
  // Compact buttons sit beside ids, 50 to a list: their name is made here from the id, so that the
  // page's payload does not carry it twice more (robots-fleet.spec.ts holds /robots under 200 kB).
  const name = label ?? (compact ? ids("copy", { id: text }) : t("copy"));
  return (
    <button
      type="button"
      className={compact ? "icon-btn" : "btn"}
      aria-label={compact ? (copied ? t("copied") : name) : undefined}
      data-copied={copied ? "" : undefined}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          // Clipboard refused (insecure context): select nothing, say so in the label.
          return;
        }
        setCopied(true);
        setTimeout(() => setCopied(false), 2000);
      }}
    >
      {compact ? <Icon name={copied ? "check" : "copy"} className="" /> : copied ? t("copied") : name}
      <span className="sr-only" role="status">
        {copied ? t("copiedToClipboard") : ""}
      </span>
    </button>
  );
}
