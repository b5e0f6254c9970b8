// DATA_DIR holds raw bodies (aes_key, auth_key, signed CDN links), decrypted videos and the session
// secret: for the user running the server only.
import { chmod, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * DATA_DIR and every directory under it become 0700, every file 0600. The embedded PostgreSQL's
 * cluster (DATA_DIR/postgres) is PostgreSQL's to manage; when it runs as another user (as root,
 * the server runs as "postgres"), DATA_DIR stays 0711 so that user can reach its directory:
 * others may pass through, never list or read.
 */
export async function makePrivate(dataDir: string): Promise<void> {
  const cluster = join(dataDir, "postgres");
  const clusterOwner = await lstat(cluster).then((st) => st.uid, () => null);
  const foreignCluster = clusterOwner !== null && clusterOwner !== process.getuid?.();
  await chmod(dataDir, foreignCluster ? 0o711 : 0o700);
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (path === cluster) continue;
      if (entry.isDirectory()) {
        await chmod(path, 0o700).catch(() => {});
        await walk(path);
      } else if (entry.isFile()) await chmod(path, 0o600).catch(() => {});
    }
  };
  await walk(dataDir);
}
