"use client";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { Icon } from "./icons";

/**
 * Copies `text`. `compact`: a small icon button (beside an id), whose accessible name is `label`;
 * otherwise a button with the label as its text. Either says "Copied" for 2 s and announces it.
 */
export function CopyButton({ text, label, compact = false }: { text: string; label?: string; compact?: boolean }) {
  const t = useTranslations("common");
  const [copied, setCopied] = useState(false);
  const name = label ?? t("copy");
  return (
    <button
      type="button"
      className={compact ? "icon-btn" : "btn"}
      aria-label={compact ? (copied ? t("copied") : name) : undefined}
      title={compact ? name : undefined}
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
      {compact ? <Icon name={copied ? "check" : "copy"} /> : copied ? t("copied") : name}
      <span className="sr-only" role="status">
        {copied ? t("copiedToClipboard") : ""}
      </span>
    </button>
  );
}
