#!/usr/bin/env bash
# The browser tests drive the system's Chromium. Install it from apt when it is missing and we
# can (root, apt available); otherwise say what to do. The interface is mostly read in Chinese:
# without a CJK font Chromium draws every character as an empty box, so layouts, line breaks and
# screenshots would be judged on boxes. A small one (WenQuanYi Micro Hei) is installed likewise.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
can_install() { [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; }
packages=()
[[ -x "$chromium" ]] || packages+=(chromium)
if ! { command -v fc-list >/dev/null && fc-list :lang=zh | grep -q .; }; then packages+=(fonts-wqy-microhei); fi
if [[ ${#packages[@]} -eq 0 ]]; then exit 0; fi
if can_install; then
  echo "[ensure-chromium] installing ${packages[*]} from apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  exit 0
fi
if [[ ! -x "$chromium" ]]; then
  echo "[ensure-chromium] no Chromium at $chromium: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH" >&2
  exit 1
fi
echo "[ensure-chromium] no CJK font: Chinese pages will show empty boxes (Debian/Ubuntu: sudo apt-get install fonts-wqy-microhei)" >&2
