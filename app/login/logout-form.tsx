// A logout button that works without JavaScript. The dashboard's navigation can render it too.
import { useTranslations } from "next-intl";

export function LogoutForm({ className }: { className?: string }) {
  const t = useTranslations("login");
  return (
    <form method="post" action="/api/logout" className={className}>
      <button type="submit" className="btn">
        {t("logOut")}
      </button>
    </form>
  );
}
