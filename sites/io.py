"""Reading site tables from files and writing exports.

Import reads CSV (UTF-8, UTF-8 with BOM, or GBK/GB18030 as Excel in China
writes it), XLSX (the first sheet; a later one when the first has no header row) and GeoJSON
(Point features) into :class:`sites.validation.RawRecords`, keeping each record's line number
(header = line 1; for GeoJSON, the feature's position, first = 1). Headers may
be English (``name,type,status,lng,lat,address,opened_on``) or Chinese
(``名称,类型,状态,经度,纬度,地址,开放日期``). Files carry no coordinate system:
the caller names it when validating.

Export writes CSV (UTF-8 with BOM, so Excel opens it), XLSX, GeoJSON or
GeoPackage (layer ``sites``), chosen by the extension; positions in WGS84
degrees, dates as ISO ``YYYY-MM-DD``. CSV and XLSX cells go through the one
formula-safe writer, :mod:`sites.sheets`: text starting with ``=``, ``+``, ``-``,
``@`` (or a tab/carriage return) is prefixed with ``'`` so a spreadsheet never
runs it as a formula, and import removes that prefix again (:func:`sites.sheets.restore`).
An XLSX sheet is read to its last row, whatever its ``<dimension>`` tag claims.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from errors import ImportRejected, Problem
from geodata.tables import (
    LAT_ALIASES,
    LNG_ALIASES,
    TableEncodingError,
    decode_text,
    header_key,
    read_text_table,
)
from settings import Language, load_site_types
from sites.frame import sites_frame
from sites.models import INPUT_FIELDS, Site, source_name, status_name
from sites.region import TownIndex
from sites.sheets import append_row, dropdown, restore, write_csv
from sites.validation import TEXT_FIELDS, RawRecords

#: Accepted headers of each input field: English first, Chinese second, then aliases.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "名称", "站点名称", "名字"),
    "type": ("type", "类型", "站点类型"),
    "status": ("status", "状态"),
    # the one alias table (geodata.tables), English first, Chinese second, each also with a system suffix
    "lng": ("lng", "经度", *(a for a in LNG_ALIASES if a not in ("lng", "经度")),
            *(f"{a}_{s}" for a in LNG_ALIASES for s in ("wgs84", "gcj02", "bd09"))),
    "lat": ("lat", "纬度", *(a for a in LAT_ALIASES if a not in ("lat", "纬度")),
            *(f"{a}_{s}" for a in LAT_ALIASES for s in ("wgs84", "gcj02", "bd09"))),
    "address": ("address", "地址"),
    "host_org": ("host_org", "主办单位", "依托单位", "host organisation", "host organization"),
    "opened_on": ("opened_on", "开放日期", "建成日期", "启用日期"),
    "closed_on": ("closed_on", "关闭日期"),
    "notes": ("notes", "备注"),
    "source": ("source", "来源", "数据来源"),
}
#: Columns an export writes that an import ignores without a warning.
EXPORT_ONLY: dict[str, tuple[str, str]] = {
    "id": ("id", "编号"),
    "town_code": ("town_code", "镇街代码"),
    "town_name": ("town_name", "镇街"),
    "created_by": ("created_by", "创建人"),
    "created_at": ("created_at", "创建时间"),
    "updated_by": ("updated_by", "修改人"),
    "updated_at": ("updated_at", "修改时间"),
}
EXPORT_FIELDS = ("id", "name", "type", "status", "lng", "lat", "town_code", "town_name", "address", "host_org",
                 "opened_on", "closed_on", "notes", "source", "created_by", "created_at", "updated_by",
                 "updated_at")
REQUIRED = ("name", "type", "lng", "lat")
IMPORT_EXTENSIONS = (".csv", ".xlsx", ".geojson", ".json", ".gpkg")
EXPORT_EXTENSIONS = (".csv", ".xlsx", ".geojson", ".gpkg")


_header_key = header_key


_HEADER_LOOKUP = {_header_key(alias): fld for fld, aliases in COLUMNS.items() for alias in aliases}
_IGNORED = {_header_key(alias) for pair in EXPORT_ONLY.values() for alias in pair}


# --------------------------------------------------------------------------- import


def read_records(path: str | Path) -> RawRecords:
    """Read a CSV, XLSX, GeoJSON or GeoPackage file of sites; raise :class:`errors.ImportRejected`
    naming the file when it cannot be read or lacks a required column.

    CSV goes through the one lon/lat table reader (:func:`geodata.tables.read_text_table`:
    UTF-8, UTF-8 with BOM or GBK). A GeoPackage (as QGIS writes it) gives its first
    point layer: attributes as columns, the point's x/y as ``lng``/``lat``; a projected
    layer is transformed to WGS84 first (then import it with ``crs=wgs84``)."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in IMPORT_EXTENSIONS:
        raise ImportRejected(Problem("sites.file_format", {"ext": ext or path.name,
                                                          "allowed": ", ".join(IMPORT_EXTENSIONS)}, file=path.name))
    if not path.exists():
        raise FileNotFoundError(2, "file not found", str(path))
    try:
        if ext == ".csv":
            table = _read_csv(path)
        elif ext == ".xlsx":
            return _xlsx_records(path)
        elif ext == ".gpkg":
            header, rows = _read_gpkg(path)
            return _records(header, rows, path.name)
        else:
            return _read_geojson(path)
    except (UnicodeError, csv.Error, ValueError, OSError, KeyError) as exc:
        if isinstance(exc, ImportRejected | FileNotFoundError):
            raise
        raise ImportRejected(Problem("sites.file_unreadable", {"error": str(exc)}, file=path.name)) from exc
    return _sheet_records(table, path.name)


def read_rows(path: str | Path) -> list[tuple[int, list[object]]]:
    """The non-blank rows ``(line, cells)`` of a CSV (UTF-8, BOM or GBK) or XLSX file (first sheet, merged
    cells filled, read to its last row), header and title rows included: the reader of every sheet the
    product takes in (sites here, per-town targets in :mod:`targets.sheet`). Raises
    :class:`errors.ImportRejected` naming the file when it cannot be read."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in (".csv", ".xlsx"):
        raise ImportRejected(Problem("sites.file_format", {"ext": ext or path.name, "allowed": ".csv, .xlsx"},
                                     file=path.name))
    if not path.exists():
        raise FileNotFoundError(2, "file not found", str(path))
    try:
        return _read_csv(path) if ext == ".csv" else _read_xlsx(path)
    except (UnicodeError, csv.Error, ValueError, OSError, KeyError) as exc:
        if isinstance(exc, ImportRejected | FileNotFoundError):
            raise
        raise ImportRejected(Problem("sites.file_unreadable", {"error": str(exc)}, file=path.name)) from exc


#: How many non-blank rows from the top of a sheet may hold its header row (title rows above it).
HEADER_SCAN_ROWS = 10


def _fields_of(cells: Sequence[object]) -> set[str]:
    """The input fields the cells of one row name as headers."""
    return {fld for c in cells if (fld := _HEADER_LOOKUP.get(_header_key(c))) is not None}


def _sheet_records(table: list[tuple[int, list[object]]], file: str) -> RawRecords:
    """Records of a sheet's non-blank rows ``(line, cells)``: the header row is found among the first
    :data:`HEADER_SCAN_ROWS` rows (the first naming every required column), so a title row, a date line
    or a unit line above it is skipped — with a warning naming what was skipped, never silently. When no
    row qualifies, the error names the row that looks most like a header and the columns it lacks."""
    if not table:
        raise ImportRejected(Problem("sites.file_empty", file=file))
    head = table[:HEADER_SCAN_ROWS]
    found = next((k for k, (_, cells) in enumerate(head) if set(REQUIRED) <= _fields_of(cells)), None)
    if found is None:
        best = max(range(len(head)), key=lambda k: (len(_fields_of(head[k][1])), -k))
        line, cells = head[best]
        missing = [f for f in REQUIRED if f not in _fields_of(cells)]
        problems = [Problem("sites.column_missing", {"column": f, "zh": COLUMNS[f][1], "en": COLUMNS[f][0]},
                            file=file, row=line) for f in missing]
        if best > 0 or len(head) > 1:
            problems.insert(0, Problem("sites.header_not_found", {
                "rows": len(head), "line": line, "found": _row_text(cells, "、") or "—"}, file=file, row=line))
        raise ImportRejected(problems)
    header_line, header = table[found]
    skipped = [Problem("sites.title_row_skipped", {"text": _row_text(cells),
                                                   "header": header_line}, file=file, row=line, level="warning")
               for line, cells in table[:found]]
    records = _records(header, table[found + 1:], file, header_line=header_line)
    records.warnings[:0] = skipped
    return records


def _cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _row_text(cells: Sequence[object], sep: str = " ") -> str:
    """The distinct non-empty cells of a row (a merged title repeats in every cell it spans), cut to 80 characters."""
    text = sep.join(dict.fromkeys(t for c in cells if (t := _cell_text(c))))
    return text if len(text) <= 80 else text[:80] + "…"


def _records(header: Sequence[object], rows: list[tuple[int, list[object]]], file: str, *,
             header_line: int = 1) -> RawRecords:
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for col, name in enumerate(header):
        key = _header_key(name)
        if not key:
            continue
        fld = _HEADER_LOOKUP.get(key)
        if fld is not None and fld not in positions:
            positions[fld] = col
            headers[fld] = str(name).replace("\ufeff", "").strip()
        elif fld is None and key not in _IGNORED:
            problems.append(Problem("sites.column_ignored", {"column": str(name)}, file=file, row=header_line,
                                    level="warning"))
    missing = [f for f in REQUIRED if f not in positions]
    if missing:
        raise ImportRejected([Problem("sites.column_missing", {"column": f, "zh": COLUMNS[f][1], "en": COLUMNS[f][0]},
                                      file=file, row=header_line) for f in missing])
    if not rows:
        raise ImportRejected(Problem("sites.file_empty", file=file))
    data = {fld: [_cell(cells[col] if col < len(cells) else None, fld) for _, cells in rows]
            for fld, col in positions.items()}
    frame = pd.DataFrame(data, columns=[f for f in INPUT_FIELDS if f in positions], dtype=object)
    return RawRecords(frame, [line for line, _ in rows], file, headers, problems)


def _cell(value: object, fld: str) -> object:
    return restore(value) if fld in TEXT_FIELDS else value


def _decode(raw: bytes) -> str:
    return decode_text(raw)[0]


def _read_csv(path: Path) -> list[tuple[int, list[object]]]:
    """The non-blank rows of a CSV file as ``(line, cells)``, the first one (a header or a title) included."""
    try:
        table = read_text_table(path, sniff=False)
    except TableEncodingError as exc:
        raise ImportRejected(Problem("sites.file_encoding", file=path.name)) from exc
    if table is None:
        raise ImportRejected(Problem("sites.file_empty", file=path.name))
    first = table.lines[0] - 1 if table.lines else 1
    return [(max(first, 1), list(table.header)),
            *((line, list(cells)) for line, cells in zip(table.lines, table.rows, strict=True))]


def _read_gpkg(path: Path) -> tuple[list[object], list[tuple[int, list[object]]]]:
    """The first point layer of a GeoPackage: attribute columns, then ``lng``/``lat`` (degrees).

    Row numbers are feature positions (1, 2, …). A projected layer is transformed to WGS84.
    """
    import pyogrio
    import pyproj

    try:
        frame = pyogrio.read_dataframe(path)
    except pyogrio.errors.DataSourceError as exc:
        raise ImportRejected(Problem("sites.file_unreadable", {"error": str(exc)}, file=path.name)) from exc
    geom = frame.geometry
    if len(frame) and not (geom.geom_type == "Point").all():
        raise ImportRejected(Problem("sites.file_unreadable", {"error": "not a point layer"}, file=path.name))
    if frame.crs is not None and not pyproj.CRS(frame.crs).is_geographic:
        geom = geom.to_crs("EPSG:4326")
    attrs = frame.drop(columns=frame.geometry.name)
    keys = [c for c in attrs.columns if _HEADER_LOOKUP.get(_header_key(c)) not in ("lng", "lat")]
    rows = [(n, [None if pd.isna(v) else v for v in attrs.iloc[n - 1][keys].tolist()] + [float(g.x), float(g.y)])
            for n, g in enumerate(geom, start=1)]
    return [*keys, "lng", "lat"], rows


#: Problems that say a sheet holds no table of sites (so a later sheet of the workbook may).
_NO_TABLE = ("sites.header_not_found", "sites.column_missing", "sites.file_empty")
#: How many sheets of a workbook are looked at for the table when the first holds none.
MAX_SHEETS = 20


def _xlsx_records(path: Path) -> RawRecords:
    """Records of the first sheet of a workbook; when it holds no header row (a 填表说明 or cover sheet before
    the ledger), of the first later sheet that does, with a warning naming both sheets. When none does, the
    first sheet's problems."""
    try:
        return _sheet_records(_read_xlsx(path), path.name)
    except ImportRejected as exc:
        if not all(p.code in _NO_TABLE for p in exc.problems):
            raise
        names = _sheet_names(path)
        for index in range(1, min(len(names), MAX_SHEETS)):
            try:
                records = _sheet_records(_read_xlsx(path, index), path.name)
            except (ImportRejected, ValueError, KeyError, OSError):  # not this sheet either
                continue
            records.warnings.insert(0, Problem("sites.sheet_chosen", {"first": names[0], "sheet": names[index]},
                                               file=path.name, level="warning"))
            return records
        raise


def _sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names in order (none when calamine cannot list them)."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except CalamineError:
        return []
    try:
        return list(workbook.sheet_names)
    finally:
        workbook.close()


def _read_xlsx(path: Path, index: int = 0) -> list[tuple[int, list[object]]]:
    """The non-blank rows of the workbook's sheet ``index`` (the first by default) as ``(line, cells)``.

    Read to the last row, whatever the sheet's ``<dimension>`` tag claims, from cell A1 (lines are the
    sheet's row numbers), by calamine (50,000 rows in 0.2 s; openpyxl's streaming reader took 4.4 s), with
    cells as openpyxl gave them (:func:`_xlsx_value`). A merged range (a title merged across the columns,
    a town or a type merged down a group of rows) gives its value to every cell it covers, as the sheet
    shows it; the readers leave them empty, so the ranges are read from the sheet's XML
    (:func:`_merged_ranges`).
    """
    from python_calamine import CalamineError, CalamineWorkbook

    merged = _merged_ranges(path, index)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            sheet = workbook.get_sheet_by_index(index)
            _check_area(sheet.end, path.name)
            values = sheet.to_python(skip_empty_area=False)
        finally:
            workbook.close()
    except CalamineError as exc:  # not a workbook calamine can read: reported as an unreadable file
        raise ValueError(str(exc) or type(exc).__name__) from exc
    grid = [[_xlsx_value(c) for c in cells] for cells in values]
    _fill_merged(grid, merged, path.name)
    rows = [(line, cells) for line, cells in enumerate(grid, start=1)
            if not all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)]
    if not rows:
        raise ImportRejected(Problem("sites.file_empty", file=path.name))
    return rows


#: Most cells the used area of a sheet (from A1 to its last row and column holding a value) may span: 5 M, e.g.
#: 50,000 rows of 100 columns. One stray value at XFD20000 in a 5 KB file spans 330 M cells (14 GB as Python
#: values); such a sheet is refused, naming the cell, before it is read.
MAX_SHEET_CELLS = 5_000_000


def _check_area(end: tuple[int, int] | None, file: str) -> None:
    """Refuse (:class:`errors.ImportRejected`) a sheet whose used area, from A1 to ``end`` (calamine's last row and
    column holding a value, 0-based), spans more than :data:`MAX_SHEET_CELLS` cells."""
    from openpyxl.utils import get_column_letter

    if end is None:
        return
    rows, columns = end[0] + 1, end[1] + 1
    if rows * columns > MAX_SHEET_CELLS:
        raise ImportRejected(Problem("sites.sheet_too_large", {
            "cell": f"{get_column_letter(columns)}{rows}", "rows": rows, "columns": columns,
            "limit": MAX_SHEET_CELLS}, file=file))


def _fill_merged(grid: list[list[object]], merged: list[tuple[int, int, int, int]], file: str) -> None:
    """Give each merged range's top-left value to every cell it covers, clipped to the cells the sheet holds
    (a range reaching column XFD or row 1,048,576 adds no cell), and refuse (:class:`errors.ImportRejected`) a
    sheet whose ranges cover more cells than it has: Excel never writes overlapping ranges, and a few bytes
    of them would otherwise fill billions of cells."""
    width = max((len(row) for row in grid), default=0)
    budget = len(grid) * width
    for top, left, bottom, right in merged:
        bottom, right = min(bottom, len(grid)), min(right, width)
        if top > bottom or left > right:
            continue
        budget -= (bottom - top + 1) * (right - left + 1)
        if budget < 0:
            raise ImportRejected(Problem("sites.merged_overlap", {"cells": len(grid) * width}, file=file))
        if left > len(grid[top - 1]):
            continue
        value = grid[top - 1][left - 1]
        for r in range(top, bottom + 1):
            row = grid[r - 1]
            if len(row) < right:
                row.extend([None] * (right - len(row)))
            row[left - 1:right] = [value] * (right - left + 1)


def _xlsx_value(value: object) -> object:
    """A calamine cell as openpyxl read it: an empty cell ``None``, a whole number an ``int`` (``1``, not ``1.0``;
    a code or house number typed as a number stays digits), a date a ``datetime``. Text comes with the OOXML
    ``_xHHHH_`` escapes already decoded."""
    if isinstance(value, str):
        return value if value else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time())
    return value


#: A merged range in a sheet's XML (``<mergeCell ref="A1:F1"/>``, any namespace prefix).
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Za-z]{1,3}[0-9]+:[A-Za-z]{1,3}[0-9]+)"')


def _merged_ranges(path: Path, index: int = 0) -> list[tuple[int, int, int, int]]:
    """``(top, left, bottom, right)`` (1-based) of every merged range of the workbook's sheet ``index``."""
    import posixpath
    import zipfile
    from xml.etree import ElementTree

    from openpyxl.utils.cell import range_boundaries

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        sheets = book.findall(f"{main}sheets/{main}sheet")
        if index >= len(sheets):
            return []
        first = sheets[index]
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        target = next((r.get("Target") for r in rels if r.get("Id") == first.get(f"{rel}id")), None)
        if not target:
            return []
        sheet_path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        if sheet_path not in names:
            return []
        ranges: list[tuple[int, int, int, int]] = []
        tail = b""
        with archive.open(sheet_path) as stream:  # a byte scan, not an XML parse: cheap on a 50,000-row sheet
            while chunk := stream.read(1 << 20):
                text = tail + chunk
                last = 0
                for match in _MERGE_CELL.finditer(text):
                    left, top, right, bottom = range_boundaries(match.group(1).decode("ascii"))
                    ranges.append((top, left, bottom, right))
                    last = match.end()
                tail = text[max(last, len(text) - 200):]
        return ranges


def _read_geojson(path: Path) -> RawRecords:
    """Point features of a GeoJSON FeatureCollection (or one Feature) as records, row = feature position.

    Raises :class:`errors.UnreadableFile` naming the file, the feature and the member
    (``features``, ``properties``, ``geometry``, ``coordinates``) for anything that is
    not such a file: text that is not JSON, ``"features": 5``, a list as
    ``properties``, a polygon, coordinates that are not two numbers. Every bad
    feature is listed at once.
    """
    import dataclasses

    from errors import UnreadableFile
    from incidents import input_problem

    file = path.name
    try:
        text = _decode(path.read_bytes())
    except UnicodeError as exc:
        raise UnreadableFile(Problem("sites.geojson.encoding", file=file)) from exc
    except OSError as exc:
        raise UnreadableFile(input_problem(exc, file) or Problem("sites.file_unreadable", {"error": str(exc)},
                                                                 file=file)) from exc
    if not text.strip():
        raise UnreadableFile(Problem("sites.file_empty", file=file))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(Problem("sites.geojson.not_json", {"line": exc.lineno, "column": exc.colno,
                                                                "reason": exc.msg}, file=file)) from exc
    except (ValueError, RecursionError) as exc:  # nesting too deep, a number too long
        raise UnreadableFile(Problem("sites.geojson.not_json", {"line": "?", "column": "?",
                                                                "reason": type(exc).__name__}, file=file)) from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or "features" not in data:
        raise UnreadableFile(Problem("sites.geojson.not_collection", {"found": _json_excerpt(data)}, file=file))
    features = data["features"]
    if not isinstance(features, list):
        raise UnreadableFile(Problem("sites.geojson.not_list", {"found": _json_excerpt(features)}, file=file,
                                     field="features"))
    keys: list[str] = []
    rows: list[tuple[int, list[object]]] = []
    bad: list[Problem] = []
    for n, feature in enumerate(features, start=1):
        props, lng, lat = _feature_parts(feature, n, file, bad)
        for key in props:
            if key not in keys and _HEADER_LOOKUP.get(_header_key(key)) not in ("lng", "lat"):
                keys.append(key)
        rows.append((n, [props, lng, lat]))
    if bad:
        raise UnreadableFile(bad)
    header = [*keys, "lng", "lat"]
    table = [(n, [props.get(k) for k in keys] + [lng, lat]) for n, (props, lng, lat) in rows]
    try:
        return _records(header, table, file)
    except ImportRejected as exc:  # a required property is missing: no header line to point at
        raise UnreadableFile([dataclasses.replace(p, row=None) for p in exc.problems]) from exc


def _feature_parts(feature: object, n: int, file: str, bad: list[Problem]) -> tuple[dict, object, object]:
    """``(properties, lng, lat)`` of feature ``n``; a problem appended to ``bad`` for each malformed part."""
    if not isinstance(feature, dict):
        bad.append(Problem("sites.geojson.not_object", {"found": _json_excerpt(feature)}, file=file, row=n))
        return {}, None, None
    props = feature.get("properties")
    if props is None:
        props = {}
    elif not isinstance(props, dict):
        bad.append(Problem("sites.geojson.not_object", {"found": _json_excerpt(props)}, file=file, row=n,
                           field="properties"))
        props = {}
    geom = feature.get("geometry")
    if geom is None:
        return props, None, None
    if not isinstance(geom, dict):
        bad.append(Problem("sites.geojson.not_object", {"found": _json_excerpt(geom)}, file=file, row=n,
                           field="geometry"))
        return props, None, None
    if geom.get("type") != "Point":
        bad.append(Problem("sites.geometry_not_point", {"geom": _json_excerpt(geom.get("type"))}, file=file,
                           row=n))
        return props, None, None
    coords = geom.get("coordinates")
    if not (isinstance(coords, list) and len(coords) >= 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords[:2])):
        bad.append(Problem("sites.geojson.bad_point", {"found": _json_excerpt(coords)}, file=file, row=n,
                           field="coordinates"))
        return props, None, None
    return props, coords[0], coords[1]


def _json_excerpt(value: object, limit: int = 60) -> str:
    """``value`` as JSON text for a message, cut to ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


# --------------------------------------------------------------------------- export


def export_sites(sites: Sequence[Site], path: str | Path, *, towns: TownIndex | None = None,
                 lang: Language = "zh") -> int:
    """Write ``sites`` to ``path`` in the format of its extension; return how many.

    CSV/XLSX headers are in ``lang`` (Chinese or English, both re-importable);
    GeoJSON/GeoPackage use the English field names. ``town_name`` comes from
    ``towns`` when given. The file appears whole or not at all (written to a
    temporary file, then renamed).
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in EXPORT_EXTENSIONS:
        raise ValueError(f"unsupported export type '{ext}': use one of {', '.join(EXPORT_EXTENSIONS)}")
    # each town's name and each type's name worded once per export, not once per row (a settings load per
    # row took 54 s for 50,000 sites)
    town_names = {code: towns.town_name(code, lang) for code in {s.town_code for s in sites}} if towns else {}
    rows = [_export_row(s, town_names) for s in sites]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=ext, prefix=".export-", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if ext == ".csv":
            _write_csv(rows, tmp, lang)
        elif ext == ".xlsx":
            _write_xlsx(rows, tmp, lang)
        elif ext == ".geojson":
            _write_geojson(rows, tmp)
        else:
            tmp.unlink()
            _write_gpkg(sites, rows, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return len(rows)


def _export_row(site: Site, town_names: dict[str | None, str]) -> dict[str, object]:
    row = site.to_dict()
    row["town_name"] = town_names.get(site.town_code, "")
    return {k: row[k] for k in EXPORT_FIELDS}


def _wording(lang: Language):
    """``worded(row)``: a row of a CSV/XLSX export as its reader sees it: the demo sample's source as 演示数据 /
    demo and, in Chinese, type and status by their Chinese names (the import reads names and keys alike)."""
    types = {t.key: t.name_zh for t in load_site_types()} if lang == "zh" else {}

    def worded(row: dict[str, object]) -> dict[str, object]:
        out = {**row, "source": source_name(str(row["source"]), lang)}
        if lang == "zh":
            out["type"] = types.get(str(row["type"]), row["type"])
            out["status"] = status_name(str(row["status"]), "zh")
        return out

    return worded


#: Export headers other than the import's own first Chinese name: the source column says 数据来源 (the form's
#: word, an import alias), so a demo row reads 数据来源：演示数据.
_EXPORT_HEADERS_ZH: dict[str, str] = {"source": "数据来源"}


def _headers(lang: Language) -> list[str]:
    def pick(fld: str) -> str:
        pair = COLUMNS.get(fld) or EXPORT_ONLY[fld]
        return _EXPORT_HEADERS_ZH.get(fld, pair[1]) if lang == "zh" else pair[0]

    return [pick(f) for f in EXPORT_FIELDS]


def _sheet_values(row: dict[str, object]) -> list[object]:
    return [row[k] for k in EXPORT_FIELDS]


def _write_csv(rows: list[dict[str, object]], path: Path, lang: Language) -> None:
    worded = _wording(lang)
    write_csv(path, _headers(lang), [_sheet_values(worded(row)) for row in rows])


def _write_xlsx(rows: list[dict[str, object]], path: Path, lang: Language) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "sites"
    append_row(sheet, _headers(lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    worded = _wording(lang)
    for row in rows:
        append_row(sheet, _sheet_values(worded(row)))
    sheet.freeze_panes = "A2"
    workbook.save(path)


def _write_geojson(rows: list[dict[str, object]], path: Path) -> None:
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lng"], r["lat"]]},
                 "properties": r} for r in rows]
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False, indent=1), encoding="utf-8")


def _write_gpkg(sites: Sequence[Site], rows: list[dict[str, object]], path: Path) -> None:
    frame = sites_frame(sites)
    frame["town_name"] = [r["town_name"] for r in rows]
    for key in ("opened_on", "closed_on"):
        frame[key] = [d.isoformat() if isinstance(d, datetime.date) else None for d in frame[key]]
    frame = frame[[*EXPORT_FIELDS, "geometry"]]
    frame.to_file(path, driver="GPKG", layer="sites", engine="pyogrio")


# --------------------------------------------------------------------------- template

#: Columns of the import template, in order (Chinese headers: the import reads them in every UI language).
TEMPLATE_FIELDS = ("name", "type", "status", "lng", "lat", "address", "host_org", "opened_on", "closed_on",
                   "notes", "source")
#: Rows of the template that carry the type and status dropdowns.
TEMPLATE_ROWS = 2000


def write_template(path: str | Path, *, lang: Language = "zh") -> Path:
    """Write the import template: an XLSX workbook whose first sheet has the Chinese header row of
    :data:`TEMPLATE_FIELDS` and dropdowns on the type and status columns (the Chinese names, read back by
    the import), a sheet of those lists, and a sheet of instructions in ``lang``. Every cell goes through
    the formula-safe writer (:mod:`sites.sheets`). Returns the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from i18n import t
    from sites.models import STATUS_NAMES, STATUSES

    path = Path(path)
    book = Workbook()
    sheet = book.active
    sheet.title = "站点"
    append_row(sheet, [COLUMNS[f][1] for f in TEMPLATE_FIELDS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for j, fld in enumerate(TEMPLATE_FIELDS, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = 28 if fld in ("name", "address", "host_org") else 14
    sheet.freeze_panes = "A2"
    lists = book.create_sheet("选项")
    types = [tp.name_zh for tp in load_site_types()]
    statuses = [STATUS_NAMES[s][0] for s in STATUSES]
    append_row(lists, [COLUMNS["type"][1], COLUMNS["status"][1]])
    for k in range(max(len(types), len(statuses))):
        append_row(lists, [types[k] if k < len(types) else None, statuses[k] if k < len(statuses) else None])
    last = TEMPLATE_ROWS + 1
    for fld, values, col in (("type", types, "A"), ("status", statuses, "B")):
        letter = get_column_letter(TEMPLATE_FIELDS.index(fld) + 1)
        dropdown(sheet, f"{letter}2:{letter}{last}", f"'选项'!${col}$2:${col}${len(values) + 1}",
                 prompt=t(f"sites.template.prompt_{fld}", lang), error=t(f"sites.template.error_{fld}", lang))
    notes = book.create_sheet(t("sites.template.notes_sheet", lang))
    for key in ("sites.template.note_required", "sites.template.note_crs", "sites.template.note_dates",
                "sites.template.note_title"):
        append_row(notes, [t(key, lang)])
    notes.column_dimensions["A"].width = 100
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def template_bytes(lang: Language = "zh") -> bytes:
    """The import template (:func:`write_template`) as the bytes of an XLSX file, for a download."""
    with tempfile.TemporaryDirectory(prefix="template-") as tmp:
        return write_template(Path(tmp) / "template.xlsx", lang=lang).read_bytes()
