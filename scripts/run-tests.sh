#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite, the browser test included
# (it needs Debian's chromium: apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.lock
exec .venv/bin/python -m pytest "$@"
