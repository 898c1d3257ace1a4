"""Start the app's server with the product's modules already imported: ``python -m app_pages.serve [ARGS]``.

``streamlit run app.py`` imports geopandas, folium, the engine and the pages' helpers in the first
script run, so the first user after a start waits about a second longer than everyone after. Here
the server process imports them before it listens (Streamlit runs every session's script in this
process, so they stay imported), then hands over to Streamlit's own command line with
``run app.py ARGS`` (``scripts/run-app.sh`` passes the upload limit).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"


#: The product's packages below the app layer, imported whole before the server listens. Not app_pages:
#: some of its modules import streamlit-folium, whose component only registers inside the running server
#: (imported before it, the map never draws).
PACKAGES = ("geodata", "sites", "scoring", "maps", "targets", "demand", "accounts", "reports", "database")


def preload() -> list[str]:
    """Import every module of :data:`PACKAGES` (not their ``__main__``) and geopandas; return their names."""
    names = ["geopandas"]
    for package in PACKAGES:
        module = importlib.import_module(package)
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(module.__path__) if m.name != "__main__"]
    for name in names:
        importlib.import_module(name)
    return names


def main(argv: list[str] | None = None) -> int:
    from streamlit.web import cli

    preload()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
