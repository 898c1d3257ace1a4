"""Demand layers stored in the registry database, by name.

``python -m sites demand-add NAME FILE`` (and the data page) reads a demand file
**once**: points (CSV with longitude/latitude in wgs84/gcj02/bd09, GeoJSON,
GeoPackage), town totals (CSV with a town code column) or a GeoTIFF raster, read
only in the window of the region's extent (:func:`scoring.demand.read_raster_window`).
The arrays (:class:`scoring.demand.DemandSource`) are kept as one compressed
NumPy archive in a BLOB, with the layer's name, kind, source file, the CRS it
came in, unit, weight field, total, count, load date and who loaded it. A
coverage query (:class:`scoring.query.DemandRef` with ``layer``) or a target
(``Target.demand_layer``) names a layer; :meth:`DemandStore.load` ties it to
the region's towns (cached per layer and region revision).

Component ``demand`` of :class:`database.connection.Database`: one table,
portable SQL (``?`` placeholders; TEXT, REAL, INTEGER, BLOB).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from database.connection import utc_now
from database.migrations import Migration
from errors import NotFound, Problem, RecordError
from geodata.crs import CoordSystem
from scoring.demand import RASTER_SUFFIXES, Demand, DemandSource, build_demand, read_demand_source
from sites.uploads import display_name

if TYPE_CHECKING:
    from sites.store import SiteStore

KINDS: tuple[str, ...] = ("points", "town_totals", "raster")

DEMAND_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "demand layers, stored by name", (
        """CREATE TABLE demand_layers (
            name TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
            kind TEXT NOT NULL CHECK (kind IN ('points', 'town_totals', 'raster')),
            source TEXT NOT NULL,
            crs_given TEXT NOT NULL,
            unit TEXT NOT NULL,
            weight_field TEXT NOT NULL,
            total REAL NOT NULL,
            n_values INTEGER NOT NULL,
            loaded_at TEXT NOT NULL,
            loaded_by TEXT NOT NULL,
            crs_wkt TEXT NOT NULL,
            payload BLOB NOT NULL
        )""",
    )),
)

_INFO = ("name", "kind", "source", "crs_given", "unit", "weight_field", "total", "n_values", "loaded_at", "loaded_by")


@dataclass(frozen=True, slots=True)
class LayerInfo:
    """A stored layer without its arrays: what lists and pages show."""

    name: str
    kind: str
    source: str
    crs_given: str
    unit: str
    weight_field: str
    total: float
    n_values: int
    loaded_at: str
    loaded_by: str

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in _INFO}


def _pack(source: DemandSource) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{k: np.asarray(v) for k, v in source.arrays.items()})
    return buffer.getvalue()


def _unpack(kind: str, name: str, crs_wkt: str, blob: bytes) -> DemandSource:
    with np.load(io.BytesIO(bytes(blob)), allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    return DemandSource(kind, name, arrays, crs_wkt)


_CACHE: dict[tuple, Demand] = {}


class DemandStore:
    """The demand layers of one registry (``site_store``: its database, authoriser and region)."""

    def __init__(self, site_store: SiteStore):
        self.sites = site_store
        self.database = site_store.database
        self.database.migrate("demand", DEMAND_MIGRATIONS)

    # ------------------------------------------------------------------ writes

    def add(self, name: str, path: str | Path, *, actor, crs: str | None = None, weight_field: str | None = None,
            unit: str = "people", replace: bool = False, file_name: str | None = None) -> LayerInfo:
        """Read ``path`` once and store it as layer ``name`` (admins only; ``replace`` an existing one).

        ``file_name``: the file's name as the user knows it (an upload kept under a name of the server's),
        stored as the layer's source and named in its problems; default ``path``'s own name.

        ``crs``: the system of point coordinates (wgs84/gcj02/bd09), required for a points file (never
        assumed); a raster carries its own CRS, town totals have none. A raster is kept clipped to the
        region's extent. The layer is checked against the region's towns before it is stored.
        """
        name = str(name).strip()
        who = self.sites.authoriser.check_admin(actor, "demand_add", f"demand:{name}").username
        if not name:
            raise RecordError(Problem("demand.name_missing", field="name"))
        from sites.sheets import unstorable  # the rule of every stored text

        for fld, text in (("name", name), ("unit", str(unit or ""))):
            if bad := unstorable(text, field=fld):
                raise RecordError(bad)
        path = Path(path)
        shown = display_name(file_name) if file_name else path.name
        region = self.sites.region()
        is_raster = path.suffix.lower() in RASTER_SUFFIXES
        system = CoordSystem.parse(crs).value if crs else None
        source = read_demand_source(path, weight_field=weight_field, coords=system or "wgs84",
                                    bounds_wgs84=tuple(float(v) for v in region.towns.total_bounds))
        if source.kind == "points" and system is None:
            raise RecordError(Problem("demand.crs_required", file=shown))
        build_demand(source, towns=region.towns, metric_crs=region.metric_crs)  # fits this region, or says why
        if is_raster:
            import pyproj

            crs_given = pyproj.CRS.from_wkt(source.crs_wkt).to_string()
        else:
            crs_given = system or ""
        info = LayerInfo(name, source.kind, shown, crs_given, str(unit or "people"), weight_field or "",
                         source.total, source.size, utc_now(), who)
        with self.database.write_transaction() as conn:
            exists = conn.execute("SELECT 1 FROM demand_layers WHERE name = ?", (name,)).fetchone()
            if exists and not replace:
                raise RecordError(Problem("demand.exists", {"name": name}, field="name"))
            if exists:
                conn.execute("DELETE FROM demand_layers WHERE name = ?", (name,))
            conn.execute(
                f"INSERT INTO demand_layers ({', '.join(_INFO)}, crs_wkt, payload) "
                f"VALUES ({', '.join('?' * (len(_INFO) + 2))})",
                (*(getattr(info, k) for k in _INFO), source.crs_wkt, _pack(source)),
            )
        return info

    def delete(self, name: str, *, actor) -> None:
        """Delete layer ``name`` (admins only); :class:`errors.NotFound` when there is none."""
        self.sites.authoriser.check_admin(actor, "demand_delete", f"demand:{name}")
        with self.database.write_transaction() as conn:
            if conn.execute("SELECT 1 FROM demand_layers WHERE name = ?", (name,)).fetchone() is None:
                raise NotFound(Problem("demand.not_found", {"name": name, "known": self._known(conn)}))
            conn.execute("DELETE FROM demand_layers WHERE name = ?", (name,))

    # ------------------------------------------------------------------- reads

    def list(self) -> list[LayerInfo]:
        """Every stored layer, by name."""
        with self.database.connection() as conn:
            rows = conn.execute(f"SELECT {', '.join(_INFO)} FROM demand_layers ORDER BY name").fetchall()
        return [LayerInfo(*row) for row in rows]

    def info(self, name: str) -> LayerInfo | None:
        """The stored layer ``name`` (no arrays), or ``None``."""
        with self.database.connection() as conn:
            row = conn.execute(f"SELECT {', '.join(_INFO)} FROM demand_layers WHERE name = ?", (name,)).fetchone()
        return None if row is None else LayerInfo(*row)

    def load(self, name: str) -> Demand:
        """Layer ``name`` tied to the region's towns (cached per layer load and region revision);
        :class:`errors.NotFound` naming the stored layers when there is none of that name."""
        with self.database.connection() as conn:
            row = conn.execute("SELECT kind, loaded_at, crs_wkt FROM demand_layers WHERE name = ?",
                               (name,)).fetchone()
            if row is None:
                raise NotFound(Problem("demand.not_found", {"name": name, "known": self._known(conn)}))
        towns = self.sites.towns()
        info = self.sites.region_info()
        key = (str(self.database.path), name, row[1], info.revision if info else None)
        if key not in _CACHE:
            with self.database.connection() as conn:
                blob = conn.execute("SELECT payload FROM demand_layers WHERE name = ?", (name,)).fetchone()[0]
            source = _unpack(row[0], name, row[2], blob)
            if len(_CACHE) > 8:
                _CACHE.clear()
            _CACHE[key] = build_demand(source, towns=towns.region.towns, metric_crs=towns.region.metric_crs)
        return _CACHE[key]

    def demand_for(self) -> Callable[[object], Demand | None]:
        """``demand_for(target)``: the stored layer a target names (``target.demand_layer``), for the
        evaluation of targets (:func:`reports.leadership.build_report`). A ``demand_share`` target without
        a layer, or whose layer is gone, raises :class:`errors.RecordError` saying which and why; other
        measures get ``None``."""

        def demand_for(target: object) -> Demand | None:
            layer = getattr(target, "demand_layer", None)
            measure = getattr(target, "measure", None)
            name = getattr(target, "name", "")
            if not layer:
                if measure == "demand_share":
                    raise RecordError(Problem("target.no_demand", {"name": name}))
                return None
            try:
                return self.load(layer)
            except NotFound as exc:
                raise RecordError(Problem("demand.layer_gone", {"target": name, "name": layer,
                                                                "known": self._known_text()})) from exc

        return demand_for

    def _known_text(self) -> str:
        with self.database.connection() as conn:
            return self._known(conn)

    @staticmethod
    def _known(conn) -> str:
        names = [r[0] for r in conn.execute("SELECT name FROM demand_layers ORDER BY name").fetchall()]
        return ", ".join(names) or "-"
