"""Street networks: reading what users can get, prepared once as plain arrays.

Sources
-------
* an OpenStreetMap extract, ``.osm.pbf`` (read with pyosmium, ``osmium``), e.g. a
  provincial extract, optionally clipped to the region on load;
* a lines file: GeoJSON (``.geojson``/``.json``), GeoPackage (``.gpkg``, first
  layer), Shapefile (``.shp``) or a zipped Shapefile (``.zip``), read by pyogrio;
  optional fields ``highway`` (OSM classes, filtered by the rules below),
  ``oneway`` (``yes``/``-1``/``no``), ``name``, and ``foot``/``bicycle``/``access``.

The coordinate system is **asked, never assumed**: :func:`read_network` takes a
required ``crs`` (``wgs84``, ``gcj02``, ``bd09``; see :mod:`geodata.crs`). OSM data
is WGS84; a lines file in a projected CRS (its ``.prj``) is reprojected and then
``crs`` must be ``wgs84``.

Which ways are kept (OSM tags)
------------------------------
Walking (``mode="walk"``): ``highway`` in :data:`WALK_HIGHWAYS` (footways, paths,
steps, pedestrian streets, tracks, cycleways and every road class up to primary),
and motorways/trunk roads (:data:`MOTOR_ONLY`) only when tagged ``foot=yes``/
``designated``/``permissive``. Dropped: ``foot=no``/``private``/``use_sidepath``;
``access=no``/``private`` unless ``foot`` allows; ``area=yes`` (a square's
outline is not a street); ``service=private``; anything under construction,
proposed or abandoned. One-way tags are ignored: people walk both ways.

Cycling (``mode="cycle"``): road classes (:data:`CYCLE_HIGHWAYS`), footways/
paths/pedestrian streets only with ``bicycle=yes``/``designated``/``permissive``;
motorways/trunk only with ``bicycle=yes``; dropped ``bicycle=no``/``private``/
``use_sidepath`` and ``access=no``/``private`` unless ``bicycle`` allows. One-way
streets bind (``oneway=yes``/``1``/``true``/``-1``, ``junction=roundabout``) unless
``oneway:bicycle=no``.

In a lines file without a ``highway`` field every line is kept, and so is a line
whose ``highway`` is empty.

The prepared network
--------------------
Every vertex of a kept way is a node (so every edge is a straight segment and
snapping onto it is exact); ways connect where they share a node: an OSM node
id, or in a lines file the same coordinates to 1e-7° (about 1 cm). Lines that
cross without a shared vertex (a bridge over a road) do not connect. Node
coordinates are kept in WGS84 and in metres in the UTM zone that
:func:`geodata.crs.metric_crs_for_bounds` picks from the extent; edge lengths are
measured in that zone (scale error ≤ 0.04 % within 3° of its central meridian).
Repeated segments are kept once. :meth:`StreetNetwork.save`/:meth:`load` store it
as ``.npz`` so a network is prepared once.
"""

from __future__ import annotations

import io
import json
import warnings as py_warnings
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from errors import CRSError, Problem, RecordError, UnreadableFile
from geodata.crs import STORAGE_CRS, CoordSystem, convert_points, metric_crs_for_bounds

MODES = ("walk", "cycle")
#: Highway classes kept for walking.
WALK_HIGHWAYS = frozenset({
    "footway", "pedestrian", "path", "steps", "living_street", "residential", "service", "unclassified",
    "tertiary", "tertiary_link", "secondary", "secondary_link", "primary", "primary_link", "track",
    "cycleway", "road", "corridor", "bridleway",
})
#: Highway classes kept for cycling (footways etc. only when bicycles are allowed by tag).
CYCLE_HIGHWAYS = frozenset({
    "living_street", "residential", "service", "unclassified", "tertiary", "tertiary_link", "secondary",
    "secondary_link", "primary", "primary_link", "track", "cycleway", "road",
})
#: Roads for motor traffic only unless a foot/bicycle tag says otherwise.
MOTOR_ONLY = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
_FOOT_PATHS = frozenset({"footway", "path", "pedestrian", "steps", "bridleway", "corridor"})
_YES = frozenset({"yes", "designated", "permissive"})
_DENY = frozenset({"no", "private", "use_sidepath"})
_TAGS = ("highway", "foot", "bicycle", "access", "area", "service", "oneway", "oneway:bicycle", "junction", "name")
_LINE_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip"}
_NODE_ROUND_DEG = 1e7  # lines: vertices equal to 1e-7° are one node
_FORMAT = "street-network/1"


def keep_way(tags: Mapping[str, str], mode: str = "walk") -> bool:
    """Whether a way with these OSM tags is kept for ``mode`` (``walk`` or ``cycle``); see the module docstring."""
    highway = (tags.get("highway") or "").strip()
    if not highway:
        return False
    if tags.get("area") == "yes" or tags.get("service") == "private":
        return False
    who = "foot" if mode == "walk" else "bicycle"
    allow = tags.get(who)
    if allow in _DENY:
        return False
    if tags.get("access") in {"no", "private"} and allow not in _YES:
        return False
    if highway in MOTOR_ONLY:
        return allow in (_YES if mode == "walk" else {"yes", "designated"})
    if mode == "walk":
        return highway in WALK_HIGHWAYS
    return highway in CYCLE_HIGHWAYS or (highway in _FOOT_PATHS and allow in _YES)


def oneway_direction(tags: Mapping[str, str], mode: str = "walk") -> int:
    """0: both ways; 1: only along the way's drawing order; -1: only against it. Always 0 when walking."""
    if mode == "walk" or tags.get("oneway:bicycle") == "no":
        return 0
    value = (tags.get("oneway") or "").strip().lower()
    if value in {"yes", "true", "1"}:
        return 1
    if value in {"-1", "reverse"}:
        return -1
    if value in {"no", "false", "0"}:
        return 0
    return 1 if tags.get("junction") in {"roundabout", "circular"} else 0


@dataclass(frozen=True)
class NetworkSummary:
    """What was kept: ``nodes`` (every vertex), ``junctions`` (nodes where other
    than two segments meet: crossings and dead ends), ``segments`` (straight
    edges), ``length_km``, ``pieces`` (connected components, ignoring direction)
    and ``largest_piece_share`` (the largest piece's share of the street length, 0–1)."""

    nodes: int
    junctions: int
    segments: int
    length_km: float
    pieces: int
    largest_piece_share: float

    def as_dict(self) -> dict[str, float | int]:
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class StreetNetwork:
    """A prepared street network (plain arrays).

    Nodes: ``lon``/``lat`` (WGS84 degrees), ``x``/``y`` (metres in ``metric_crs``).
    Edges: ``edge_from``/``edge_to`` (node indices), ``length_m``, ``oneway`` (1 when
    the edge may be travelled only from ``edge_from`` to ``edge_to``; all 0 for
    walking), ``edge_way`` (index into the way tables ``way_id`` (OSM way id, or the
    feature's row in a lines file), ``way_name``, ``way_highway``).
    ``mode``: ``walk`` or ``cycle``; ``source``: the file it came from;
    ``source_crs``: the coordinate system the user said it was in.
    """

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    edge_from: NDArray[np.int64]
    edge_to: NDArray[np.int64]
    length_m: NDArray[np.float64]
    oneway: NDArray[np.int8]
    edge_way: NDArray[np.int64]
    way_id: NDArray[np.int64]
    way_name: NDArray[np.str_]
    way_highway: NDArray[np.str_]
    mode: str
    metric_crs: str
    source: str = ""
    source_crs: str = "wgs84"
    meta: dict[str, str] = field(default_factory=dict)

    def summary(self) -> NetworkSummary:
        n, m = len(self.x), len(self.edge_from)
        if m == 0:
            return NetworkSummary(n, 0, 0, 0.0, 0, 0.0)
        a = np.minimum(self.edge_from, self.edge_to)
        b = np.maximum(self.edge_from, self.edge_to)
        pairs = np.unique(a * n + b)
        degree = np.bincount(np.concatenate([pairs // n, pairs % n]), minlength=n)
        adj = coo_matrix((np.ones(m), (self.edge_from, self.edge_to)), shape=(n, n))
        k, label = connected_components(adj, directed=False)
        used = degree > 0
        per_piece = np.bincount(label[self.edge_from], weights=self.length_m, minlength=k)
        total = float(self.length_m.sum())
        pieces = len(np.unique(label[used]))
        return NetworkSummary(
            nodes=int(used.sum()),
            junctions=int(((degree != 2) & used).sum()),
            segments=m,
            length_km=total / 1000.0,
            pieces=pieces,
            largest_piece_share=float(per_piece.max() / total) if total > 0 else 0.0,
        )

    def save(self, path: str | Path) -> Path:
        """Write the arrays to ``path`` (``.npz``, uncompressed: loads in milliseconds)."""
        path = Path(path)
        with path.open("wb") as fh:
            self._write(fh)
        return path

    def to_bytes(self) -> bytes:
        """The ``.npz`` of :meth:`save` as bytes (what the registry stores, :mod:`sites.network_store`)."""
        buffer = io.BytesIO()
        self._write(buffer)
        return buffer.getvalue()

    def _write(self, fh) -> None:
        meta = {"format": _FORMAT, "mode": self.mode, "metric_crs": self.metric_crs, "source": self.source,
                "source_crs": self.source_crs, **self.meta}
        np.savez(fh, lon=self.lon, lat=self.lat, x=self.x, y=self.y, edge_from=self.edge_from,
                 edge_to=self.edge_to, length_m=self.length_m, oneway=self.oneway, edge_way=self.edge_way,
                 way_id=self.way_id, way_name=self.way_name, way_highway=self.way_highway,
                 meta=np.array(json.dumps(meta)))

    @classmethod
    def load(cls, path: str | Path) -> StreetNetwork:
        """Read a network written by :meth:`save`. Raises :class:`errors.UnreadableFile` for anything else."""
        path = Path(path)
        return cls._read(path, path.name)

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "network.npz") -> StreetNetwork:
        """A network from :meth:`to_bytes`' bytes (``name``: how errors name it)."""
        return cls._read(io.BytesIO(data), name)

    @classmethod
    def _read(cls, source, name: str) -> StreetNetwork:
        try:
            with np.load(source, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            meta = json.loads(str(arrays.pop("meta")))
            if meta.pop("format", None) != _FORMAT:
                raise ValueError("not a prepared street network")
        except (OSError, ValueError, KeyError) as exc:
            raise UnreadableFile(Problem("network.not_prepared", {"reason": str(exc)}, file=name)) from exc
        return cls(**arrays, mode=meta.pop("mode"), metric_crs=meta.pop("metric_crs"),
                   source=meta.pop("source", ""), source_crs=meta.pop("source_crs", "wgs84"), meta=meta)


# ------------------------------------------------------------------------------- reading


def read_network(
    path: str | Path,
    *,
    crs: str | CoordSystem,
    mode: str = "walk",
    region: shapely.Geometry | None = None,
) -> StreetNetwork:
    """Read and prepare a street network from an ``.osm.pbf`` extract or a lines file.

    ``crs``: required, the coordinate system the file's longitudes/latitudes are in
    (``wgs84`` for OpenStreetMap; ``gcj02``/``bd09`` for Amap/Baidu-derived lines).
    ``mode``: ``walk`` or ``cycle`` (which ways are kept, whether one-way binds).
    ``region``: a (multi)polygon in WGS84; only segments with both ends inside are kept.
    Raises :class:`errors.UnreadableFile` (format, unreadable, nothing kept),
    :class:`errors.CRSError` (unknown or conflicting crs), :class:`errors.RecordError` (mode).
    """
    path = Path(path)
    system = CoordSystem.parse(crs)
    if mode not in MODES:
        raise RecordError(Problem("network.mode", {"value": mode, "allowed": ", ".join(MODES)}))
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    name = path.name.lower()
    if name.endswith(".pbf"):
        parts = _read_pbf(path, mode)
    elif path.suffix.lower() in _LINE_SUFFIXES:
        parts = _read_lines(path, mode, system)
    else:
        raise UnreadableFile(Problem("network.format", {"suffix": path.suffix or path.name}, file=path.name))
    lon, lat, key, way, direction, way_ids, names, highways = parts
    if system is not CoordSystem.WGS84 and len(lon):
        lon, lat = convert_points(lon, lat, system, CoordSystem.WGS84)
    net = prepare(lon, lat, key, way, direction, way_ids, names, highways, mode=mode, region=region,
                  source=str(path), source_crs=system.value)
    if len(net.edge_from) == 0:
        raise UnreadableFile(Problem("network.empty", {"mode": mode}, file=path.name))
    return net


def prepare(
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    key: NDArray[np.int64] | None,
    way: NDArray[np.int64],
    direction: NDArray[np.int8],
    way_ids: NDArray[np.int64],
    names: NDArray[np.str_],
    highways: NDArray[np.str_],
    *,
    mode: str,
    region: shapely.Geometry | None = None,
    source: str = "",
    source_crs: str = "wgs84",
) -> StreetNetwork:
    """The prepared network from way vertices in drawing order (WGS84 degrees).

    ``way``: the way of each vertex (consecutive vertices of one way form its
    segments); ``key``: node identity per vertex (OSM node id), or ``None`` to join
    vertices with equal coordinates; ``direction``/``way_ids``/``names``/``highways``: per way.
    """
    lon = np.asarray(lon, np.float64)
    lat = np.asarray(lat, np.float64)
    way = np.asarray(way, np.int64)
    if key is None:
        key = np.round(lon * _NODE_ROUND_DEG).astype(np.int64) * 4_000_000_000 + np.round(
            (lat + 90.0) * _NODE_ROUND_DEG).astype(np.int64)
    uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
    n_lon, n_lat = lon[first], lat[first]
    same = way[1:] == way[:-1]
    src = np.flatnonzero(same)
    u, v, ew = inv[src], inv[src + 1], way[src]
    ow = np.asarray(direction, np.int8)[ew] if len(ew) else np.zeros(0, np.int8)
    if mode == "walk":
        ow = np.zeros(len(u), np.int8)
    back = ow < 0
    u, v = np.where(back, v, u), np.where(back, u, v)
    ow = (ow != 0).astype(np.int8)
    keep = u != v
    if region is not None and len(n_lon):
        shapely.prepare(region)  # many point-in-polygon tests against one outline
        inside = shapely.contains_xy(region, n_lon, n_lat) | shapely.intersects_xy(region.boundary, n_lon, n_lat)
        keep &= inside[u] & inside[v]
    u, v, ew, ow = u[keep], v[keep], ew[keep], ow[keep]
    # one segment per node pair (per direction rule): undirected for two-way edges
    a = np.where(ow == 0, np.minimum(u, v), u)
    b = np.where(ow == 0, np.maximum(u, v), v)
    _, pick = np.unique(np.column_stack([a, b, ow]), axis=0, return_index=True) if len(a) else (None, np.zeros(0, int))
    pick = np.sort(pick)
    u, v, ew, ow = u[pick], v[pick], ew[pick], ow[pick]
    used = np.zeros(len(uniq), bool)
    used[u] = True
    used[v] = True
    new_index = np.cumsum(used) - 1
    n_lon, n_lat = n_lon[used], n_lat[used]
    u, v = new_index[u], new_index[v]
    if len(n_lon):
        metric = metric_crs_for_bounds(n_lon.min(), n_lat.min(), n_lon.max(), n_lat.max())
    else:
        metric = pyproj.CRS.from_epsg(32649)
    tr = pyproj.Transformer.from_crs(STORAGE_CRS, metric, always_xy=True)
    x, y = tr.transform(n_lon, n_lat)
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    return StreetNetwork(
        lon=n_lon, lat=n_lat, x=x, y=y, edge_from=u.astype(np.int64), edge_to=v.astype(np.int64),
        length_m=length, oneway=ow, edge_way=ew.astype(np.int64), way_id=np.asarray(way_ids, np.int64),
        way_name=np.asarray(names, dtype=np.str_), way_highway=np.asarray(highways, dtype=np.str_),
        mode=mode, metric_crs=f"EPSG:{metric.to_epsg()}", source=source, source_crs=source_crs,
    )


def _read_pbf(path: Path, mode: str):
    try:
        import osmium
    except ImportError as exc:  # pragma: no cover - osmium is a runtime dependency
        raise UnreadableFile(Problem("network.osmium_missing", file=path.name)) from exc
    # compact typed buffers: a provincial extract has tens of millions of way nodes
    lon, lat = array("d"), array("d")
    key, way, way_ids = array("q"), array("q"), array("q")
    direction = array("b")
    names: list[str] = []
    highways: list[str] = []
    try:
        # nodes are read for the location cache only; the tag filter drops them (and untagged ways) before the loop
        proc = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations().with_filter(
            osmium.filter.EntityFilter(osmium.osm.WAY)).with_filter(osmium.filter.KeyFilter("highway"))
        for w in proc:
            tags = {k: w.tags.get(k) for k in _TAGS if k in w.tags}
            if not keep_way(tags, mode):
                continue
            refs = [(n.ref, n.lon, n.lat) for n in w.nodes if n.location.valid()]
            if len(refs) < 2:
                continue
            i = len(names)
            for ref, x, y in refs:
                key.append(ref)
                lon.append(x)
                lat.append(y)
                way.append(i)
            direction.append(oneway_direction(tags, mode))
            way_ids.append(w.id)
            names.append(tags.get("name", ""))
            highways.append(tags.get("highway", ""))
    except RuntimeError as exc:
        raise UnreadableFile(Problem("network.unreadable", {"reason": str(exc)}, file=path.name)) from exc
    return (np.frombuffer(lon, np.float64), np.frombuffer(lat, np.float64), np.frombuffer(key, np.int64),
            np.frombuffer(way, np.int64), np.frombuffer(direction, np.int8), np.frombuffer(way_ids, np.int64),
            np.array(names, dtype=np.str_),
            np.array(highways, dtype=np.str_))


def _read_lines(path: Path, mode: str, system: CoordSystem):
    import geopandas as gpd
    import pyogrio

    try:
        with py_warnings.catch_warnings():
            py_warnings.simplefilter("ignore", RuntimeWarning)
            gdf = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError,
            shapely.errors.GEOSException) as exc:
        reason = str(exc).replace(str(path.parent) + "/", "")
        raise UnreadableFile(Problem("network.unreadable", {"reason": reason}, file=path.name)) from exc
    gdf = gdf.reset_index(drop=True)
    gdf = gdf[~gdf.geometry.isna() & ~gdf.geometry.is_empty]
    kinds = set(gdf.geometry.geom_type)
    if not kinds <= {"LineString", "MultiLineString"}:
        raise UnreadableFile(Problem("network.not_lines", {"types": ", ".join(sorted(kinds))}, file=path.name))
    if gdf.crs is not None and not pyproj.CRS(gdf.crs).is_geographic:
        if system is not CoordSystem.WGS84:
            raise CRSError(Problem("network.crs_conflict", {"file_crs": pyproj.CRS(gdf.crs).name,
                                                            "crs": system.label()}, file=path.name))
        gdf = gdf.to_crs(STORAGE_CRS)
    elif gdf.crs is not None:
        gdf = gdf.to_crs(STORAGE_CRS)
    gdf = gdf.explode(index_parts=False)
    feature = np.asarray(gdf.index, np.int64)  # the row in the file (after dropping empty geometries: same)
    gdf = gdf.reset_index(drop=True)
    cols = {c.lower(): c for c in gdf.columns if c != gdf.geometry.name}

    def column(name: str) -> list[str]:
        c = cols.get(name)
        if c is None:
            return [""] * len(gdf)
        return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip() for v in gdf[c]]

    tag_cols = {t: column(t) for t in ("highway", "foot", "bicycle", "access", "area", "service", "oneway",
                                       "oneway:bicycle", "junction", "name")}
    rows = range(len(gdf))
    tags = [{t: vals[i] for t, vals in tag_cols.items() if vals[i]} for i in rows]
    keep = np.array([("highway" not in tg) or keep_way(tg, mode) for tg in tags], bool)
    direction = np.array([oneway_direction(tg, mode) for tg in tags], np.int8)
    geoms = gdf.geometry.values[keep]
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    minx, miny = (coords.min(axis=0) if len(coords) else (0.0, 0.0))
    maxx, maxy = (coords.max(axis=0) if len(coords) else (0.0, 0.0))
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        bounds = f"({minx:.6g}, {miny:.6g}) – ({maxx:.6g}, {maxy:.6g})"
        raise CRSError(Problem("network.not_lonlat", {"bounds": bounds, "crs": system.label()}, file=path.name))
    names = np.array(tag_cols["name"], dtype=np.str_)[keep]
    highways = np.array(tag_cols["highway"], dtype=np.str_)[keep]
    return (coords[:, 0].copy(), coords[:, 1].copy(), None, index.astype(np.int64), direction[keep],
            feature[keep], names, highways)
