import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: ["lib/db/generated/**", ".next/**", "dist/**", "node_modules/**", "test-results/**", "playwright-report/**", "next-env.d.ts", ".stryker-tmp/**", "reports/**"] },
  // Tests and Playwright fixtures are not React: their `use` and `use*` helpers are not hooks.
  { files: ["e2e/**", "test/**", "**/*.test.ts", "bench/**"], rules: { "react-hooks/rules-of-hooks": "off" } },
];

export default config;
