"""The one reader for longitude/latitude tables (CSV), used by site import, demand layers and
``geodata convert``.

* **Encodings**: UTF-8, UTF-8 with BOM, and GBK as saved by Chinese Excel (read as
  GB18030, its superset); :func:`decode_text` says which one it was, so a
  converter can write the file back the same way.
* **Column names**: one alias table (:data:`LNG_ALIASES`, :data:`LAT_ALIASES`,
  :data:`TOWN_CODE_ALIASES`), Chinese and English, case-insensitive; a
  coordinate header may carry its system as a suffix (``lng_gcj02``,
  ``经度(bd09)``), see :func:`find_lonlat`.
* **Coordinate systems**: ``wgs84``, ``gcj02``, ``bd09`` through :mod:`geodata.crs`;
  :func:`read_lonlat` returns WGS84 degrees.

Rows that are blank are skipped; every data row keeps its line number in the
file (the header is line 1) so errors can name it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from errors import Problem, RecordError
from geodata.crs import CoordSystem, convert_points

#: Longitude headers (lower case), English then Chinese.
LNG_ALIASES: tuple[str, ...] = ("lng", "lon", "long", "longitude", "经度")
#: Latitude headers (lower case), English then Chinese.
LAT_ALIASES: tuple[str, ...] = ("lat", "latitude", "纬度")
#: Town code headers of per-town tables.
TOWN_CODE_ALIASES: tuple[str, ...] = ("town_code", "code", "镇街代码")
#: Longitude/latitude headers that make a pair.
LONLAT_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {("lng", "lat"), ("lon", "lat"), ("long", "lat"), ("longitude", "latitude"), ("经度", "纬度")})
#: A coordinate header: the axis word, then optionally the system (``lng_gcj02``, ``经度(bd09)``).
HEADER_RE = re.compile(r"^(?P<axis>[^\W_]+)(?P<suffix>[ _\-]?\(?(?P<sys>wgs84|gcj02|bd09)\)?)?$", re.I)


class TableEncodingError(UnicodeError):
    """The bytes are neither UTF-8 (with or without BOM) nor GBK/GB18030."""


def decode_text(raw: bytes) -> tuple[str, str]:
    """The text of ``raw`` and its encoding: ``utf-8-sig``, ``utf-8`` or ``gbk`` (read as GB18030)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise TableEncodingError(str(exc)) from exc
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise TableEncodingError("not UTF-8 or GBK") from exc


@dataclass(frozen=True)
class TextTable:
    """A CSV file as read: ``header``, the non-blank data ``rows`` (lists of text cells) and the
    ``lines`` they start on (header = 1), plus what it takes to write it back the same way."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    encoding: str
    delimiter: str
    newline: str
    file: str

    def frame(self) -> pd.DataFrame:
        """The rows as a frame of text, one column per header cell (short rows padded with "")."""
        width = len(self.header)
        cells = [(row + [""] * width)[:width] for row in self.rows]
        return pd.DataFrame(cells, columns=[h.replace("\ufeff", "").strip() for h in self.header], dtype=str)


def read_text_table(path: str | Path, *, sniff: bool = True, keep_blank: bool = False) -> TextTable | None:
    """Read a CSV file (UTF-8, UTF-8 with BOM or GBK, see :func:`decode_text`; ``,`` ``;`` or tab sniffed from the first line
    when ``sniff``). Blank rows are dropped unless ``keep_blank`` (a converter writes them back).
    ``None`` when the file has no header line. Raises :class:`TableEncodingError`."""
    path = Path(path)
    text, encoding = decode_text(path.read_bytes())
    newline = "\r\n" if "\r\n" in text[:65536] else "\n"
    delimiter = ","
    if sniff:
        try:
            delimiter = csv.Sniffer().sniff(text[:65536].split("\n", 1)[0], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    last = 0
    for cells in reader:
        start, last = last + 1, reader.line_num
        if not any(c.strip() for c in cells) and (header is None or not keep_blank):
            continue
        if header is None:
            header = list(cells)
        else:
            rows.append(list(cells))
            lines.append(start)
    if header is None:
        return None
    return TextTable(header, rows, lines, encoding, delimiter, newline, path.name)


def header_key(text: object) -> str:
    """A header as compared with the alias tables: lower case, BOM and all spaces removed."""
    return "".join(str(text or "").replace("\ufeff", "").strip().lower().split())


def pick_column(header: list[str], aliases: tuple[str, ...]) -> int | None:
    """Index of the first header that is one of ``aliases`` (first alias first), or ``None``."""
    keys = [header_key(h) for h in header]
    return next((keys.index(a) for a in aliases if a in keys), None)


@dataclass(frozen=True)
class LonLatColumns:
    """Positions of the longitude and latitude columns, and the system their headers name (if any)."""

    lng: int
    lat: int
    system: CoordSystem | None


def find_lonlat(header: list[str], *, file: str = "", src: CoordSystem | None = None) -> LonLatColumns:
    """The one longitude/latitude column pair of ``header``.

    Headers are matched against :data:`LONLAT_PAIRS` (case-insensitive), each
    optionally suffixed with its system; both of a pair carry the same suffix.
    A named system must agree with ``src`` when that is given. Raises
    :class:`errors.RecordError` when there is no pair, several, or a mismatch.
    """
    parsed = []
    for i, name in enumerate(header):
        match = HEADER_RE.match(header_key(name))
        if match:
            parsed.append((i, match["axis"].lower(), (match["sys"] or "").lower()))
    pairs = [(i, j, sys_) for i, axis, sys_ in parsed if axis in LNG_ALIASES
             for j, other, sys2 in parsed if other in LAT_ALIASES and sys2 == sys_ and (axis, other) in LONLAT_PAIRS]
    if not pairs:
        raise RecordError(Problem("convert.no_columns", {"header": ", ".join(header)}, file=file, row=1))
    if len(pairs) > 1:
        listed = "; ".join(f"{header[i]}/{header[j]}" for i, j, _ in pairs)
        raise RecordError(Problem("convert.many_columns", {"pairs": listed}, file=file, row=1))
    i, j, named = pairs[0]
    system = CoordSystem.parse(named) if named else None
    if system is not None and src is not None and system != src:
        raise RecordError(Problem("convert.suffix_mismatch", {"column": header[i], "named": named,
                                                              "src": src.value}, file=file, row=1))
    return LonLatColumns(i, j, system)


def parse_cell(cell: str, limit: float) -> tuple[float | None, Problem | None]:
    """A coordinate cell as a float within ±``limit`` degrees, or the problem with it."""
    text = (cell or "").strip()
    if not text:
        return None, Problem("convert.cell_empty")
    try:
        value = float(text)
    except ValueError:
        return None, Problem("convert.cell_not_number", {"value": text})
    if not math.isfinite(value):
        return None, Problem("convert.cell_not_number", {"value": text})
    if abs(value) > limit:
        return None, Problem("convert.cell_range", {"value": text})
    return value, None


def parse_lonlat(table: TextTable, cols: LonLatColumns) -> tuple[NDArray[np.float64], NDArray[np.float64],
                                                                 list[Problem]]:
    """Longitudes and latitudes (degrees, as written) of every data row, and one problem per bad
    cell naming file, line and column (the row's values are NaN then)."""
    lng = np.full(len(table.rows), np.nan)
    lat = np.full(len(table.rows), np.nan)
    problems: list[Problem] = []
    for n, row in enumerate(table.rows):
        if not any(c.strip() for c in row):
            continue  # a blank row kept for writing back
        for col, limit, out in ((cols.lng, 180.0, lng), (cols.lat, 90.0, lat)):
            value, problem = parse_cell(row[col] if col < len(row) else "", limit)
            if problem is not None:
                problems.append(Problem(problem.code, problem.params, file=table.file, row=table.lines[n],
                                        field=table.header[col]))
            else:
                out[n] = value
    return lng, lat, problems


@dataclass(frozen=True)
class LonLatTable:
    """A lon/lat table read by :func:`read_lonlat`: the cells as text (``frame``), and WGS84
    longitudes/latitudes in degrees, one per row of ``frame``."""

    frame: pd.DataFrame
    lng: NDArray[np.float64]
    lat: NDArray[np.float64]
    columns: tuple[str, str]
    encoding: str
    lines: list[int]


def has_lonlat(header: list[str]) -> bool:
    """Whether ``header`` holds a longitude/latitude pair (see :func:`find_lonlat`)."""
    try:
        find_lonlat(header)
    except RecordError:
        return False
    return True


def read_lonlat(path: str | Path, *, coords: str | CoordSystem = "wgs84") -> LonLatTable:
    """Read a lon/lat CSV whose coordinates are in ``coords`` (or the system its headers name)
    and return WGS84 degrees. Raises :class:`errors.RecordError` naming every row whose
    coordinate is not a valid longitude/latitude, or a missing column pair;
    :class:`TableEncodingError` for an unknown encoding."""
    path = Path(path)
    table = read_text_table(path)
    if table is None:
        raise RecordError(Problem("convert.empty_csv", file=path.name))
    return lonlat_table(table, coords=coords)


def lonlat_table(table: TextTable, *, coords: str | CoordSystem = "wgs84") -> LonLatTable:
    """The lon/lat table of a CSV already read (:func:`read_lonlat` without reading the file again)."""
    path = Path(table.file)
    src = CoordSystem.parse(coords)
    cols = find_lonlat(table.header, file=path.name)
    lng, lat, problems = parse_lonlat(table, cols)
    if problems:
        bad = sorted({p.row for p in problems})
        row_of = {line: n for n, line in enumerate(table.lines)}

        def cell(n: int, col: int) -> str:
            return table.rows[n][col] if col < len(table.rows[n]) else ""

        raise RecordError([
            Problem("table.bad_coordinate", {"lng": cell(row_of[line], cols.lng), "lat": cell(row_of[line], cols.lat)},
                    file=path.name, row=line, field=table.header[cols.lng])
            for line in bad[:20]])
    lng, lat = convert_points(lng, lat, cols.system or src, CoordSystem.WGS84)
    return LonLatTable(table.frame(), np.asarray(lng, dtype=float), np.asarray(lat, dtype=float),
                       (table.header[cols.lng], table.header[cols.lat]), table.encoding, table.lines)
