"use client";
import { useState } from "react";
import { useTranslations } from "next-intl";

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const t = useTranslations("common");
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn"
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
      {copied ? t("copied") : label ?? t("copy")}
      <span className="sr-only" role="status">
        {copied ? t("copiedToClipboard") : ""}
      </span>
    </button>
  );
}
