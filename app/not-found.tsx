import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";

// An unknown address, or a video, conversation, sender or robot that is not there (deleted,
// or a mistyped link): said in the reader's language, inside the usual header and footer.
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("notFound"))("title") };
}

export default async function NotFound() {
  const t = await getTranslations("notFound");
  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p className="muted">{t("body")}</p>
      <Link href="/" className="underline">
        {t("home")}
      </Link>
    </div>
  );
}
