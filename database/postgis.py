"""PostGIS geometry of the registry's records, on a PostgreSQL registry (component ``"geometry"``).

Every site gets ``geom geometry(Point, 4326)``: a stored generated column made
from ``lng``/``lat`` (WGS84 degrees), so it is always in step with them and no
store writes it, with a GiST index; every town of the region (``region_towns``,
outlines kept as WKB in ``geometry``) gets ``geom geometry(Geometry, 4326)`` the
same way. A GIS colleague opens the tables ``sites`` and ``region_towns`` in
QGIS (or any PostGIS client) as layers in EPSG:4326. Applied after the
components ``sites`` and ``region``. On a SQLite file the
component is recorded but has no statements (:class:`database.migrations.Only`).
"""

from __future__ import annotations

from database.migrations import Migration, Only

COMPONENT = "geometry"

GEOMETRY_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "PostGIS point of each site, in step with lng/lat", (
        Only("postgresql", "ALTER TABLE sites ADD COLUMN geom geometry(Point, 4326) "
                           "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lng, lat), 4326)) STORED"),
        Only("postgresql", "CREATE INDEX sites_geom ON sites USING GIST (geom)"),
    )),
    Migration(2, "PostGIS outline of each town of the region, in step with its WKB", (
        Only("postgresql", "ALTER TABLE region_towns ADD COLUMN geom geometry(Geometry, 4326) "
                           "GENERATED ALWAYS AS (ST_SetSRID(ST_GeomFromWKB(geometry), 4326)) STORED"),
        Only("postgresql", "CREATE INDEX region_towns_geom ON region_towns USING GIST (geom)"),
    )),
)
