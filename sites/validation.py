"""Validation of site records: the one place the form, the import and the CLI use.

:func:`validate_records` checks a whole table of raw records at once (values as
typed or read from a file) and reports every problem of every record, each
naming the line and the field, before anything is written. It converts
positions from the caller's coordinate system to WGS84 and assigns each
position to a town of the region; distances (duplicates, "how far outside")
are in metres in the region's UTM zone.

Text fields (name, address, host organisation, notes, source) may hold any
printable text plus tab, line feed and carriage return (multi-line addresses
and notes pasted from a spreadsheet cell). Every other control character (ESC,
NUL, BEL, the C1 range, lone surrogates: :data:`sites.sheets.UNSTORABLE`, what
an XLSX cell cannot hold or a terminal would obey) is refused with an error
naming the record, the field and the character, so it is never stored.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from errors import Problem, RecordError
from geodata.crs import CoordSystem, convert_points
from settings import Settings, load_site_types
from sites.models import (
    INPUT_FIELDS,
    STATUSES,
    Site,
    SiteDraft,
    source_key,
    status_lookup,
    status_name,
    type_lookup,
)
from sites.region import TownIndex
from sites.sheets import unstorable

#: Two sites of one type closer than this (metres) are a likely duplicate.
DUPLICATE_RADIUS_M = 30.0

#: Free-text fields of a site (checked for control characters).
TEXT_FIELDS = ("name", "address", "host_org", "notes", "source")

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


@dataclass
class RawRecords:
    """Records as entered: ``frame`` has columns among :data:`sites.models.INPUT_FIELDS`
    (values as typed or read: text, numbers, dates or empty).

    ``lines``: where each record is in the user's file (header = line 1), or ``None``.
    ``headers``: the file's own column name of each field, used in messages.
    ``warnings``: problems found while reading (e.g. an unrecognised column).
    """

    frame: pd.DataFrame
    lines: list[int | None]
    file: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @classmethod
    def one(cls, values: dict[str, object]) -> RawRecords:
        unknown = set(values) - set(INPUT_FIELDS)
        if unknown:
            raise ValueError(f"unknown site fields: {', '.join(sorted(unknown))}")
        return cls(pd.DataFrame([values], dtype=object), [None])

    def __len__(self) -> int:
        return len(self.frame)


@dataclass
class Validation:
    """The outcome: drafts of the records without errors, and every problem found.

    ``rejected`` holds the positions (0-based) of records with at least one error.
    """

    drafts: list[SiteDraft]
    problems: list[Problem]
    rejected: list[int]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


def validate_records(
    records: RawRecords,
    *,
    crs: str | CoordSystem,
    towns: TownIndex,
    existing: Sequence[Site] = (),
    allow_outside: bool = False,
    duplicates: Literal["error", "warning"] = "error",
    default_source: str = "",
    settings: Settings | None = None,
) -> Validation:
    """Check every record; convert positions from ``crs`` to WGS84 and assign towns.

    Problems: empty name; unknown type or status (keys, Chinese or English names
    accepted); missing, non-numeric or out-of-range coordinates, with swapped
    longitude/latitude detected; a point outside every town (an error unless
    ``allow_outside``; the message says how far, in km, and whether another
    coordinate system or swapping would place it inside); unparseable dates or
    closed before opened; likely duplicates (same type within
    :data:`DUPLICATE_RADIUS_M` metres, or same name and type in the same town)
    of ``existing`` sites or of an earlier record, at level ``duplicates``. A ``default_source`` holding a
    character no cell may hold (:data:`sites.sheets.UNSTORABLE`) refuses the whole file
    (:class:`errors.RecordError`: bad input, nothing checked or written).
    """
    # the source given for the whole file (the CLI's --source, the page's file name)
    if bad_source := unstorable(default_source, file=records.file, field="source"):
        raise RecordError(bad_source)
    crs = CoordSystem.parse(crs)
    frame = records.frame
    n = len(frame)
    problems: list[list[Problem]] = [[] for _ in range(n)]

    def add(i: int, code: str, fld: str | None, level: str = "error", **params: object) -> None:
        header = records.headers.get(fld, fld) if fld else None
        problems[i].append(Problem(code, params, records.file, records.lines[i], header, level))

    def column(name: str) -> list[object]:
        return list(frame[name]) if name in frame.columns else [None] * n

    names = [_text(v) for v in column("name")]
    for i, name in enumerate(names):
        if not name.strip():
            add(i, "sites.name_missing", "name")
    for fld in TEXT_FIELDS:
        for i, value in enumerate(column(fld)):
            if bad := unstorable(_text(value)):
                add(i, bad.code, fld, **bad.params)

    types = _lookup_column(column("type"), type_lookup(settings), "type", allowed_names("type", settings), add,
                           required=True)
    statuses = _lookup_column(column("status"), status_lookup(), "status", allowed_names("status"), add,
                              required=False)

    lng_raw, lat_raw = column("lng"), column("lat")
    lng = _numbers(lng_raw, "lng", add)
    lat = _numbers(lat_raw, "lat", add)
    numeric = np.isfinite(lng) & np.isfinite(lat)
    in_range = numeric & (np.abs(lng) <= 180) & (np.abs(lat) <= 90)

    wlng = np.full(n, np.nan)
    wlat = np.full(n, np.nan)
    if in_range.any():
        wlng[in_range], wlat[in_range] = convert_points(lng[in_range], lat[in_range], crs, CoordSystem.WGS84)
    town = towns.assign(wlng, wlat)

    suspect = numeric & ~(in_range & (town != None))  # noqa: E711  (object array compare)
    swapped_town = _towns_if(lat, lng, crs, towns, suspect)
    coord_field = f"{records.headers.get('lng', 'lng')}/{records.headers.get('lat', 'lat')}"
    for i in np.flatnonzero(suspect):
        if swapped_town[i] is not None:
            add(i, "sites.swapped", None, lng=_fmt(lng[i]), lat=_fmt(lat[i]), **_town(towns, swapped_town[i]))
            problems[i][-1] = _with_field(problems[i][-1], coord_field)
        elif not in_range[i]:
            if abs(lng[i]) > 180:
                add(i, "sites.lng_range", "lng", value=_fmt(lng[i]))
            if abs(lat[i]) > 90:
                add(i, "sites.lat_range", "lat", value=_fmt(lat[i]))
        else:
            code, dist_m = towns.nearest_town(wlng[i], wlat[i])
            params = dict(crs=crs.label(), lng=_fmt(lng[i]), lat=_fmt(lat[i]), km=f"{dist_m / 1000:.1f}",
                          **_town(towns, code))
            hint = None if allow_outside else _other_crs_town(lng[i], lat[i], crs, towns)
            if allow_outside:
                add(i, "sites.outside_allowed", None, "warning", **params)
            elif hint is not None:
                add(i, "sites.outside_hint", None, other_crs=hint[0].label(),
                    **{f"other_{k}": v for k, v in _town(towns, hint[1]).items()}, **params)
            else:
                add(i, "sites.outside", None, **params)
            problems[i][-1] = _with_field(problems[i][-1], coord_field)

    opened = _dates(column("opened_on"), "opened_on", add)
    closed = _dates(column("closed_on"), "closed_on", add)
    for i in range(n):
        if opened[i] and closed[i] and closed[i] < opened[i]:
            add(i, "sites.closed_before_opened", "closed_on", opened=opened[i].isoformat(),
                closed=closed[i].isoformat())

    placed = in_range & np.array([t is not None for t in types]) & np.array(
        [not any(p.level == "error" for p in problems[i]) for i in range(n)], dtype=bool)
    _check_duplicates(names, types, town, wlng, wlat, placed, existing, towns, records, add, duplicates)

    sources = [source_key(_text(v)) for v in column("source")]
    texts = {f: [_text(v) for v in column(f)] for f in ("address", "host_org", "notes")}
    drafts: list[SiteDraft] = []
    rejected: list[int] = []
    for i in range(n):
        if any(p.level == "error" for p in problems[i]):
            rejected.append(i)
            continue
        drafts.append(SiteDraft(
            name=names[i], type=types[i], status=statuses[i] or "open",  # type: ignore[arg-type]
            lng=float(wlng[i]), lat=float(wlat[i]), town_code=town[i],
            address=texts["address"][i], host_org=texts["host_org"][i],
            opened_on=opened[i], closed_on=closed[i], notes=texts["notes"][i],
            source=sources[i] or default_source, row=records.lines[i],
        ))
    return Validation(drafts, [*records.warnings, *(p for row in problems for p in row)], rejected)


def swapped_lines(problems: Sequence[Problem]) -> list[int | None]:
    """Lines of the records the check found with longitude and latitude swapped (``sites.swapped``)."""
    return list(dict.fromkeys(p.row for p in problems if p.code == "sites.swapped"))


def swap_lnglat(records: RawRecords, lines: Sequence[int | None]) -> RawRecords:
    """A copy of ``records`` with longitude and latitude exchanged on the records at ``lines`` — the one-step
    fix the import offers for rows :func:`validate_records` reports as ``sites.swapped`` (the CLI's
    ``--swap-lnglat``, the data page's button). Never silent: each swapped record carries a warning
    (``sites.swapped_fixed``) naming its line and its new coordinates."""
    wanted = set(lines)
    frame = records.frame.copy()
    warnings = list(records.warnings)
    if {"lng", "lat"} <= set(frame.columns):
        for i, line in enumerate(records.lines):
            if line in wanted:
                lng, lat = frame.at[i, "lng"], frame.at[i, "lat"]
                frame.at[i, "lng"], frame.at[i, "lat"] = lat, lng
                coord = f"{records.headers.get('lng', 'lng')}/{records.headers.get('lat', 'lat')}"
                warnings.append(Problem("sites.swapped_fixed", {"lng": str(lat), "lat": str(lng)}, records.file,
                                        line, coord, "warning"))
    return RawRecords(frame, list(records.lines), records.file, dict(records.headers), warnings)


# ------------------------------------------------------------------------ helpers


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _text(value: object) -> str:
    """A cell as text, exactly as given (a whole float such as 12.0 from Excel → ``12``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _fmt(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _with_field(problem: Problem, fld: str) -> Problem:
    return Problem(problem.code, problem.params, problem.file, problem.row, fld, problem.level)


def allowed_names(kind: Literal["type", "status"], settings: Settings | None = None) -> dict[str, str]:
    """Message parameters listing what a type or status may be: ``allowed``, the Chinese names
    (职工服务中心、职工书屋…), and ``allowed_en``, the English names each with its key
    (``Worker service centre (service_centre), …``). The one place the messages about an unknown or
    missing type or status (``sites.type_*``, ``sites.status_unknown``) get their list from."""
    if kind == "type":
        pairs = [(t.name_zh, f"{t.name_en} ({t.key})") for t in load_site_types(settings)]
    else:
        pairs = [(status_name(s, "zh"), f"{status_name(s, 'en')} ({s})") for s in STATUSES]
    return {"allowed": "、".join(zh for zh, _ in pairs), "allowed_en": ", ".join(en for _, en in pairs)}


def _lookup_column(values: list[object], lookup: dict[str, str], fld: str, allowed: dict[str, str], add,
                   *, required: bool) -> list[str | None]:
    out: list[str | None] = []
    for i, value in enumerate(values):
        if _is_empty(value):
            if required:
                add(i, f"sites.{fld}_missing", fld, **allowed)
            out.append(None)
            continue
        key = lookup.get(" ".join(str(value).strip().lower().replace("_", " ").split()))
        if key is None:
            add(i, f"sites.{fld}_unknown", fld, value=str(value), **allowed)
        out.append(key)
    return out


#: Invisible characters a copy from a web page (Baidu or Amap's coordinate pickers, a chat) leaves in a number.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")


def typed_text(text: str) -> str:
    """A number or date as typed, in ASCII: full-width digits and signs as a Chinese input method types them
    (``１１３．１４``, ``２０２５－０６－３０``) made plain, invisible characters pasted along dropped."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).strip()


def _number_text(value: object) -> str:
    """A typed number as ``float`` reads it (:func:`_typed`): a Chinese comma as the decimal point (``113，14``),
    a degree sign dropped."""
    return typed_text(str(value).replace("，", ".").replace("°", ""))


def _numbers(values: list[object], fld: str, add) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        if _is_empty(value):
            add(i, f"sites.{fld}_missing", fld)
            continue
        if isinstance(value, bool):
            number = math.nan
        elif isinstance(value, int | float):
            number = float(value)
        else:
            try:
                number = float(_number_text(value))
            except ValueError:
                number = math.nan
        if math.isfinite(number):
            out[i] = number
        else:
            add(i, "sites.not_number", fld, value=str(value))
    return out


def _dates(values: list[object], fld: str, add) -> list[datetime.date | None]:
    out: list[datetime.date | None] = []
    for i, value in enumerate(values):
        parsed = None if _is_empty(value) else parse_date(typed_text(value) if isinstance(value, str) else value)
        if parsed is None and not _is_empty(value):
            add(i, "sites.date_bad", fld, value=_text(value))
        out.append(parsed)
    return out


def parse_date(value: object) -> datetime.date | None:
    """A calendar date from a date/datetime or from text such as ``2024-05-01``,
    ``2024/5/1``, ``2024年5月1日`` or ``2024-05-01 00:00:00``; ``None`` if it is not one."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > 10 and text[10:] in (" 00:00:00", "T00:00:00"):
        text = text[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _towns_if(lng: np.ndarray, lat: np.ndarray, crs: CoordSystem, towns: TownIndex,
              mask: np.ndarray) -> np.ndarray:
    """Town of each masked point read as (lng, lat) in ``crs``; ``None`` elsewhere."""
    out = np.full(len(lng), None, dtype=object)
    ok = mask & (np.abs(lng) <= 180) & (np.abs(lat) <= 90)
    if ok.any():
        x, y = convert_points(lng[ok], lat[ok], crs, CoordSystem.WGS84)
        out[ok] = towns.assign(x, y)
    return out


def _other_crs_town(lng: float, lat: float, crs: CoordSystem, towns: TownIndex) -> tuple[CoordSystem, str] | None:
    """The first other coordinate system that would place the point in a town, with that town."""
    for other in CoordSystem:
        if other == crs:
            continue
        x, y = convert_points([lng], [lat], other, CoordSystem.WGS84)
        code = towns.assign(x, y)[0]
        if code is not None:
            return other, code
    return None


def _town(towns: TownIndex, code: str | None) -> dict[str, str]:
    """Message parameters naming a town in both languages."""
    return {"town": towns.town_name(code, "zh"), "town_en": towns.town_name(code, "en")}


def _check_duplicates(names, types, town, wlng, wlat, placed, existing: Sequence[Site], towns: TownIndex,
                      records: RawRecords, add, level: str) -> None:
    """Flag records that duplicate an existing site or an earlier record (metres, UTM)."""
    from scipy.spatial import cKDTree  # imported when used: reading the registry needs no scipy

    idx = np.flatnonzero(placed)
    if not len(idx):
        return
    x, y = towns.to_metric(wlng[idx], wlat[idx])
    ex_types = np.array([s.type for s in existing], dtype=object)
    ex_x, ex_y = towns.to_metric([s.lng for s in existing], [s.lat for s in existing])
    ex_x, ex_y = np.atleast_1d(ex_x), np.atleast_1d(ex_y)
    by_name = {(_name_key(s.name), s.type, s.town_code): s for s in existing}
    row_types = np.array([types[i] for i in idx], dtype=object)
    flagged: set[int] = set()

    def add_dup(i: int, what: str, fld: str | None, other: Site | int, **params: object) -> None:
        if isinstance(other, Site):
            add(i, f"sites.duplicate_{what}_site", fld, level, id=other.id, name=other.name, **params)
        else:
            add(i, f"sites.duplicate_{what}_row", fld, level, row=records.lines[other] or other + 1,
                name=names[other], **params)

    for kind in set(row_types):
        mine = np.flatnonzero(row_types == kind)
        pts = np.column_stack([x[mine], y[mine]])
        theirs = np.flatnonzero(ex_types == kind) if len(existing) else np.array([], dtype=int)
        if len(theirs):
            tree = cKDTree(np.column_stack([ex_x[theirs], ex_y[theirs]]))
            dist, near = tree.query(pts, k=1, distance_upper_bound=DUPLICATE_RADIUS_M)
            for k in np.flatnonzero(np.isfinite(dist)):
                i = int(idx[mine[k]])
                flagged.add(i)
                add_dup(i, "near", None, existing[theirs[near[k]]], m=f"{dist[k]:.1f}",
                        radius=f"{DUPLICATE_RADIUS_M:.0f}")
        if len(mine) > 1:
            pairs = cKDTree(pts).query_pairs(DUPLICATE_RADIUS_M, output_type="ndarray")
            first: dict[int, int] = {}
            for a, b in pairs:
                a, b = sorted((int(a), int(b)))
                first[b] = min(first.get(b, a), a)
            for b, a in sorted(first.items()):
                i, j = int(idx[mine[b]]), int(idx[mine[a]])
                if i in flagged:
                    continue
                flagged.add(i)
                dist_m = math.hypot(pts[b, 0] - pts[a, 0], pts[b, 1] - pts[a, 1])
                add_dup(i, "near", None, j, m=f"{dist_m:.1f}", radius=f"{DUPLICATE_RADIUS_M:.0f}")

    seen: dict[tuple, int] = {}
    for i in idx:
        key = (_name_key(names[i]), types[i], town[i])
        if i in flagged:
            seen.setdefault(key, i)
            continue
        other = by_name.get(key, seen.get(key))
        if other is None:
            seen[key] = i
        else:
            add_dup(i, "name", "name", other, **_town(towns, town[i]))


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())
