"""Convert a file's coordinates between WGS84, GCJ-02 (Amap) and BD-09 (Baidu).

:func:`convert_file` is what ``python -m geodata convert IN OUT --from gcj02 --to wgs84`` runs.

Formats, chosen by extension:

* GeoJSON (``.geojson``/``.json``) and GeoPackage (``.gpkg``): every vertex of
  every geometry is converted; attributes are kept. A GeoPackage is converted
  **with all its layers** (same layer names in the output); writing a
  multi-layer GeoPackage to GeoJSON, which holds one layer, is refused. The
  input must be longitude/latitude (no CRS, or a geographic one); the output is
  labelled EPSG:4326, the label all three systems share.
* CSV (``.csv`` to ``.csv``), read by the one lon/lat table reader
  (:mod:`geodata.tables`): the longitude/latitude column pair is detected
  from its header (``lng``/``lat``, ``lon``/``lat``, ``longitude``/``latitude``,
  ``经度``/``纬度``, case-insensitive, optionally suffixed with the system, e.g.
  ``lng_gcj02``) and converted in place; every other cell, the column order,
  the delimiter and the line endings are kept as they were. UTF-8, UTF-8 with
  BOM and GBK (read as GB18030, its superset) are read, and the output is
  written **in the same encoding** as the input so the file opens the same way
  in Excel. A system suffix in the header is renamed to the target system
  (``lng_gcj02`` → ``lng_wgs84``) and must match ``--from``.

Coordinates are written with 8 decimals (about 1 mm). On any error nothing is
written: the output goes to a temporary file in the same folder and is renamed
over ``output`` only when complete.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pyogrio
import pyproj

from errors import CRSError, Problem, RecordError
from geodata.crs import STORAGE_CRS, CoordSystem, convert_frame, convert_points, out_of_china
from geodata.tables import HEADER_RE, TableEncodingError, find_lonlat, parse_lonlat, read_text_table
from i18n import t
from settings import Language

_VECTOR = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}
_DECIMALS = 8


@dataclass
class ConvertReport:
    """What :func:`convert_file` did.

    ``rows`` counts CSV data rows, ``features`` vector features (all layers);
    ``columns`` is the CSV (longitude, latitude) header pair as written;
    ``unshifted`` counts CSV rows outside China, which GCJ-02 leaves in place.
    """

    input: Path
    output: Path
    src: CoordSystem
    dst: CoordSystem
    kind: str
    rows: int = 0
    features: int = 0
    layers: list[str] = field(default_factory=list)
    columns: tuple[str, str] | None = None
    encoding: str | None = None
    unshifted: int = 0

    def summary(self, lang: Language | None = None) -> str:
        """One line saying what was converted, in ``lang`` (default: the configured language)."""
        common = {"src": self.src.label(), "dst": self.dst.label(), "output": self.output.name}
        if self.kind == "csv":
            assert self.columns is not None
            text = t("convert.summary.csv", lang, rows=self.rows, lng=self.columns[0], lat=self.columns[1],
                     encoding=self.encoding, **common)
            if self.unshifted:
                text += t("convert.summary.unshifted", lang, count=self.unshifted)
            return text
        return t("convert.summary.vector", lang, features=self.features, layers=", ".join(self.layers), **common)


def convert_file(
    input: str | Path, output: str | Path, src: str | CoordSystem, dst: str | CoordSystem
) -> ConvertReport:
    """Convert the coordinates of ``input`` from ``src`` to ``dst`` and write ``output``.

    Both paths' extensions choose the format (see the module docstring);
    ``src``/``dst`` are ``wgs84``, ``gcj02`` or ``bd09`` (or an alias of
    :meth:`CoordSystem.parse`). Coordinates are longitude/latitude in degrees.
    Raises :class:`errors.RecordError` (bad CSV cells, every one named by line
    and column), :class:`errors.CRSError` or :class:`FileNotFoundError`;
    nothing is written then.
    """
    input, output = Path(input), Path(output)
    src, dst = CoordSystem.parse(src), CoordSystem.parse(dst)
    if not input.exists():
        raise FileNotFoundError(2, "No such file", str(input))
    kinds = [_kind(p) for p in (input, output)]
    if (kinds[0] == "csv") != (kinds[1] == "csv"):
        raise RecordError(Problem("convert.format_mismatch", {"src_format": input.suffix, "dst_format": output.suffix},
                                  file=input.name))
    if kinds[0] == "csv":
        return _convert_csv(input, output, src, dst)
    return _convert_vector(input, output, src, dst)


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in _VECTOR:
        return _VECTOR[suffix]
    raise RecordError(Problem("convert.format", {"suffix": path.suffix or path.name}, file=path.name))


def _write_atomically(output: Path, write: Callable[[Path], None]) -> None:
    """Run ``write`` on a temporary file next to ``output``, then rename it over ``output``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=output.suffix, dir=output.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        tmp_path.unlink()  # drivers such as GPKG want to create the file themselves
        write(tmp_path)
        os.replace(tmp_path, output)
    finally:
        tmp_path.unlink(missing_ok=True)


# ------------------------------------------------------------------------ vectors


def _convert_vector(input: Path, output: Path, src: CoordSystem, dst: CoordSystem) -> ConvertReport:
    try:
        layers = [str(name) for name in pyogrio.list_layers(input)[:, 0]]
    except pyogrio.errors.DataSourceError as exc:
        raise RecordError(Problem("convert.unreadable", {"reason": str(exc)}, file=input.name)) from exc
    driver = _VECTOR[output.suffix.lower()]
    if driver == "GeoJSON" and len(layers) > 1:
        raise RecordError(Problem("convert.many_layers", {"count": len(layers), "layers": ", ".join(layers)},
                                  file=input.name))
    frames = []
    for layer in layers:
        gdf = _lonlat(gpd.read_file(input, layer=layer, engine="pyogrio"), src, input.name)
        frames.append(convert_frame(gdf, src, dst))

    def write(tmp: Path) -> None:
        for layer, frame in zip(layers, frames, strict=True):
            if driver == "GPKG":
                frame.to_file(tmp, layer=layer, driver=driver, engine="pyogrio")
            else:
                frame.to_file(tmp, driver=driver, engine="pyogrio")

    _write_atomically(output, write)
    return ConvertReport(input, output, src, dst, kind="vector", features=sum(len(f) for f in frames),
                         layers=layers)


def _lonlat(gdf: gpd.GeoDataFrame, system: CoordSystem, file: str) -> gpd.GeoDataFrame:
    """The frame as EPSG:4326-labelled lon/lat; a projected CRS or non-degree coordinates are refused.

    A geographic CRS other than EPSG:4326 (e.g. CGCS2000, EPSG:4490) is
    transformed to it first.
    """
    if gdf.crs is not None:
        crs = pyproj.CRS(gdf.crs)
        if not crs.is_geographic:
            raise CRSError(Problem("crs.not_wgs84", {"crs": crs.name}, file=file))
        if not crs.equals(STORAGE_CRS):
            gdf = gdf.to_crs(STORAGE_CRS)
    if gdf.empty or gdf.geometry.isna().all():
        return gdf
    minx, miny, maxx, maxy = gdf.total_bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        bounds = f"({minx:.6g}, {miny:.6g}) – ({maxx:.6g}, {maxy:.6g})"
        raise CRSError(Problem("convert.not_lonlat", {"bounds": bounds, "crs": system.label()}, file=file))
    return gdf


# ---------------------------------------------------------------------------- CSV


def _rename(name: str, dst: CoordSystem) -> str:
    """``lng_gcj02`` → ``lng_wgs84``; names without a system suffix stay as they are."""
    match = HEADER_RE.match(name.strip())
    if match is None or not match["sys"]:
        return name
    start, end = match.span("sys")
    offset = len(name) - len(name.lstrip())
    return name[: offset + start] + dst.value + name[offset + end :]


def _format(value: float) -> str:
    text = f"{value:.{_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _convert_csv(input: Path, output: Path, src: CoordSystem, dst: CoordSystem) -> ConvertReport:
    try:
        table = read_text_table(input, keep_blank=True)
    except TableEncodingError as exc:
        raise RecordError(Problem("convert.encoding", file=input.name)) from exc
    if table is None:
        raise RecordError(Problem("convert.empty_csv", file=input.name))
    header, rows, encoding, delimiter, newline = table.header, table.rows, table.encoding, table.delimiter, table.newline
    cols = find_lonlat(header, file=input.name, src=src)
    lng_i, lat_i = cols.lng, cols.lat
    lng, lat, problems = parse_lonlat(table, cols)
    if problems:
        raise RecordError(problems)
    data = [k for k, row in enumerate(rows) if any(cell.strip() for cell in row)]
    lng, lat = lng[data], lat[data]

    new_lng, new_lat = convert_points(lng, lat, src, dst)
    for n, k in enumerate(data):
        rows[k][lng_i] = _format(new_lng[n])
        rows[k][lat_i] = _format(new_lat[n])
    header = [_rename(h, dst) if i in (lng_i, lat_i) else h for i, h in enumerate(header)]

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="gb18030" if encoding == "gbk" else encoding, newline="") as fh:
            writer = csv.writer(fh, delimiter=delimiter, lineterminator=newline)
            writer.writerow(header)
            writer.writerows(rows)

    _write_atomically(output, write)
    return ConvertReport(input, output, src, dst, kind="csv", rows=len(data), columns=(header[lng_i], header[lat_i]),
                         encoding=encoding, unshifted=int(out_of_china(lng, lat).sum()))
