#!/usr/bin/env bash
# Set up the project on a fresh machine with Python 3.11: a virtual environment
# in .venv, the Python packages, and the map's JavaScript/CSS (Leaflet and
# friends, fetched once from the npm package registry into static/vendor so the
# map works on intranets with no CDN). Packages come from a lock file (every
# version pinned, every file's hash checked), so a fresh machine gets the versions
# the tests ran with; scripts/lock.sh refreshes it from the ranges in
# requirements*.txt. Safe to run again; it only does what is missing.
# Usage: bash scripts/setup.sh [lock file, default requirements.lock]
set -euo pipefail
cd "$(dirname "$0")/.."
lock="${1:-requirements.lock}"

py=""
for cand in python3.11 python3 python; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    py="$cand"; break
  fi
done
if [ -z "$py" ]; then
  echo "需要 Python 3.11 或更新版本 / Python 3.11 or newer is required" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $py"
  "$py" -m venv .venv
fi
stamp=".venv/.installed-$(basename "$lock")"
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
  echo "==> installing $lock"
  .venv/bin/python -m pip install --quiet --require-hashes -r "$lock"
  .venv/bin/python -m pip check
  touch "$stamp"
fi
.venv/bin/python -m geodata assets
