"""Everything the command line prints: text, JSON, CSV and GeoJSON, to the terminal or a file.

One rule for user text on a terminal, applied here and nowhere else: a character
a terminal would obey (escape sequences, bells, C1 controls, DEL) is shown as
its escape, never sent raw. Text lines go through :func:`clean` (``ESC`` →
``\\x1b``, tab → ``\\t``); documents (JSON, CSV, GeoJSON) through
:func:`_guard`, which writes the same characters as ``\\uXXXX`` so a JSON
document stays parseable and reads back the same (CSV cells are already
escaped by :mod:`sites.sheets`, the one formula-safe writer).

Standard output carries only the result; messages, warnings and progress go to
standard error. A document written with ``--output FILE`` goes to the file.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from errors import Problem
from i18n import t
from incidents import terminal_text
from settings import Language
from sites.sheets import UNSTORABLE, csv_text, frame_csv


def clean(text: str) -> str:
    """A text line for a terminal: every non-printable character but newline shown as its escape
    (:func:`incidents.terminal_text`, which the last-resort handler uses too)."""
    return terminal_text(text)


def _guard(text: str) -> str:
    """A document for a terminal: characters a terminal would obey written as ``\\uXXXX`` (valid JSON)."""
    return UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo(text: str = "", *, err: bool = False) -> None:
    """Print one message (user text included) on standard output, or standard error with ``err``."""
    stream = sys.stderr if err else sys.stdout
    print(clean(text), file=stream, flush=err)


def echo_row(cells: Sequence[object], *, sep: str = "\t") -> None:
    """Print one table row on standard output: each cell cleaned, joined with ``sep`` (a tab by default)."""
    print(sep.join(clean(str(cell)) for cell in cells), file=sys.stdout)


def write(text: str, output: str | Path | None = None) -> None:
    """Write a finished document (JSON, CSV, GeoJSON) to ``output``, or to standard output."""
    text = _guard(text)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()


def plain(value: object) -> object:
    """JSON-safe plain values: numpy scalars to Python, floats rounded to 6 decimals, NaN/inf to ``None``."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, 6) if np.isfinite(value) else None
    return value


def json_text(value: object, *, indent: int = 2) -> str:
    """``value`` as JSON (UTF-8 text kept, numpy values made plain, terminal controls escaped).

    The very text of ``json.dumps(plain(value), ensure_ascii=False, indent=indent, default=str)``; with an
    indent the standard library encodes in pure Python, one generator per value, so documents of the usual
    shapes (dicts with text keys, lists, text, numbers, ``None``, numpy values) are written by
    :func:`_indented` instead, long lists of plain text or integers (a target's site ids and names) joined
    at once; anything else goes the standard way."""
    if indent > 0:
        out: list[str] = []
        try:
            _indented(value, "\n", " " * indent, out)
        except _Unusual:
            pass
        else:
            return _guard("".join(out))
    return _guard(json.dumps(plain(value), ensure_ascii=False, indent=indent, default=str))


class _Unusual(Exception):
    """A value :func:`_indented` leaves to :func:`json.dumps` (a dict key that is not text)."""


_string = json.encoder.encode_basestring  # the encoder's own (C) function for ensure_ascii=False


def _indented(value: object, newline: str, step: str, out: list[str]) -> None:
    """Append the JSON of ``plain(value)`` indented as :func:`json.dumps` indents it (``newline``: a newline
    and the current indent; ``step``: one level more)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + step
        first = True
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unusual
            out.append(("{" if first else ",") + inner + _string(key) + ": ")
            first = False
            _indented(item, inner, step, out)
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + step
        kinds = set(map(type, value))
        if kinds == {str}:
            out.append("[" + inner + ("," + inner).join(map(_string, value)) + newline + "]")
        elif kinds == {int}:
            out.append("[" + inner + ("," + inner).join(map(int.__repr__, value)) + newline + "]")
        else:
            for k, item in enumerate(value):
                out.append(("[" if k == 0 else ",") + inner)
                _indented(item, inner, step, out)
            out.append(newline + "]")
    elif isinstance(value, str):
        out.append(_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(float.__repr__(round(value, 6)) if np.isfinite(value) else "null")
    else:
        out.append(_string(str(value)))  # default=str


def write_json(value: object, output: str | Path | None = None, *, indent: int = 2) -> None:
    """Print (or write to ``output``) ``value`` as a JSON document."""
    write(json_text(value, indent=indent), output)


def write_csv(header: Sequence[object], rows: Iterable[Sequence[object]], output: str | Path | None = None) -> None:
    """Print (or write) rows as CSV through the formula-safe writer (:func:`sites.sheets.csv_text`)."""
    write(csv_text(header, rows), output)


def write_frame_csv(frame: pd.DataFrame, output: str | Path | None = None, *, float_format: str | None = None) -> None:
    """Print (or write) a table as CSV through the formula-safe writer (:func:`sites.sheets.frame_csv`)."""
    write(frame_csv(frame, float_format=float_format), output)


def problems(items: Iterable[Problem], lang: Language) -> None:
    """Each problem on its own line of standard error; warnings say so."""
    for problem in items:
        prefix = f"{t('sites.cli.warning', lang)}{t('sep', lang)}" if problem.level == "warning" else ""
        echo(prefix + problem.message(lang), err=True)


def progress(fraction: float, message: str) -> None:
    """Progress of a long command: one line per report on standard error, ``[ 60%] message``."""
    echo(f"[{fraction:4.0%}] {message}", err=True)
