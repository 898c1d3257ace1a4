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
class LonLatGridDemand:
    """Demand on a regular longitude/latitude grid (WorldPop, GHS-POP as published), measured in metres.

    The grid is kept as published (``x_left``/``y_top``/``cell_x``/``cell_y`` in degrees of
    ``grid_crs``; row 0 on top) with the flat indices, weights and towns of its weighted cells inside
    a town; sites come in metres of the metric ``crs`` like every layer. :meth:`within` marks the
    cells whose centre lies within the radius by :func:`lonlat_grid_within` (each site's disk as the
    ellipse the metric CRS makes of it on the grid, exact to the second order: 0.2 m at 5 km), so no
    cell is ever projected to be tested; cell centres are projected only when asked (:meth:`points`).
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
    grid_crs: pyproj.CRS
    source: str = ""
    kind: str = "grid"
    even_spread: ClassVar[bool] = False

    def points(self) -> NDArray[np.float64]:
        """Centres of the weighted cells, projected to metres in ``crs`` (for gaps and siting)."""
        rows, cols = np.divmod(self.cells, self.shape[1])
        x, y = pyproj.Transformer.from_crs(self.grid_crs, self.crs, always_xy=True).transform(
            self.x_left + (cols + 0.5) * self.cell_x, self.y_top - (rows + 0.5) * self.cell_y)
        return np.column_stack([x, y])

    def town_totals(self, n_towns: int) -> NDArray[np.float64]:
        """Weight per town."""
        return _by_town(self.town, self.weight, None, n_towns)

    def within(self, site_xy: NDArray[np.float64], radius_m: float) -> NDArray[np.bool_]:
        """Which weighted cells have their centre within ``radius_m`` of sites ``site_xy`` (metres in ``crs``)."""
        site_xy = np.asarray(site_xy, dtype=float).reshape(-1, 2)
        to_grid = pyproj.Transformer.from_crs(self.crs, self.grid_crs, always_xy=True)
        lng, lat = to_grid.transform(site_xy[:, 0], site_xy[:, 1])
        metric = pyproj.Transformer.from_crs(self.grid_crs, self.crs, always_xy=True)
        return lonlat_grid_within(np.column_stack([lng, lat]), metric, radius_m, x_left=self.x_left,
                                  y_top=self.y_top, cell_x=self.cell_x, cell_y=self.cell_y,
                                  shape=self.shape)[self.cells]

    covered = PointDemand.covered
    gap_weights = PointDemand.gap_weights
    weighted_points = PointDemand.weighted_points


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


Demand = PointDemand | GridDemand | LonLatGridDemand | TownDemand


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
    from scipy.spatial import cKDTree  # imported when used: importing scoring needs no scipy (0.16 s)

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


def lonlat_grid_within(
    site_lnglat: NDArray[np.float64],
    metric: pyproj.Transformer,
    radius_m: float,
    *,
    x_left: float,
    y_top: float,
    cell_x: float,
    cell_y: float,
    shape: tuple[int, int],
) -> NDArray[np.bool_]:
    """Flat mask over a lon/lat grid (degrees): cells whose centre is within ``radius_m`` metres of a site.

    Distances are those of the metric CRS ``metric`` projects to, linearised at each site: the
    Jacobian J of lon/lat → metres there gives d² = a·Δλ² + 2b·Δλ·Δφ + c·Δφ² (JᵀJ = [[a, b], [b, c]]),
    an ellipse on the grid. For each grid row the ellipse crosses, the run of columns inside it is
    solved in closed form, and the runs are marked as :func:`grid_within` marks them. The neglected
    second-order term is about r·(r/R)² for radius r and Earth radius R (0.2 m at 5 km).
    """
    radius_m = float(radius_m)
    ny, nx = shape
    site = np.asarray(site_lnglat, dtype=float).reshape(-1, 2)
    if len(site) == 0 or ny * nx == 0:
        return np.zeros(ny * nx, dtype=bool)
    lng, lat = site[:, 0], site[:, 1]
    h = 1e-4  # degrees, for the Jacobian by central differences (about 10 m)
    x_e, y_e = metric.transform(lng + h, lat)
    x_w, y_w = metric.transform(lng - h, lat)
    x_n, y_n = metric.transform(lng, lat + h)
    x_s, y_s = metric.transform(lng, lat - h)
    j00, j10 = (np.asarray(x_e) - x_w) / (2 * h), (np.asarray(y_e) - y_w) / (2 * h)
    j01, j11 = (np.asarray(x_n) - x_s) / (2 * h), (np.asarray(y_n) - y_s) / (2 * h)
    a, b, c = j00 * j00 + j10 * j10, j00 * j01 + j10 * j11, j01 * j01 + j11 * j11
    det = np.maximum(a * c - b * b, 1e-300)
    half_lat = radius_m * np.sqrt(a / det)  # degrees of latitude the ellipse spans either side
    frow = (y_top - lat) / cell_y - 0.5
    i0 = np.clip(np.ceil(frow - half_lat / cell_y), 0, ny).astype(np.int64)
    i1 = np.clip(np.floor(frow + half_lat / cell_y), -1, ny - 1).astype(np.int64)
    nrows = np.maximum(i1 - i0 + 1, 0)
    owner = np.repeat(np.arange(len(site)), nrows)
    offsets = np.arange(nrows.sum()) - np.repeat(np.cumsum(nrows) - nrows, nrows)
    rows = np.repeat(i0, nrows) + offsets
    dlat = (y_top - (rows + 0.5) * cell_y) - lat[owner]
    ao, bo, co = a[owner], b[owner], c[owner]
    disc = np.maximum((bo * dlat) ** 2 - ao * (co * dlat * dlat - radius_m * radius_m), 0.0)
    centre = lng[owner] - bo * dlat / ao
    half = np.sqrt(disc) / ao
    j0 = np.clip(np.ceil((centre - half - x_left) / cell_x - 0.5), 0, nx).astype(np.int64)
    j1 = np.clip(np.floor((centre + half - x_left) / cell_x - 0.5), -1, nx - 1).astype(np.int64)
    return _mark_runs(rows, j0, j1, shape)


def _mark_runs(rows: NDArray[np.int64], j0: NDArray[np.int64], j1: NDArray[np.int64],
               shape: tuple[int, int]) -> NDArray[np.bool_]:
    """Flat mask of a ``shape`` grid with columns ``j0..j1`` of each ``rows`` set (a difference array)."""
    ny, nx = shape
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


@dataclass(frozen=True)
class DemandSource:
    """A demand layer as read from its file, before it is tied to a region's towns: plain arrays.

    ``kind``: ``points`` (``lng``, ``lat`` WGS84 degrees, ``weight``), ``town_totals`` (``code``,
    ``weight``; ``lines``: each row's line in the file) or ``raster`` (``band``: 2-D weights of the
    window read, ``transform``: its 6 affine numbers, ``crs``: the raster's CRS as WKT). What the
    demand store keeps in the database, and what :func:`build_demand` turns into a :data:`Demand`.
    """

    kind: str
    source: str
    arrays: dict[str, NDArray]
    crs_wkt: str = ""

    @property
    def total(self) -> float:
        """Sum of the weights (raster: of the window read)."""
        values = self.arrays["band" if self.kind == "raster" else "weight"]
        return float(np.nansum(np.where(np.asarray(values) > 0, values, 0)))

    @property
    def size(self) -> int:
        """Number of points, towns or weighted cells."""
        if self.kind == "raster":
            return int(np.count_nonzero(self.arrays["band"] > 0))
        return int(len(self.arrays["weight"]))


def load_demand(
    path: str | Path,
    *,
    weight_field: str | None,
    towns,
    metric_crs: pyproj.CRS,
    coords: str | CoordSystem = "wgs84",
) -> Demand:
    """Read a demand layer for ``towns`` (the region's towns frame, EPSG:4326).

    * GeoTIFF: band 1 is the weight (nodata and negatives count as 0), read only
      in the window of the region's extent (:func:`read_raster_window`); a metric
      raster becomes a :class:`GridDemand` in its own CRS, a geographic one a
      :class:`LonLatGridDemand` of its weighted cells inside a town.
    * CSV with longitude/latitude columns (``lng``/``lon``/``longitude`` and
      ``lat``/``latitude``) in ``coords`` (wgs84, gcj02 or bd09) plus
      ``weight_field``: :class:`PointDemand`.
    * CSV with a town code column (``town_code`` or ``code``) and ``weight_field``
      but no coordinates: :class:`TownDemand` (spread evenly over each town).
    * GeoJSON/GeoPackage/Shapefile of points with ``weight_field``: :class:`PointDemand`.
    """
    bounds = tuple(float(v) for v in towns.total_bounds)
    source = read_demand_source(path, weight_field=weight_field, coords=coords, bounds_wgs84=bounds)
    return build_demand(source, towns=towns, metric_crs=metric_crs)


def read_demand_source(
    path: str | Path,
    *,
    weight_field: str | None,
    coords: str | CoordSystem = "wgs84",
    bounds_wgs84: tuple[float, float, float, float] | None = None,
) -> DemandSource:
    """Read a demand file (see :func:`load_demand`) into plain arrays; a raster only within
    ``bounds_wgs84`` (the region's extent, lon/lat degrees: min x, min y, max x, max y)."""
    path = Path(path)
    source = path.name
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    if path.suffix.lower() in RASTER_SUFFIXES:
        band, transform, crs = read_raster_window(path, bounds_wgs84=bounds_wgs84)
        return DemandSource("raster", source, {"band": band, "transform": np.asarray(transform[:6], dtype=float)},
                            crs.to_wkt())
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
            codes = np.asarray(table.iloc[:, code_col].str.strip(), dtype=str)
            return DemandSource("town_totals", source, {
                "code": codes, "weight": _weights(table[field], source, field, text.lines),
                "lines": np.asarray(text.lines, dtype=np.int64)})
        points = lonlat_table(text, coords=coords)
        field = _require_field(weight_field, list(points.frame.columns), source)
        weight = _weights(points.frame[field], source, field, points.lines)
        return DemandSource("points", source, {"lng": np.asarray(points.lng, dtype=float),
                                               "lat": np.asarray(points.lat, dtype=float), "weight": weight})
    table, lng, lat = read_points(path, coords=coords)
    field = _require_field(weight_field, [c for c in table.columns if c != "geometry"], source)
    return DemandSource("points", source, {"lng": np.asarray(lng, dtype=float), "lat": np.asarray(lat, dtype=float),
                                           "weight": _weights(table[field], source, field)})


def build_demand(source: DemandSource, *, towns, metric_crs: pyproj.CRS) -> Demand:
    """The :data:`Demand` of ``source`` on ``towns`` (the region's towns frame, EPSG:4326)."""
    arrays = source.arrays
    if source.kind == "raster":
        from affine import Affine

        transform = Affine(*np.asarray(arrays["transform"], dtype=float)[:6])
        return raster_demand(arrays["band"], transform, pyproj.CRS.from_wkt(source.crs_wkt), towns=towns,
                             metric_crs=metric_crs, source=source.source)
    if source.kind == "town_totals":
        lines = arrays.get("lines")
        return town_demand([str(c) for c in arrays["code"]], arrays["weight"], town_codes=towns["code"],
                           source=source.source, lines=None if lines is None else [int(v) for v in lines])
    return point_demand(arrays["lng"], arrays["lat"], arrays["weight"], towns=towns, crs=metric_crs,
                        source=source.source)


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


def read_raster_window(path: str | Path, *, bounds_wgs84: tuple[float, float, float, float] | None = None
                       ) -> tuple[NDArray[np.float32], object, pyproj.CRS]:
    """Band 1 of a north-up GeoTIFF, read only in the window that covers ``bounds_wgs84`` (lon/lat
    degrees; ``None``: the whole raster), in any CRS; non-finite, nodata and negative cells are 0.

    Returns ``(band float32, affine transform of the window, CRS)``. Memory grows with the window,
    not the file: a province raster read for a city holds the city's cells only.
    """
    import rasterio
    from rasterio.warp import transform_bounds
    from rasterio.windows import Window, from_bounds

    path = Path(path)
    with rasterio.open(path) as src:
        if src.crs is None:
            raise RecordError(Problem("crs.missing", file=path.name))
        transform, crs = src.transform, pyproj.CRS(src.crs)
        if transform.b != 0 or transform.d != 0 or transform.e >= 0:
            raise RecordError(Problem("scoring.demand_format", file=path.name))
        full = Window(0, 0, src.width, src.height)
        window = full
        if bounds_wgs84 is not None:
            left, bottom, right, top = transform_bounds("EPSG:4326", src.crs, *bounds_wgs84, densify_pts=21)
            wanted = from_bounds(left, bottom, right, top, transform=transform)
            col0, row0 = max(int(np.floor(wanted.col_off)) - 1, 0), max(int(np.floor(wanted.row_off)) - 1, 0)
            col1 = min(int(np.ceil(wanted.col_off + wanted.width)) + 1, src.width)
            row1 = min(int(np.ceil(wanted.row_off + wanted.height)) + 1, src.height)
            window = Window(col0, row0, max(col1 - col0, 0), max(row1 - row0, 0))
        band = src.read(1, window=window, masked=True, out_dtype="float32").filled(0.0)
        win_transform = src.window_transform(window)
    band[~np.isfinite(band) | (band < 0)] = 0.0
    return band, win_transform, crs


def raster_demand(band: NDArray, transform, crs, *, towns, metric_crs: pyproj.CRS, source: str = "") -> Demand:
    """Demand from a north-up raster window: a :class:`GridDemand` when ``crs`` is metric; else (lon/lat,
    as WorldPop and GHS-POP publish) a :class:`LonLatGridDemand` of the weighted cells whose centre lies
    in a town, labelled by burning the towns onto the raster's own grid (no point-in-polygon per cell,
    no cell projected)."""
    crs = pyproj.CRS(crs)
    if not crs.is_geographic:
        return grid_demand(band, transform, crs, towns=towns, source=source)
    from rasterio import features

    band = np.asarray(band)
    ny, nx = band.shape
    towns_g = _towns_in(towns.geometry, crs)
    labels = features.rasterize(
        ((towns_g[i], int(i) + 1) for i in burn_order(towns["code"])), out_shape=(ny, nx),
        transform=transform, fill=0, dtype="int32",
    ).ravel()
    flat = band.ravel()
    cells = np.flatnonzero((labels > 0) & (flat > 0))
    return LonLatGridDemand(
        x_left=transform.c, y_top=transform.f, cell_x=transform.a, cell_y=-transform.e, shape=(ny, nx),
        cells=cells.astype(np.int64), weight=flat[cells].astype(float), town=labels[cells].astype(np.int64) - 1,
        crs=require_metric(metric_crs, what="demand"), grid_crs=crs, source=source,
    )


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
