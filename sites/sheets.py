"""Writing tabular cells to CSV and XLSX: the one formula-safe writer of the product.

Every CSV and XLSX the product writes (site exports, ``python -m sites list --format
csv``, ``python -m scoring coverage|targets --format csv``, every sheet of the
leadership workbook, the app's downloads) passes its cells through
:func:`cell_value`, so one rule holds everywhere:

* Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  prefixed with ``'``, so Excel, WPS or LibreOffice never runs it as a formula
  (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``); :func:`restore` removes that
  prefix again when such a file is imported, so an export → import round trip
  gives back the original text. Text that already begins with ``'`` followed by
  such a character gets one more ``'`` (so ``'=x`` survives the round trip too).
* Numbers stay numbers: ``-5`` and ``-0.5`` are written as numeric cells in XLSX
  and as ``-5``/``-0.5`` in CSV; only *text* is ever prefixed.
* Characters a workbook cannot hold (:data:`UNSTORABLE`: C0 controls other than
  tab, line feed and carriage return; DEL and the C1 controls; lone surrogates;
  U+FFFE/U+FFFF) are written as their escape (``\\x1b``) instead of failing the
  whole file. The import refuses them (:mod:`sites.validation`), so only text
  that reached the database some other way ever needs this.
* In XLSX every text cell is stored as a string cell (``data_type`` ``s``),
  never a formula, whatever the text. A carriage return is written as the
  OOXML escape ``_x000D_`` (as Excel writes it; a bare CR in the XML would be
  read back as a line feed) and a literal ``_xHHHH_`` in the text as
  ``_x005F_xHHHH_``; :func:`xlsx_unescape` undoes both when a workbook is read.

This module knows nothing of sites, targets or towns: callers hand it a header
and rows of plain values (``None`` and NaN become empty cells; numpy scalars
their Python value; dates stay dates).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from errors import Problem

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

#: First characters that make a spreadsheet read a text cell as a formula (or hide it behind one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters no cell may hold: what XLSX (XML 1.0) cannot store, plus DEL and the C1 controls that a
#: terminal would obey. Tab, line feed and carriage return are ordinary text and are allowed.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_OOXML_ESCAPE = re.compile("_x[0-9A-Fa-f]{4}_")
_ESCAPE_START = re.compile("_(?=x[0-9A-Fa-f]{4}_)")  # every underscore that starts one, overlapping ones too
_NEEDS_PREFIX = re.compile("'*[" + re.escape("".join(FORMULA_START)) + "]")


def neutralise(value: object) -> object:
    """``value`` as a spreadsheet may hold it: text that would run as a formula prefixed with ``'``;
    anything else (numbers, negative ones included; dates; ``None``) unchanged."""
    if isinstance(value, str) and _NEEDS_PREFIX.match(value):
        return "'" + value
    return value


def restore(value: object) -> object:
    """The inverse of :func:`neutralise`, for cells read back from a CSV or XLSX file."""
    if isinstance(value, str) and value.startswith("'") and _NEEDS_PREFIX.match(value, 1):
        return value[1:]
    return value


def unstorable(text: str | None, code: str = "sites.text_control", /, **where: object) -> Problem | None:
    """The refusal of ``text`` when it holds an :data:`UNSTORABLE` character (the rule of every stored text):
    problem ``code`` naming the first such character (``char``: ``U+001B``) and its place (``pos``, from 1),
    with ``where`` (``field``, ``file``, ``row`` or other message parameters); ``None`` when the text is fine."""
    bad = UNSTORABLE.search(text or "")
    if bad is None:
        return None
    place = {k: where.pop(k) for k in ("file", "row", "field") if k in where}
    return Problem(code, {**where, "char": f"U+{ord(bad.group()):04X}", "pos": bad.start() + 1}, **place)


def escape_unstorable(text: str) -> str:
    """``text`` with every :data:`UNSTORABLE` character written as its escape (ESC → ``\\x1b``)."""
    return UNSTORABLE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def cell_value(value: object) -> object:
    """One cell for CSV or XLSX: empty for ``None``/NaN, numpy scalars as Python values, text made safe
    (:func:`escape_unstorable`, then :func:`neutralise`); numbers, booleans and dates unchanged."""
    if value is None:
        return None
    if isinstance(value, str):
        return neutralise(escape_unstorable(value))
    if type(value) in (int, bool, datetime.date):
        return value
    if type(value) is float:
        return None if value != value else value
    if _missing(value):
        return None
    if hasattr(value, "item"):
        value = value.item()  # numpy scalars
    return value


def _missing(value: object) -> bool:
    """``None``, NaN, ``pd.NA`` or ``NaT``."""
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array: not one missing value
        return False


# --------------------------------------------------------------------------- CSV


def _csv_cell(value: object, float_format: str | None) -> object:
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return float_format % value if float_format else repr(value)
    return value


def csv_text(header: Sequence[object], rows: Iterable[Sequence[object]], *, float_format: str | None = None) -> str:
    """A CSV document (``\\r\\n`` line ends, as :mod:`csv` writes them) of ``header`` and ``rows``,
    every cell through :func:`cell_value`; floats as ``repr`` or ``float_format % value``."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([_csv_cell(h, None) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v, float_format) for v in row])
    return out.getvalue()


def frame_csv(frame: pd.DataFrame, *, float_format: str | None = None) -> str:
    """:func:`csv_text` of a DataFrame (columns as header, no index)."""
    return csv_text(list(frame.columns), frame.itertuples(index=False, name=None), float_format=float_format)


def write_csv(path: str | Path, header: Sequence[object], rows: Iterable[Sequence[object]], *,
              float_format: str | None = None) -> None:
    """Write :func:`csv_text` to ``path`` as UTF-8 with a byte-order mark, so Excel opens it as UTF-8."""
    Path(path).write_text(csv_text(header, rows, float_format=float_format), encoding="utf-8-sig", newline="")


# --------------------------------------------------------------------------- XLSX


def xlsx_escape(text: str) -> str:
    """``text`` as an XLSX string holds it (OOXML ``ST_Xstring``): CR as ``_x000D_``, a literal ``_xHHHH_``
    protected as ``_x005F_xHHHH_``."""
    return _ESCAPE_START.sub("_x005F_", text).replace("\r", "_x000D_")


def xlsx_unescape(value: object) -> object:
    """A string read from an XLSX cell with the OOXML ``_xHHHH_`` escapes decoded (openpyxl leaves them)."""
    if isinstance(value, str) and "_x" in value:
        return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group()[2:6], 16)), value)
    return value


def _xlsx_cell(value: object) -> object:
    value = cell_value(value)
    return xlsx_escape(value) if isinstance(value, str) else value


def put(cell: Cell, value: object) -> Cell:
    """Set one worksheet cell to :func:`cell_value` of ``value`` (text always a string cell)."""
    cell.value = _xlsx_cell(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, whatever the text
    return cell


def append_row(ws: Worksheet, values: Sequence[object]) -> None:
    """Append one row to ``ws`` (as :meth:`Worksheet.append` does), every cell through :func:`cell_value`,
    text always a string cell."""
    from openpyxl.cell.cell import Cell

    cells = [Cell(ws, value=_xlsx_cell(v)) for v in values]  # typed before appending: ws.max_row per row is O(rows)
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    ws.append(cells)


def dropdown(ws: Worksheet, cells: str, source: str, *, prompt: str = "", error: str = "") -> None:
    """A list validation (Excel's dropdown) on ``cells`` (e.g. ``"B2:B1000"``) offering the values at ``source``
    (a range such as ``"'lists'!$A$2:$A$6"``, so the list is data on a sheet, never formula text built from
    user values). ``prompt``/``error`` are the hint shown on entry and the message on a value not in the list."""
    from openpyxl.worksheet.datavalidation import DataValidation

    check = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False)
    if prompt:
        check.prompt, check.showInputMessage = prompt, True
    if error:
        check.error, check.showErrorMessage = error, True
    ws.add_data_validation(check)
    check.add(cells)
