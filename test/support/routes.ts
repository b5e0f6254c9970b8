// The app's routes as the filesystem has them: every route handler file and every page under
// app/, so that tests can cover each one and fail when a new one is not covered.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

const APP = join(process.cwd(), "app");

export type RouteFile = {
  /** The route as Next maps it, segments in brackets: `/api/media/[id]/[kind]`. */
  template: string;
  file: string;
  /** The HTTP methods the file exports. */
  methods: string[];
  source: string;
};

function walk(dir: string, name: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return walk(path, name);
    return entry === name ? [path] : [];
  });
}

function template(file: string): string {
  const segments = relative(APP, file).split(sep).slice(0, -1).filter((s) => !/^\(.*\)$/.test(s));
  return `/${segments.join("/")}`;
}

export function routeFiles(): RouteFile[] {
  return walk(APP, "route.ts")
    .map((file) => {
      const source = readFileSync(file, "utf8");
      const methods = [...source.matchAll(/export\s+(?:async\s+function|const)\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b/g)].map((m) => m[1]);
      return { template: template(file), file: relative(process.cwd(), file), methods, source };
    })
    .sort((a, b) => a.template.localeCompare(b.template));
}

export function pageFiles(): { template: string; file: string }[] {
  return walk(APP, "page.tsx").map((file) => ({ template: template(file), file: relative(process.cwd(), file) }));
}

export function layoutFiles(): string[] {
  return walk(APP, "layout.tsx").map((file) => relative(process.cwd(), file));
}

/** A concrete path for a template, each `[segment]` filled from `values` (else "1"). */
export function concretePath(template: string, values: Record<string, string> = {}): string {
  return template.replace(/\[([^\]]+)\]/g, (_, name: string) => encodeURIComponent(values[name] ?? "1")) || "/";
}
