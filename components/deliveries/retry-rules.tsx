// Which of a relay target's answers are retried and which are not (lib/forwarding/send.ts verdictFor,
// lib/forwarding/relay.ts retryDelayMs), said where an operator decides to press Retry.
import { useTranslations } from "next-intl";

export function RetryRules() {
  const t = useTranslations("deliveryDetail");
  return (
    <details className="card p-3 text-sm" data-testid="retry-rules">
      <summary className="cursor-pointer font-medium">{t("rulesTitle")}</summary>
      <ul className="mt-2 list-disc space-y-1 pl-5">
        <li>{t("rulesRetried")}</li>
        <li>{t("rulesFailed")}</li>
      </ul>
    </details>
  );
}
