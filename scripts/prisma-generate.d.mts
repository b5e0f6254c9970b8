/** Runs `prisma generate --schema <schema>` (scripts/prisma-generate.mjs). */
export function generatePrismaClient(options?: { schema?: string; cwd?: string; quiet?: boolean }): void;
