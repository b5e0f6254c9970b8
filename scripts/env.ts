// Every command reads `.env` (and `.env.local`, `.env.production`, ...) as `next start` does,
// before anything reads the environment: variables already set win over the files. Import first.
import nextEnv from "@next/env";

// Messages go to stderr: `npm run export` writes its data to stdout.
const toStderr = { info: (...args: unknown[]) => console.error(...args), error: (...args: unknown[]) => console.error(...args) };
nextEnv.loadEnvConfig(process.cwd(), false, toStderr);
