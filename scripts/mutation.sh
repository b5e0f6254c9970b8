#!/usr/bin/env bash
# One Stryker run per domain, one after the other (see stryker.config.mjs). Pass domain names to
# run only those: `npm run test:mutation -- auth`.
set -euo pipefail
cd "$(dirname "$0")/.."
domains=("$@")
[ ${#domains[@]} -eq 0 ] && domains=(ingest auth media)
for domain in "${domains[@]}"; do
  echo "== mutation testing lib/$domain"
  STRYKER_DOMAIN="$domain" npx stryker run stryker.config.mjs
done
