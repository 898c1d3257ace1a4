"""Files of the data page: uploads read through :mod:`sites.io`, exports written by it, all in temporary
directories (never in the repository); no Streamlit here.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import geopandas as gpd

from errors import ImportRejected
from settings import Language
from sites.io import export_sites, read_records
from sites.store import SiteStore
from sites.uploads import display_name, stored_upload
from sites.validation import RawRecords

#: MIME type of each export format.
EXPORT_MIME: dict[str, str] = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".geojson": "application/geo+json",
    ".gpkg": "application/geopackage+sqlite3",
}


#: What the import accepts, judged from the content.
IMPORT_KINDS = ("csv", "xlsx", "geojson", "gpkg")
#: What the region switch accepts.
BOUNDARY_KINDS = ("geojson", "gpkg", "shapefile_zip")


def safe_name(name: str) -> str:
    """The last part of an uploaded file's name (no directories, no control characters, at most 100
    characters), never empty: :func:`sites.uploads.display_name`."""
    return display_name(name)


def uploaded_records(name: str, data: bytes) -> RawRecords:
    """An uploaded CSV/XLSX/GeoJSON/GeoPackage, checked by :func:`sites.uploads.check_upload` (size, content, zip and
    XML safety) and read by :func:`sites.io.read_records` from a generated path; ``ImportRejected`` if refused.
    Records and problems name the user's file (:func:`safe_name`), never the generated path."""
    shown = safe_name(name)
    try:
        with stored_upload(name, data, IMPORT_KINDS) as upload:
            records = read_records(upload.path)
    except ImportRejected as exc:
        problems = [dataclasses.replace(p, file=shown) if p.file else p for p in exc.problems]
        raise type(exc)(problems, lang=exc.lang) from exc
    records.file = shown
    records.warnings[:] = [dataclasses.replace(p, file=shown) if p.file else p for p in records.warnings]
    return records


def export_bytes(store: SiteStore, suffix: str, lang: Language) -> bytes:
    """Every site of ``store`` exported by :func:`sites.io.export_sites` in the format of ``suffix``."""
    with tempfile.TemporaryDirectory(prefix="export-") as tmp:
        path = Path(tmp) / f"sites{suffix}"
        export_sites(store.list_sites(), path, towns=store.towns(), lang=lang)
        return path.read_bytes()


def boundary_fields(path: Path) -> list[str]:
    """The attribute fields of a boundary file (GeoJSON, GeoPackage, zipped Shapefile)."""
    frame = gpd.read_file(path, rows=1, engine="pyogrio")
    return [str(c) for c in frame.columns if c != frame.geometry.name]
