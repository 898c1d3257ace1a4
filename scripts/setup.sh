#!/usr/bin/env bash
# Set up the project on a fresh machine with Python 3.11: a virtual environment
# in .venv, the Python packages, and the map's JavaScript/CSS (Leaflet and
# friends, fetched once from the npm package registry into static/vendor so the
# map works on intranets with no CDN). Safe to run again; it only does what is
# missing. Usage: bash scripts/setup.sh [requirements file]
set -euo pipefail
cd "$(dirname "$0")/.."
req="${1:-requirements.txt}"

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
stamp=".venv/.installed-$(basename "$req")"
if [ ! -f "$stamp" ] || [ "$req" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
  echo "==> installing $req"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$req"
  touch "$stamp"
fi
.venv/bin/python -m geodata assets
