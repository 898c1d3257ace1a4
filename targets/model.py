"""A rollout target: what must exist where by when, and its validation.

A target has a name, a site type, a **scope** and a **measure**:

* scope ``each_town``: the measure must hold in every town of the region;
  ``region``: for the region as a whole; ``towns``: in each of the listed towns
  (``towns`` holds their codes).
* measure ``site_count``: at least ``threshold`` counted sites (a whole number);
  ``area_share``: at least ``threshold`` percent of the area within
  ``radius_m`` metres of a counted site; ``demand_share``: the same for demand
  (people, from a demand layer).

``statuses`` are the site statuses that count (default: ``open``); a site also
needs ``opened_on`` missing or on/before the evaluation date and ``closed_on``
missing or after it (see :mod:`scoring.selection`). ``deadline`` is the last day
the target may be met on.

``new_since`` (optional) makes a "new sites" target, as offices write them ("2 new
cultural palaces built since 2020-01-01"): only sites opened on or after that date
count, so a site with no opening date never counts for it. ``demand_layer``
(optional) names the stored demand layer a ``demand_share`` target is measured on.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from errors import Problem, RecordError
from i18n import t
from settings import Language, site_type, site_type_keys
from sites.models import STATUSES, status_name
from sites.sheets import unstorable

SCOPES: tuple[str, ...] = ("each_town", "region", "towns")
MEASURES: tuple[str, ...] = ("site_count", "area_share", "demand_share")
#: Unit of the required/actual/shortfall values of each measure.
MEASURE_UNITS: dict[str, str] = {"site_count": "sites", "area_share": "km2", "demand_share": "people"}
DEFAULT_STATUSES: tuple[str, ...] = ("open",)
#: Fields a user may change on a stored target.
EDITABLE_FIELDS: tuple[str, ...] = (
    "name", "site_type", "scope", "towns", "measure", "threshold", "radius_m", "statuses", "deadline", "notes",
    "new_since", "demand_layer",
)


@dataclass(frozen=True, slots=True)
class Target:
    """One rollout target (see the module docstring for the meaning of each field).

    ``threshold`` is a number of sites for ``site_count`` and a percentage
    (0–100] for the coverage measures; ``radius_m`` is metres (coverage only).
    ``id``, the audit stamps and ``version`` (1, then one more at every write:
    optimistic concurrency, see :meth:`targets.store.TargetStore.update`)
    are set by the store.
    """

    name: str
    site_type: str
    scope: str
    measure: str
    threshold: float
    deadline: datetime.date
    towns: tuple[str, ...] = ()
    radius_m: float | None = None
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    notes: str = ""
    new_since: datetime.date | None = None
    demand_layer: str | None = None
    id: int | None = None
    created_by: str = ""
    created_at: str = ""
    updated_by: str = ""
    updated_at: str = ""
    version: int = 1

    @property
    def unit(self) -> str:
        """``sites``, ``km2`` or ``people``: the unit of required/actual/shortfall."""
        return MEASURE_UNITS[self.measure]

    def describe(self, lang: Language = "zh", *, type_name: str | None = None) -> str:
        """One sentence saying what the target asks for, in ``lang``."""
        kind = type_name or _type_name(self.site_type, lang)
        scope = t(f"scope.{self.scope}", lang)
        if self.scope == "towns":
            scope = f"{scope}（{'、'.join(self.towns)}）" if lang == "zh" else f"{scope} ({', '.join(self.towns)})"
        sep = "、" if lang == "zh" else "/"
        statuses = sep.join(status_name(s, lang) for s in self.statuses)
        params = {"scope": scope, "type": kind, "statuses": statuses, "deadline": self.deadline.isoformat()}
        if self.measure == "site_count":
            text = t("target.describe_count", lang, n=_fmt_number(self.threshold), **params)
        else:
            text = t("target.describe_share", lang, n=_fmt_number(self.threshold),
                     radius=_fmt_number(self.radius_m or 0), measure=t(f"measure.{self.measure}", lang), **params)
        if self.new_since is not None:
            text += t("target.describe_new_since", lang, date=self.new_since.isoformat())
        return text

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready values (date as ISO string, tuples as lists)."""
        return {
            "id": self.id, "name": self.name, "site_type": self.site_type, "scope": self.scope,
            "towns": list(self.towns), "measure": self.measure, "threshold": self.threshold,
            "radius_m": self.radius_m, "statuses": list(self.statuses), "deadline": self.deadline.isoformat(),
            "notes": self.notes, "new_since": self.new_since.isoformat() if self.new_since else None,
            "demand_layer": self.demand_layer, "created_by": self.created_by, "created_at": self.created_at,
            "updated_by": self.updated_by, "updated_at": self.updated_at, "version": self.version,
        }


def validate_target(target: Target, *, town_codes: Iterable[str] | None = None) -> list[Problem]:
    """Every problem with ``target`` (empty list: valid).

    ``town_codes`` are the region's towns; when given, listed towns must be
    among them. Each problem names the field it is about.
    """
    problems: list[Problem] = []
    if not target.name.strip():
        problems.append(Problem("target.name_missing", field="name"))
    for fld in ("name", "notes"):  # the rule of every stored text
        if bad := unstorable(getattr(target, fld), field=fld):
            problems.append(bad)
    known_types = site_type_keys()
    if target.site_type not in known_types:
        problems.append(Problem("target.unknown_type", {"value": target.site_type, "known": ", ".join(known_types)},
                                field="site_type"))
    if target.scope not in SCOPES:
        problems.append(Problem("target.unknown_scope", {"value": target.scope}, field="scope"))
    elif target.scope == "towns" and not target.towns:
        problems.append(Problem("target.towns_missing", field="towns"))
    elif target.scope != "towns" and target.towns:
        problems.append(Problem("target.towns_unexpected", {"scope": target.scope}, field="towns"))
    if town_codes is not None and target.towns:
        known = [str(c) for c in town_codes]
        for code in target.towns:
            if code not in known:
                problems.append(Problem("target.unknown_town", {"value": code, "known": ", ".join(known)},
                                        field="towns"))
    problems += _measure_problems(target)
    if not target.statuses:
        problems.append(Problem("target.statuses_missing", field="statuses"))
    for status in target.statuses:
        if status not in STATUSES:
            problems.append(Problem("target.unknown_status", {"value": status, "known": ", ".join(STATUSES)},
                                    field="statuses"))
    if not isinstance(target.deadline, datetime.date):
        problems.append(Problem("target.bad_date", {"value": target.deadline}, field="deadline"))
    if target.new_since is not None:
        if not isinstance(target.new_since, datetime.date):
            problems.append(Problem("target.bad_date", {"value": target.new_since}, field="new_since"))
        elif isinstance(target.deadline, datetime.date) and target.new_since > target.deadline:
            problems.append(Problem("target.new_since_after_deadline", {
                "since": target.new_since.isoformat(), "deadline": target.deadline.isoformat()}, field="new_since"))
    if target.demand_layer is not None and target.measure != "demand_share":
        problems.append(Problem("target.demand_layer_unexpected", {"value": target.demand_layer},
                                field="demand_layer"))
    return problems


def check_target(target: Target, *, town_codes: Iterable[str] | None = None) -> Target:
    """``target`` unchanged if valid; :class:`errors.RecordError` listing every problem otherwise."""
    problems = validate_target(target, town_codes=town_codes)
    if problems:
        raise RecordError(problems)
    return target


def parse_target(
    record: Mapping[str, object], *, town_codes: Iterable[str] | None = None, row: int | None = None,
    file: str | None = None,
) -> Target:
    """A valid :class:`Target` from user input (strings from a form, a file or the CLI).

    ``towns`` and ``statuses`` may be lists or comma-separated strings;
    ``deadline`` a date or ``YYYY-MM-DD``; numbers may be strings. Raises
    :class:`errors.RecordError` with every problem, located at ``file``/``row``.
    """
    problems: list[Problem] = []

    def where(problem: Problem) -> Problem:
        return Problem(problem.code, problem.params, file=file, row=row, field=problem.field)

    threshold = _parse_number(record.get("threshold"), "threshold", problems)
    radius = record.get("radius_m")
    radius_m = None if radius in (None, "") else _parse_number(radius, "radius_m", problems)
    deadline = _parse_date(record.get("deadline"), "deadline", problems)
    since = record.get("new_since")
    new_since = None if _blank(since) else _parse_date(since, "new_since", problems)
    layer = record.get("demand_layer")
    target = Target(
        name=str(record.get("name") or "").strip(),
        site_type=str(record.get("site_type") or "").strip(),
        scope=str(record.get("scope") or "").strip(),
        measure=str(record.get("measure") or "").strip(),
        threshold=threshold if threshold is not None else math.nan,
        deadline=deadline or datetime.date.min,
        towns=_parse_list(record.get("towns")),
        radius_m=radius_m,
        statuses=_parse_list(record.get("statuses")) or DEFAULT_STATUSES,
        notes=str(record.get("notes") or ""),
        new_since=new_since,
        demand_layer=None if _blank(layer) else str(layer).strip(),
    )
    problems += [p for p in validate_target(target, town_codes=town_codes)
                 if not (p.field == "threshold" and threshold is None)]
    if problems:
        raise RecordError([where(p) for p in problems])
    return target


def parse_date(value: object, *, field: str = "date") -> datetime.date:
    """A date from a ``date`` or ``YYYY-MM-DD`` text; :class:`errors.RecordError` otherwise."""
    problems: list[Problem] = []
    day = _parse_date(value, field, problems)
    if day is None:
        raise RecordError(problems)
    return day


# --------------------------------------------------------------------- helpers


def _measure_problems(target: Target) -> list[Problem]:
    if target.measure not in MEASURES:
        return [Problem("target.unknown_measure", {"value": target.measure}, field="measure")]
    problems: list[Problem] = []
    value = target.threshold
    if target.measure == "site_count":
        if not (math.isfinite(value) and value >= 1 and float(value).is_integer()):
            problems.append(Problem("target.bad_count", {"value": _fmt_number(value)}, field="threshold"))
        if target.radius_m is not None:
            problems.append(Problem("target.radius_unexpected", {"value": target.radius_m}, field="radius_m"))
    else:
        if not (math.isfinite(value) and 0 < value <= 100):
            problems.append(Problem("target.bad_share", {"value": _fmt_number(value)}, field="threshold"))
        if target.radius_m is None or not (math.isfinite(target.radius_m) and target.radius_m > 0):
            radius = "—" if target.radius_m is None else _fmt_number(target.radius_m)
            problems.append(Problem("target.radius_missing", {"value": radius}, field="radius_m"))
    return problems


def _parse_number(value: object, field: str, problems: list[Problem]) -> float | None:
    try:
        return float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError:
        problems.append(Problem("target.bad_number", {"value": value}, field=field))
        return None


def _parse_date(value: object, field: str, problems: list[Problem]) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(Problem("target.bad_date", {"value": value}, field=field))
        return None


def _blank(value: object) -> bool:
    """``None``, NaN or empty text: an optional field left out."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _parse_list(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.replace("，", ",").replace("、", ",").split(",") if isinstance(value, str) else list(value)
    return tuple(str(item).strip() for item in items if str(item).strip())


def _type_name(key: str, lang: Language) -> str:
    try:
        return site_type(key).name(lang)
    except KeyError:
        return key


def _fmt_number(value: float) -> str:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)
