"""The region, stored in the registry database: outlines, names, codes, level and where they came from.

A boundary file is read **once** (``python -m sites init``/``set-region``, the
data page's region switch) and its towns are written here; every later command
and page reads the towns from the database, so moving, editing or deleting the
file changes nothing. Component ``region`` of :class:`database.connection.Database`
(:data:`REGION_MIGRATIONS`), portable SQL only (``?`` placeholders; TEXT, REAL,
INTEGER and BLOB columns):

* ``region`` — one row: the region's name (``name_zh``, ``name_en``), ``level``
  (``town`` 镇街 or ``county`` 区县), ``source`` (``bundled:nanhai`` or the file's
  path when it was loaded), ``file_name``, ``licence``, ``crs_given`` (the system
  the outlines came in: wgs84/gcj02/bd09 or a projected CRS's name),
  ``attribution``, ``loaded_at`` (UTC), ``loaded_by`` and ``revision`` (one more at
  every change: the cache key of the loaded towns).
* ``region_towns`` — one row per town in file order (``position``): ``code``,
  ``name``, ``name_en``, ``area_km2`` and ``geometry`` (WKB, WGS84 lon/lat).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from database.connection import Connection
from database.migrations import Migration
from errors import BoundaryError
from geodata.boundaries import TOWN_COLUMNS, Region
from geodata.crs import STORAGE_CRS
from sites.sheets import unstorable

REGION_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the region's towns, stored once", (
        """CREATE TABLE region (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name_zh TEXT NOT NULL,
            name_en TEXT NOT NULL,
            level TEXT NOT NULL CHECK (level IN ('town', 'county')),
            source TEXT NOT NULL,
            file_name TEXT NOT NULL,
            licence TEXT NOT NULL,
            crs_given TEXT NOT NULL,
            attribution TEXT NOT NULL,
            loaded_at TEXT NOT NULL,
            loaded_by TEXT NOT NULL,
            revision INTEGER NOT NULL
        )""",
        """CREATE TABLE region_towns (
            code TEXT PRIMARY KEY,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            name_en TEXT NOT NULL,
            area_km2 REAL NOT NULL,
            geometry BLOB NOT NULL
        )""",
    )),
)


@dataclass(frozen=True, slots=True)
class RegionInfo:
    """The stored region's row (no outlines): what titles, labels and the data page show."""

    name_zh: str
    name_en: str
    level: str
    source: str
    file_name: str
    licence: str
    crs_given: str
    attribution: str
    loaded_at: str
    loaded_by: str
    revision: int


_INFO_COLUMNS = ("name_zh", "name_en", "level", "source", "file_name", "licence", "crs_given", "attribution",
                 "loaded_at", "loaded_by", "revision")


def read_info(conn: Connection) -> RegionInfo | None:
    """The stored region's row, or ``None`` when no region has been stored yet."""
    row = conn.execute(f"SELECT {', '.join(_INFO_COLUMNS)} FROM region WHERE id = 1").fetchone()
    return None if row is None else RegionInfo(*row)


def read_region(conn: Connection) -> Region | None:
    """The stored region with its towns (EPSG:4326, :data:`geodata.boundaries.TOWN_COLUMNS`), or ``None``."""
    info = read_info(conn)
    if info is None:
        return None
    rows = conn.execute(
        "SELECT code, name, name_en, area_km2, geometry FROM region_towns ORDER BY position").fetchall()
    geoms = shapely.from_wkb(np.array([bytes(r[4]) for r in rows], dtype=object)) if rows else []
    towns = gpd.GeoDataFrame(
        {"code": [str(r[0]) for r in rows], "name": [r[1] for r in rows], "name_en": [r[2] for r in rows],
         "area_km2": np.array([float(r[3]) for r in rows], dtype=float)},
        geometry=list(geoms), crs=STORAGE_CRS,
    )[TOWN_COLUMNS]
    return Region(towns=towns, source=info.source, attribution=info.attribution, name_zh=info.name_zh,
                  name_en=info.name_en, level=info.level, licence=info.licence, crs_given=info.crs_given)


def write_region(conn: Connection, region: Region, *, file_name: str, loaded_at: str, loaded_by: str,
                 name_zh: str | None = None, name_en: str | None = None, licence: str | None = None) -> int:
    """Replace the stored region by ``region`` inside the caller's write transaction; returns the new revision.
    A region name or licence holding a control character (the rule of every stored text:
    :data:`sites.sheets.UNSTORABLE`) is refused with :class:`errors.BoundaryError` before anything is written."""
    texts = {"region.name_control": name_zh or region.name_zh, "region.name_en_control": name_en or region.name_en,
             "region.licence_control": licence if licence is not None else region.licence}
    bad = [p for code, text in texts.items() if (p := unstorable(text, code)) is not None]
    if bad:
        raise BoundaryError(bad)
    info = read_info(conn)
    revision = (info.revision if info else 0) + 1
    conn.execute("DELETE FROM region_towns")
    conn.execute("DELETE FROM region")
    conn.execute(
        f"INSERT INTO region (id, {', '.join(_INFO_COLUMNS)}) VALUES (1, {', '.join('?' * len(_INFO_COLUMNS))})",
        (name_zh or region.name_zh, name_en or region.name_en or name_zh or region.name_zh, region.level,
         region.source, file_name, licence if licence is not None else region.licence, region.crs_given,
         region.attribution, loaded_at, loaded_by, revision),
    )
    towns = region.towns
    wkb = shapely.to_wkb(np.asarray(towns.geometry.values, dtype=object))
    conn.executemany(
        "INSERT INTO region_towns (code, position, name, name_en, area_km2, geometry) VALUES (?, ?, ?, ?, ?, ?)",
        [(str(code), i, str(name), str(name_en or ""), float(area), bytes(blob))
         for i, (code, name, name_en, area, blob) in enumerate(zip(
             towns["code"], towns["name"], towns["name_en"], towns["area_km2"], wkb, strict=True))],
    )
    return revision


def revision(conn: Connection) -> int | None:
    """The stored region's revision (changes at every :func:`write_region`), ``None`` without one."""
    row = conn.execute("SELECT revision FROM region WHERE id = 1").fetchone()
    return None if row is None else int(row[0])
