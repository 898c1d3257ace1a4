"""Demand layers (population or workers) and the numeric test "within reach".

Three kinds of layer, all tied to a region's towns:

* :class:`PointDemand`: weighted points (CSV with longitude/latitude columns, or
  GeoJSON/GeoPackage points) with a weight field; also a GeoTIFF in a
  geographic CRS, whose positive cells become points at their centres.
* :class:`GridDemand`: a GeoTIFF in a projected, metre-based CRS, kept as an
  implicit grid (origin, cell size, shape) plus the flat indices, weights and
  towns of its positive cells; no Python object per cell.
* :class:`TownDemand`: per-town totals (CSV with a town code column and the
  weight field, no coordinates), **assumed spread evenly over each town**; the
  covered demand of a town is then its total × its covered share of area.

The cores :func:`points_within` and :func:`grid_within` take coordinates in
metres and a radius in metres and return boolean masks; they never see a
geometry. A point or cell centre at distance ≤ ``radius_m`` of a site counts
as within reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from errors import Problem, RecordError
from geodata.crs import STORAGE_CRS, CoordSystem, convert_points, require_metric
from geodata.tables import (
    TOWN_CODE_ALIASES,
    TableEncodingError,
    has_lonlat,
    lonlat_table,
    pick_column,
    read_lonlat,
    read_text_table,
)
from geodata.towns import burn_order, town_of_points

RASTER_SUFFIXES = (".tif", ".tiff")


class DemandLayer(Protocol):
    """What the engine asks of any demand layer (no type checks downstream).

    ``crs``: the metric CRS of its points (``None`` for per-town totals);
    ``even_spread``: totals assumed spread evenly over each town.
    """

    crs: pyproj.CRS | None
    source: str
    kind: str
    even_spread: bool

    def town_totals(self, n_towns: int) -> NDArray[np.float64]: ...

    def covered(self, site_xy: NDArray[np.float64] | None, radius_m: float, *, n_towns: int,
                covered_share: NDArray[np.float64]) -> tuple[NDArray[np.bool_] | None, NDArray[np.float64]]: ...

    def gap_weights(self, parts: NDArray, town: NDArray[np.int64], area_m2: NDArray[np.float64], *,
                    towns_metric: NDArray, parts_crs: pyproj.CRS, covered: NDArray[np.bool_] | None
                    ) -> NDArray[np.float64]: ...

    def weighted_points(self, samples: NDArray[np.float64], sample_town: NDArray[np.int64], n_towns: int
                        ) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...


# --------------------------------------------------------------------------- layers


@dataclass(frozen=True)
class PointDemand:
    """Weighted demand points. ``xy``: n × 2 metres in ``crs``; ``town``: index of the
    region's town holding each point (-1: outside every town)."""

    xy: NDArray[np.float64]
    weight: NDArray[np.float64]
    town: NDArray[np.int64]
    crs: pyproj.CRS
    source: str = ""
    kind: str = "points"
    even_spread: ClassVar[bool] = False

    def points(self) -> NDArray[np.float64]:
        """The demand points (n × 2, metres in ``crs``)."""
        return self.xy

    def town_totals(self, n_towns: int) -> NDArray[np.float64]:
        """Weight per town (points outside every town count nowhere)."""
        return _by_town(self.town, self.weight, None, n_towns)

    def within(self, site_xy: NDArray[np.float64], radius_m: float) -> NDArray[np.bool_]:
        """Which points lie within ``radius_m`` of sites ``site_xy`` (metres in ``crs``)."""
        return points_within(site_xy, self.xy, radius_m)

    def covered(self, site_xy, radius_m, *, n_towns, covered_share):
        """The within-reach mask over the points and the covered weight per town."""
        mask = self.within(site_xy, radius_m)
        return mask, _by_town(self.town, self.weight, mask, n_towns)

    def gap_weights(self, parts, town, area_m2, *, towns_metric, parts_crs, covered):
        """Weight inside each gap polygon (``parts``, metric ``parts_crs``) that no site reaches."""
        polys = parts if pyproj.CRS(parts_crs).equals(self.crs) else _reproject(parts, parts_crs, self.crs)
        return _weight_in(polys, self.points()[~covered], self.weight[~covered])

    def weighted_points(self, samples, sample_town, n_towns):
        """The points to cover and their weights (the layer itself; ``samples`` unused)."""
        return self.points(), self.weight


@dataclass(frozen=True)
class GridDemand:
    """Demand on a regular grid in a metric ``crs``.

    Row 0 is the top row; the centre of cell (row i, col j) is
    ``(x_left + (j + 0.5) * cell_x, y_top - (i + 0.5) * cell_y)`` in metres.
    ``cells`` holds the flat indices (``i * nx + j``) of cells with weight > 0,
    ``weight`` their weights and ``town`` the index of their town (-1: none).
    """

    x_left: float
    y_top: float
    cell_x: float
    cell_y: float
    shape: tuple[int, int]
    cells: NDArray[np.int64]
    weight: NDArray[np.float64]
    town: NDArray[np.int64]
    crs: pyproj.CRS
    source: str = ""
    kind: str = "grid"
    even_spread: ClassVar[bool] = False

    def points(self) -> NDArray[np.float64]:
        """Centres of the weighted cells (metres in ``crs``)."""
        return self.centres()

    def town_totals(self, n_towns: int) -> NDArray[np.float64]:
        """Weight per town (cells outside every town count nowhere)."""
        return _by_town(self.town, self.weight, None, n_towns)

    def within(self, site_xy: NDArray[np.float64], radius_m: float) -> NDArray[np.bool_]:
        """Which weighted cells have their centre within ``radius_m`` of sites ``site_xy``."""
        return grid_within(site_xy, radius_m, x_left=self.x_left, y_top=self.y_top, cell_x=self.cell_x,
                           cell_y=self.cell_y, shape=self.shape)[self.cells]

    covered = PointDemand.covered
    gap_weights = PointDemand.gap_weights
    weighted_points = PointDemand.weighted_points

    def centres(self, cells: NDArray[np.int64] | None = None) -> NDArray[np.float64]:
        """Cell-centre coordinates (m) of ``cells`` (default: all weighted cells)."""
        cells = self.cells if cells is None else cells
        rows, cols = np.divmod(cells, self.shape[1])
        return np.column_stack(
            [self.x_left + (cols + 0.5) * self.cell_x, self.y_top - (rows + 0.5) * self.cell_y]
        )


@dataclass(frozen=True)
class TownDemand:
    """Per-town totals, aligned with the region's towns; assumed spread evenly over each town."""

    total: NDArray[np.float64]
    source: str = ""
    kind: str = "town_totals"
    even_spread: ClassVar[bool] = True
    crs: ClassVar[None] = None

    def town_totals(self, n_towns: int) -> NDArray[np.float64]:
        """The totals, aligned with the region's towns."""
        return self.total.astype(float)

    def covered(self, site_xy, radius_m, *, n_towns, covered_share):
        """No mask (there are no points); each town's total × its covered share of area."""
        return None, self.total * covered_share

    def gap_weights(self, parts, town, area_m2, *, towns_metric, parts_crs, covered):
        """A gap's share of its town's total, by area."""
        town_area = shapely.area(towns_metric)
        return self.total[town] * area_m2 / town_area[town]

    def weighted_points(self, samples, sample_town, n_towns):
        """The area ``samples`` (metres), each carrying an equal part of its town's total."""
        per_town = np.bincount(sample_town, minlength=n_towns)
        return samples, self.total[sample_town] / per_town[sample_town]


Demand = PointDemand | GridDemand | TownDemand


def _reproject(geoms: NDArray, src: pyproj.CRS, dst: pyproj.CRS) -> NDArray:
    import geopandas as gpd

    return np.asarray(gpd.GeoSeries(geoms, crs=src).to_crs(dst).values, dtype=object)


def _weight_in(polys: NDArray, xy: NDArray[np.float64], weight: NDArray[np.float64]) -> NDArray[np.float64]:
    """Weight of the points ``xy`` inside each polygon; a point on a shared line counts once."""
    if len(polys) == 0 or len(xy) == 0:
        return np.zeros(len(polys))
    pt_idx, poly_idx = shapely.STRtree(polys).query(shapely.points(xy), predicate="intersects")
    first = np.unique(pt_idx, return_index=True)[1]
    return np.bincount(poly_idx[first], weights=weight[pt_idx[first]], minlength=len(polys)).astype(float)


def _by_town(town: NDArray[np.int64], weight: NDArray[np.float64], mask: NDArray[np.bool_] | None,
             n_towns: int | None = None) -> NDArray[np.float64]:
    keep = town >= 0 if mask is None else (town >= 0) & mask
    n = int(town.max()) + 1 if n_towns is None and len(town) else (n_towns or 0)
    return np.bincount(town[keep], weights=weight[keep], minlength=n).astype(float)


# ---------------------------------------------------------------------- numeric cores


def points_within(site_xy: NDArray[np.float64], pts_xy: NDArray[np.float64], radius_m: float) -> NDArray[np.bool_]:
    """True for each point within ``radius_m`` (≤) of any site; all coordinates in metres."""
    radius_m = float(radius_m)
    site_xy = np.asarray(site_xy, dtype=float).reshape(-1, 2)
    pts_xy = np.asarray(pts_xy, dtype=float).reshape(-1, 2)
    if len(site_xy) == 0 or len(pts_xy) == 0:
        return np.zeros(len(pts_xy), dtype=bool)
    dist, _ = cKDTree(site_xy).query(pts_xy, k=1, distance_upper_bound=np.nextafter(radius_m, np.inf))
    return dist <= radius_m


def grid_within(
    site_xy: NDArray[np.float64],
    radius_m: float,
    *,
    x_left: float,
    y_top: float,
    cell_x: float,
    cell_y: float,
    shape: tuple[int, int],
) -> NDArray[np.bool_]:
    """Flat boolean mask over a grid: cells whose centre is within ``radius_m`` of a site.

    Each site's disk is rasterised row by row: for every grid row its disk
    crosses, the run of columns whose centres lie within the radius is computed
    in closed form, and the runs are marked with a difference array and one
    cumulative sum. Work grows with sites × rows per disk, plus one pass over
    the grid; no Python loop over sites or cells. Coordinates in metres.
    """
    radius_m = float(radius_m)
    ny, nx = shape
    site_xy = np.asarray(site_xy, dtype=float).reshape(-1, 2)
    if len(site_xy) == 0 or ny * nx == 0:
        return np.zeros(ny * nx, dtype=bool)
    sx, sy = site_xy[:, 0], site_xy[:, 1]
    frow = (y_top - sy) / cell_y - 0.5  # fractional row index of each site
    r_rows = radius_m / cell_y
    i0 = np.clip(np.ceil(frow - r_rows), 0, ny).astype(np.int64)
    i1 = np.clip(np.floor(frow + r_rows), -1, ny - 1).astype(np.int64)
    nrows = np.maximum(i1 - i0 + 1, 0)
    owner = np.repeat(np.arange(len(sx)), nrows)
    offsets = np.arange(nrows.sum()) - np.repeat(np.cumsum(nrows) - nrows, nrows)
    rows = np.repeat(i0, nrows) + offsets
    dy = (y_top - (rows + 0.5) * cell_y) - sy[owner]
    half = np.sqrt(np.maximum(radius_m * radius_m - dy * dy, 0.0))
    fx = (sx[owner] - x_left) / cell_x - 0.5
    j0 = np.clip(np.ceil(fx - half / cell_x), 0, nx).astype(np.int64)
    j1 = np.clip(np.floor(fx + half / cell_x), -1, nx - 1).astype(np.int64)
    ok = j0 <= j1
    rows, j0, j1 = rows[ok], j0[ok], j1[ok]
    width = nx + 1
    diff = np.zeros(ny * width, dtype=np.int32)
    np.add.at(diff, rows * width + j0, 1)
    np.add.at(diff, rows * width + j1 + 1, -1)
    diff = diff.reshape(ny, width)
    np.cumsum(diff, axis=1, out=diff)
    return (diff[:, :nx] > 0).ravel()


# -------------------------------------------------------------------------- loaders


def _weights(values: pd.Series, source: str, field: str, lines: list[int] | None = None) -> NDArray[np.float64]:
    """Weights as numbers ≥ 0; every bad one named by its line in the file (``lines``, default: row + 2)."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() | (numbers < 0)
    if bad.any():
        raise RecordError(
            [
                Problem("scoring.bad_weight", {"value": values.iloc[i]}, file=source,
                        row=lines[i] if lines else i + 2, field=field)
                for i in np.flatnonzero(bad.to_numpy())[:20]
            ]
        )
    return numbers.to_numpy(dtype=float)


def assign_towns(towns_metric: NDArray, xy: NDArray[np.float64], codes) -> NDArray[np.int64]:
    """Index of the town (metric polygons) holding each point (metres); -1 for none; a point on a
    shared line goes to the smallest town code (:func:`geodata.towns.town_of_points`)."""
    return town_of_points(towns_metric, codes, xy)


def point_demand(
    lng, lat, weight, *, towns, crs: pyproj.CRS, source: str = ""
) -> PointDemand:
    """Weighted points from WGS84 longitudes/latitudes (degrees), projected to metric ``crs``;
    ``towns``: the region's towns frame (EPSG:4326, ``code`` column)."""
    crs = require_metric(crs, what="demand")
    lng = np.asarray(lng, dtype=float)
    lat = np.asarray(lat, dtype=float)
    to_m = pyproj.Transformer.from_crs(STORAGE_CRS, crs, always_xy=True)
    x, y = to_m.transform(lng, lat)
    xy = np.column_stack([x, y])
    towns_m = _towns_in(towns.geometry, crs)
    return PointDemand(xy, np.asarray(weight, dtype=float), assign_towns(towns_m, xy, towns["code"]), crs, source)


def _towns_in(towns_wgs84, crs: pyproj.CRS) -> NDArray:
    import geopandas as gpd

    series = gpd.GeoSeries(towns_wgs84, crs=STORAGE_CRS) if not hasattr(towns_wgs84, "to_crs") else towns_wgs84
    return np.asarray(series.to_crs(crs).values, dtype=object)


def load_demand(
    path: str | Path,
    *,
    weight_field: str | None,
    towns,
    metric_crs: pyproj.CRS,
    coords: str | CoordSystem = "wgs84",
) -> Demand:
    """Read a demand layer for ``towns`` (the region's towns frame, EPSG:4326).

    * GeoTIFF: band 1 is the weight (nodata and negatives count as 0); a metric
      raster becomes a :class:`GridDemand` in its own CRS, a geographic one a
      :class:`PointDemand` of its positive cells' centres.
    * CSV with longitude/latitude columns (``lng``/``lon``/``longitude`` and
      ``lat``/``latitude``) in ``coords`` (wgs84, gcj02 or bd09) plus
      ``weight_field``: :class:`PointDemand`.
    * CSV with a town code column (``town_code`` or ``code``) and ``weight_field``
      but no coordinates: :class:`TownDemand` (spread evenly over each town).
    * GeoJSON/GeoPackage/Shapefile of points with ``weight_field``: :class:`PointDemand`.
    """
    path = Path(path)
    source = path.name
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    if path.suffix.lower() in RASTER_SUFFIXES:
        return _load_raster(path, towns=towns, metric_crs=metric_crs)
    if path.suffix.lower() in (".csv", ".txt"):
        try:
            text = read_text_table(path)
        except TableEncodingError as exc:
            raise RecordError(Problem("scoring.demand_format", file=source)) from exc
        if text is None:
            raise RecordError(Problem("scoring.demand_format", file=source))
        if not has_lonlat(text.header):
            table = text.frame()
            field = _require_field(weight_field, list(table.columns), source)
            code_col = pick_column(text.header, TOWN_CODE_ALIASES)
            if code_col is None:
                raise RecordError(Problem("scoring.demand_format", file=source))
            return town_demand(table.iloc[:, code_col].str.strip(),
                               _weights(table[field], source, field, text.lines),
                               town_codes=towns["code"], source=source, lines=text.lines)
        points = lonlat_table(text, coords=coords)
        field = _require_field(weight_field, list(points.frame.columns), source)
        return point_demand(points.lng, points.lat, _weights(points.frame[field], source, field, points.lines),
                            towns=towns, crs=metric_crs, source=source)
    table, lng, lat = read_points(path, coords=coords)
    field = _require_field(weight_field, [c for c in table.columns if c != "geometry"], source)
    return point_demand(lng, lat, _weights(table[field], source, field), towns=towns, crs=metric_crs,
                        source=source)


def read_points(path: str | Path, *, coords: str | CoordSystem = "wgs84") -> tuple[pd.DataFrame, NDArray, NDArray]:
    """Attributes and WGS84 longitudes/latitudes (degrees) of a point file.

    CSV: read by :func:`geodata.tables.read_lonlat` (UTF-8, BOM or GBK;
    Chinese or English longitude/latitude headers) in ``coords`` (wgs84,
    gcj02 or bd09, or the system its headers name). GeoJSON,
    GeoPackage, Shapefile: point geometries; a geographic file is taken to be
    in ``coords``, a projected one is reprojected to WGS84.
    """
    path = Path(path)
    source = path.name
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    if path.suffix.lower() in (".csv", ".txt"):
        try:
            table = read_lonlat(path, coords=coords)
        except TableEncodingError as exc:
            raise RecordError(Problem("scoring.demand_format", file=source)) from exc
        return table.frame, table.lng, table.lat
    import geopandas as gpd

    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError family
        raise RecordError(Problem("scoring.demand_format", file=source)) from exc
    if not (frame.geom_type == "Point").all():
        raise RecordError(Problem("scoring.demand_format", file=source))
    if frame.crs is None or pyproj.CRS(frame.crs).is_geographic:
        lng, lat = convert_points(frame.geometry.x, frame.geometry.y, coords, CoordSystem.WGS84)
    else:
        geo = frame.geometry.to_crs(STORAGE_CRS)
        lng, lat = geo.x.to_numpy(), geo.y.to_numpy()
    return pd.DataFrame(frame.drop(columns=frame.geometry.name)), lng, lat


def _require_field(field: str | None, columns: list[str], source: str) -> str:
    if field is None or field not in columns:
        raise RecordError(
            Problem("scoring.weight_field_missing", {"field": field or "", "known": ", ".join(map(str, columns))},
                    file=source)
        )
    return field


def town_demand(codes, weights, *, town_codes, source: str = "", lines: list[int] | None = None) -> TownDemand:
    """Per-town totals aligned with ``town_codes``; unknown codes are errors (``lines``: file line of each)."""
    index = {str(c): i for i, c in enumerate(town_codes)}
    codes = [str(c) for c in codes]
    bad = [(i, c) for i, c in enumerate(codes) if c not in index]
    if bad:
        raise RecordError(
            [Problem("scoring.unknown_town", {"value": c}, file=source, row=lines[i] if lines else i + 2)
             for i, c in bad[:20]]
        )
    total = np.zeros(len(index))
    np.add.at(total, [index[c] for c in codes], np.asarray(weights, dtype=float))
    return TownDemand(total, source)


def _load_raster(path: Path, *, towns, metric_crs: pyproj.CRS) -> Demand:
    import rasterio

    with rasterio.open(path) as src:
        band = src.read(1, masked=True).astype(float).filled(0.0)
        transform, crs = src.transform, pyproj.CRS(src.crs) if src.crs else None
    if crs is None:
        raise RecordError(Problem("crs.missing", file=path.name))
    if transform.b != 0 or transform.d != 0 or transform.e >= 0:
        raise RecordError(Problem("scoring.demand_format", file=path.name))
    if crs.is_geographic:
        band[~np.isfinite(band) | (band < 0)] = 0.0
        ny, nx = band.shape
        cells = np.flatnonzero(band.ravel() > 0)
        rows, cols = np.divmod(cells, nx)
        lng = transform.c + (cols + 0.5) * transform.a
        lat = transform.f + (rows + 0.5) * transform.e
        return point_demand(lng, lat, band.ravel()[cells], towns=towns, crs=metric_crs, source=path.name)
    return grid_demand(band, transform, crs, towns=towns, source=path.name)


def grid_demand(band: NDArray, transform, crs, *, towns, source: str = "") -> GridDemand:
    """A :class:`GridDemand` from a 2-D weight array on a north-up grid in metric ``crs``.

    ``transform``: the raster's affine transform (``rasterio``/``affine``);
    ``towns``: the region's towns frame (EPSG:4326), burnt onto the grid by cell
    centre to give each weighted cell its town. Non-finite and negative
    weights count as 0.
    """
    from rasterio import features

    crs = require_metric(crs, what="demand raster")
    band = np.asarray(band)
    ny, nx = band.shape
    flat = band.ravel()
    cells = np.flatnonzero(np.isfinite(flat) & (flat > 0))
    towns_m = _towns_in(towns.geometry, crs)
    # smallest code burnt last, so a cell centre on a shared line goes to it (the one point-in-town rule)
    labels = features.rasterize(
        ((towns_m[i], int(i) + 1) for i in burn_order(towns["code"])), out_shape=(ny, nx),
        transform=transform, fill=0, dtype="int32",
    ).ravel()
    return GridDemand(
        x_left=transform.c, y_top=transform.f, cell_x=transform.a, cell_y=-transform.e, shape=(ny, nx),
        cells=cells.astype(np.int64), weight=flat[cells].astype(float), town=labels[cells].astype(np.int64) - 1,
        crs=crs, source=source,
    )
