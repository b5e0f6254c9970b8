// Starts bench/lib/bare-receiver.mjs (the bare Node + pg receiver) as a child process.
import { spawn } from "node:child_process";
import { join } from "node:path";

export type BareReceiver = { url: string; stop: () => Promise<void> };

/** `table`: where the rows go (video_events unless told). */
export async function startBareReceiver(databaseUrl: string, table = "video_events"): Promise<BareReceiver> {
  const child = spawn(process.execPath, [join(process.cwd(), "bench", "lib", "bare-receiver.mjs"), databaseUrl, table], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("exit", (code) => reject(new Error(`the bare receiver exited (${code}) before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
