#!/usr/bin/env bash
# Set up (if needed) and run the app on the bundled Nanhai data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.lock
# the uploaders state and enforce the product's upload limit (settings.upload_max_mb), not Streamlit's 200 MB
limit=$(.venv/bin/python -c 'import math; from settings import get_settings; print(math.ceil(get_settings().upload_max_mb))')
# app_pages.serve = streamlit run app.py, with the pages' modules imported before the server listens
exec .venv/bin/python -m app_pages.serve --server.maxUploadSize "$limit" "$@"
