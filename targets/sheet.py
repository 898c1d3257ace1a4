"""Per-town targets from a sheet: one row per town, as a city office writes its 73 thresholds.

A CSV (UTF-8 or GBK) or XLSX file whose header row (found among the first rows, a
title above it is skipped, see :func:`sites.io.read_rows`) names the town by
``镇街代码`` (its 12-digit code) or ``镇街名称`` (its name in the region; on a county
region ``区县代码``/``区县名称`` say the same), and the
number by ``目标数量``. Optional columns, in Chinese or English: ``目标名称``
(name), ``站点类型`` (type), ``截止日期`` (deadline), ``计入状态`` (statuses),
``新建起始日期`` (new_since), ``指标`` (measure), ``服务半径`` (radius_m),
``需求图层`` (demand_layer), ``备注`` (notes). Values missing from a row come
from ``defaults`` (the command line's options, the page's fields).

Each row becomes one target of scope ``towns`` for that one town. Every row is
checked before anything is written (:func:`parse_target_sheet`, every problem
with its line and column); :meth:`targets.store.TargetStore.add_many` then
writes all of them in one transaction, or none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from errors import ImportRejected, Problem, RecordError
from geodata.tables import header_key
from sites.io import read_rows
from sites.region import TownIndex
from targets.model import Target, parse_target

#: Accepted headers of each column, Chinese first (as offices write them), then English.
TARGET_COLUMNS: dict[str, tuple[str, ...]] = {
    "town_code": ("镇街代码", "town_code", "代码", "镇街编码", "区县代码", "区县编码", "county_code"),
    "town_name": ("镇街名称", "town_name", "镇街", "镇（街道）", "区县名称", "区县", "县（区）", "county_name",
                  "county"),
    "threshold": ("目标数量", "threshold", "目标值", "数量"),
    "name": ("目标名称", "name", "目标"),
    "site_type": ("站点类型", "site_type", "type", "类型"),
    "deadline": ("截止日期", "deadline", "完成期限"),
    "statuses": ("计入状态", "statuses", "状态"),
    "new_since": ("新建起始日期", "new_since", "新建自"),
    "measure": ("指标", "measure"),
    "radius_m": ("服务半径", "radius_m", "半径"),
    "demand_layer": ("需求图层", "demand_layer"),
    "notes": ("备注", "notes"),
}
_LOOKUP = {header_key(alias): fld for fld, aliases in TARGET_COLUMNS.items() for alias in aliases}
#: How many rows from the top may hold the header row.
HEADER_SCAN_ROWS = 10


@dataclass
class TargetSheet:
    """The targets of a sheet, ready to store, with the line of each and the warnings found."""

    file: str
    targets: list[Target]
    lines: list[int]
    warnings: list[Problem] = field(default_factory=list)


def _fields(cells: list[object]) -> dict[str, int]:
    out: dict[str, int] = {}
    for col, cell in enumerate(cells):
        fld = _LOOKUP.get(header_key(cell))
        if fld is not None and fld not in out:
            out[fld] = col
    return out


def _has_town_and_number(fields: Mapping[str, int]) -> bool:
    return ("town_code" in fields or "town_name" in fields) and "threshold" in fields


def parse_target_sheet(path: str | Path, towns: TownIndex, *, defaults: Mapping[str, object] | None = None,
                       file: str | None = None) -> TargetSheet:
    """Every row of the sheet at ``path`` as a valid per-town :class:`Target`, or
    :class:`errors.ImportRejected` listing every problem of every row (line, column) — nothing half-read.

    ``towns``: the region's towns (codes checked, names looked up). ``defaults``: values for the columns
    a sheet leaves out (``site_type``, ``deadline``, ``measure``, ``name`` as a prefix, …)."""
    path = Path(path)
    file = file or path.name
    defaults = dict(defaults or {})
    rows = read_rows(path)
    head = rows[:HEADER_SCAN_ROWS]
    found = next((k for k, (_, cells) in enumerate(head) if _has_town_and_number(_fields(cells))), None)
    if found is None:
        line = head[0][0] if head else 1
        raise ImportRejected(Problem("target.sheet_no_header", {"rows": len(head)}, file=file, row=line))
    header_line, header = rows[found]
    fields = _fields(header)
    data = rows[found + 1:]
    if not data:
        raise ImportRejected(Problem("sites.file_empty", file=file))
    codes = [str(c) for c in towns.codes]
    by_name: dict[str, str] = {}
    for code in codes:
        for lang in ("zh", "en"):
            by_name.setdefault(header_key(towns.town_name(code, lang)), code)
    warnings = [Problem("sites.title_row_skipped", {"text": " ".join(str(c) for c in dict.fromkeys(cells) if c),
                                                    "header": header_line}, file=file, row=line, level="warning")
                for line, cells in rows[:found]]
    targets: list[Target] = []
    lines: list[int] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, cells in data:
        def cell(fld: str, cells: list[object] = cells) -> object:
            col = fields.get(fld)
            value = cells[col] if col is not None and col < len(cells) else None
            return value.strip() if isinstance(value, str) else value

        code = _code(cell("town_code"))
        name_cell = cell("town_name")
        if not code and name_cell:
            code = by_name.get(header_key(name_cell), "")
            if not code:
                problems.append(Problem("target.sheet_unknown_town", {"value": name_cell}, file=file, row=line,
                                        field=_header(header, fields, "town_name")))
                continue
        if not code:
            problems.append(Problem("target.sheet_town_missing", file=file, row=line,
                                    field=_header(header, fields, "town_code" if "town_code" in fields
                                                  else "town_name")))
            continue
        record: dict[str, object] = {**defaults, "scope": "towns", "towns": [code]}
        for fld in ("threshold", "site_type", "deadline", "statuses", "new_since", "measure", "radius_m",
                    "demand_layer", "notes"):
            value = cell(fld)
            if value not in (None, ""):
                record[fld] = value
        record.setdefault("measure", "site_count")
        own_name = cell("name")
        town_label = towns.town_name(code, "zh") or code
        prefix = str(defaults.get("name") or "").strip()
        record["name"] = own_name or (f"{prefix}（{town_label}）" if prefix else town_label)
        try:
            target = parse_target(record, town_codes=codes, row=line, file=file)
        except RecordError as exc:
            problems += [_in_column(p, header, fields) for p in exc.problems]
            continue
        key = (code, target.site_type, target.measure)
        if key in seen:
            problems.append(Problem("target.sheet_duplicate", {"town": town_label, "line": seen[key]}, file=file,
                                    row=line))
            continue
        seen[key] = line
        targets.append(target)
        lines.append(line)
    if problems:
        raise ImportRejected([Problem("target.sheet_rejected", {"bad": len({p.row for p in problems}),
                                                                "total": len(data)}, file=file), *problems])
    return TargetSheet(file, targets, lines, warnings)


def _code(value: object) -> str:
    """A town code from a cell: text as written; a number (Excel makes 440605011000 a number) without ``.0``."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(header: list[object], fields: Mapping[str, int], fld: str) -> str:
    col = fields.get(fld)
    return str(header[col]).strip() if col is not None else TARGET_COLUMNS[fld][0]


def _in_column(problem: Problem, header: list[object], fields: Mapping[str, int]) -> Problem:
    """``problem`` with its field named as the sheet's column (``目标数量``), or the option it came from."""
    fld = problem.field or ""
    if fld == "towns":
        fld = "town_code" if "town_code" in fields else "town_name"
    label = _header(header, fields, fld) if fld in TARGET_COLUMNS else fld or None
    return Problem(problem.code, problem.params, problem.file, problem.row, label, problem.level)
