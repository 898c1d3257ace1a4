#!/usr/bin/env bash
# Set up (if needed) and run the app on the bundled Nanhai data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.lock
exec .venv/bin/python -m streamlit run app.py "$@"
