"use client";
// An id as the pages show it: cut in the middle when long (both ends tell ids apart: `R:1800…@chatroom`),
// the whole id on hover (`title`) and for screen readers, and a button that copies it whole.
// Lean markup: a list repeats it 50 times (robots-fleet.spec.ts holds /robots under 200 kB). A client
// component, so that the RSC payload carries its props, not its markup a second time.
import Link from "next/link";
import { CopyButton } from "./copy-button";

/** `id` with its middle replaced by "…" when longer than `max` characters (code points). */
export function middleTruncate(id: string, max = 24): string {
  const chars = [...id];
  if (chars.length <= max) return id;
  const tail = Math.floor((max - 1) / 2);
  const head = max - 1 - tail;
  return `${chars.slice(0, head).join("")}…${chars.slice(chars.length - tail).join("")}`;
}

type Props = { id: string; href?: string; max?: number; copy?: boolean; className?: string; linkClassName?: string };

export function IdText({ id, href, max = 24, copy = true, className = "", linkClassName = "" }: Props) {
  const short = middleTruncate(id, max);
  // Data, not interface text (e2e/plain-language.spec.ts); a cut id's visible part is aria-hidden already.
  const whole = short === id;
  // Short ids are shown whole; a cut one is hidden from screen readers, which read the whole id.
  const text =
    whole ? (
      id
    ) : (
    <>
      {/* First: an absolute box sits where it would start, inside the clipped cell whatever its width. */}
      <span className="sr-only">{id}</span>
      <span aria-hidden="true">{short}</span>
    </>
  );
  return (
    <span className={`id-text ${className}`}>
      {href ? (
        <Link href={href} title={id} className={linkClassName ? `id-value ${linkClassName}` : "id-value"} data-data={whole || undefined}>{text}</Link>
      ) : (
        <span title={id} className="id-value" data-data={whole || undefined}>{text}</span>
      )}
      {copy && id && <CopyButton text={id} compact />}
    </span>
  );
}
