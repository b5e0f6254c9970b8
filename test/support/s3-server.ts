// A real S3-protocol server for the tests, as a separate process: fauxqs 1.9.2 (objects in
// memory, path-style addressing). It can be stopped and started again on the same port (the
// store "down for a minute"); its objects do not survive a stop, so a test that needs them
// after an outage pauses it with SIGSTOP instead (`freeze`), which keeps its memory.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { freePort } from "../../lib/db/embedded";

export type S3TestServer = {
  endpoint: string;
  port: number;
  bucket: string;
  /** The MEDIA_STORE=s3 environment for an app using this server. */
  env: Record<string, string>;
  client: () => S3Client;
  /** SIGSTOP: connections hang, as with a store that does not answer; `thaw` resumes it with its objects. */
  freeze: () => void;
  thaw: () => void;
  /** Stops the process (its objects are lost); `start` brings a new one up on the same port, with the bucket. */
  stop: () => Promise<void>;
  start: () => Promise<void>;
};

export async function startS3Server(bucket = "media-test"): Promise<S3TestServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const makeClient = () =>
    new S3Client({
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  const start = async () => {
    const proc = spawn(process.execPath, [join(process.cwd(), "node_modules", "fauxqs", "dist", "cli.js")], {
      env: { ...process.env, FAUXQS_PORT: String(port), FAUXQS_HOST: "127.0.0.1", FAUXQS_LOGGER: "false" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    proc.stderr?.on("data", (d) => (stderr += d));
    child = proc;
    const client = makeClient();
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`fauxqs exited: ${stderr}`);
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
        break;
      } catch (err) {
        const name = (err as Error).name;
        if (name === "BucketAlreadyOwnedByYou" || name === "BucketAlreadyExists") break;
        if (Date.now() > deadline) throw new Error(`fauxqs did not answer on ${endpoint}: ${(err as Error).message} ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    client.destroy();
  };
  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const closed = new Promise((r) => proc.once("close", r));
    proc.kill("SIGCONT");
    proc.kill("SIGKILL");
    await closed;
  };
  await start();
  return {
    endpoint,
    port,
    bucket,
    env: {
      MEDIA_STORE: "s3",
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: "test",
      S3_SECRET_ACCESS_KEY: "test",
      S3_FORCE_PATH_STYLE: "1",
    },
    client: makeClient,
    freeze: () => child?.kill("SIGSTOP"),
    thaw: () => child?.kill("SIGCONT"),
    stop,
    start,
  };
}
