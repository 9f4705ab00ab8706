#!/usr/bin/env bash
# axe-core (the accessibility engine the browser tests inject) from the npm registry, cached.
set -euo pipefail
dir="${XDG_CACHE_HOME:-$HOME/.cache}/intersections/axe"
[[ -n "${AXE_CORE_JS:-}" && -f "${AXE_CORE_JS}" ]] && exit 0
[[ -f "$dir/axe.min.js" ]] && { echo "axe-core cached at $dir/axe.min.js"; exit 0; }
command -v npm >/dev/null || { echo "npm not found: cannot fetch axe-core"; exit 1; }
mkdir -p "$dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack axe-core@4 --silent >/dev/null && tar xzf axe-core-*.tgz package/axe.min.js)
mv "$tmp/package/axe.min.js" "$dir/axe.min.js"
echo "axe-core fetched to $dir/axe.min.js"
