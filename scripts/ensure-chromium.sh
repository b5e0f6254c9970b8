#!/usr/bin/env bash
# The browser tests drive the system's Chromium. Install it from apt when it is missing and we
# can (root, apt available); otherwise say what to do.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ -x "$chromium" ]]; then exit 0; fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "[ensure-chromium] installing chromium from apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "[ensure-chromium] no Chromium at $chromium: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH" >&2
exit 1
