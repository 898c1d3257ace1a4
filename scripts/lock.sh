#!/usr/bin/env bash
# Refresh the lock files from the ranges in requirements*.txt: every package, direct or not, pinned to one
# version with the hashes of its files, so a fresh machine installs exactly what the tests ran with.
#   bash scripts/lock.sh            # keep the pinned versions where the ranges still allow them
#   bash scripts/lock.sh --upgrade  # take the newest versions the ranges allow (then run the tests!)
# pip-tools runs from a throwaway virtual environment; nothing is added to .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools"
"$tools/bin/python" -m pip install --quiet "pip-tools>=7.4,<8"
for name in requirements requirements-dev; do
  echo "==> $name.lock"
  "$tools/bin/pip-compile" --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
    --no-emit-find-links "$@" --output-file "$name.lock" "$name.txt"
done
