"""The one-page leadership report: are we on track for this year's targets, and where not?

:func:`build_report` evaluates every target as of a date (:mod:`targets.evaluate`),
projects each at the present rate (:mod:`targets.progress`) and colours every
town red, amber or green (:mod:`targets.rag`, rule printed on the page). The
result, a :class:`LeadershipReport`, holds only text and plain tables, so each
output format (:mod:`reports.xlsx`, :mod:`reports.html`,
:mod:`reports.pdf`) lays out the same content; :func:`reports.files.write_report`
picks the format from the file name.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from errors import NotFound, RecordError
from geodata.boundaries import Region
from i18n import t
from scoring.demand import Demand
from settings import Language, site_type
from targets.evaluate import evaluate_targets
from targets.model import Target
from targets.progress import Projection, monthly_series, project
from targets.rag import add_rag

#: ``source`` of the registry's demo sites (``python -m sites seed-demo``); figures counting them are marked.
DEMO_SOURCE = "demo"


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of the town-by-town table: its text and colour (``None``: target does not apply)."""

    text: str
    rag: str | None


@dataclass(frozen=True, slots=True)
class TargetLine:
    """One target in the summary table, already worded for the reader."""

    target: Target
    type_name: str
    towns_met: int
    towns_total: int
    met: bool
    projection: Projection
    status_text: str
    projection_text: str
    days_text: str


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A target the report cannot evaluate, and why in words (its demand layer is missing or gone, …)."""

    target: Target
    reason: str


#: Report texts that name the region's unit, and their wording with the unit as a parameter (区县, 镇街).
_BY_LEVEL: dict[str, str] = {"report.towns_heading": "region.report.towns_heading",
                             "report.footer": "region.report.footer", "report.rule": "region.report.rule"}


@dataclass
class LeadershipReport:
    """Everything the one page shows, in one language.

    ``rows``: the evaluation table with a ``rag`` column (one row per target ×
    town); ``series``: each target's monthly series by target id; ``town_rows``:
    the town-by-town table, one ``(town name, cells)`` per town (plus the region
    row when a target is region-wide), cells in the order of ``targets``.
    """

    lang: Language
    as_of: datetime.date
    title: str
    region_name: str
    attribution: str
    targets: list[TargetLine]
    rows: pd.DataFrame
    series: dict[int | None, pd.DataFrame]
    town_rows: list[tuple[str, list[Cell]]]
    shortfalls: list[tuple[str, str]] = field(default_factory=list)
    demo_sites: int = 0
    #: Targets left out because they cannot be evaluated, each with its reason (never a traceback).
    unavailable: list[Unavailable] = field(default_factory=list)
    #: What one unit of the region is called: 镇街 (Town) or 区县 (County), from the stored region's level.
    unit_label: str = ""

    @property
    def met_count(self) -> int:
        return sum(line.met for line in self.targets)

    def text(self, key: str, **params: object) -> str:
        """A report text in the report's language; the texts that name the unit say 区县 for counties."""
        if key in _BY_LEVEL and self.unit_label and self.unit_label != t("region.level.town", self.lang):
            return t(_BY_LEVEL[key], self.lang, level=self.unit_label, **params)
        return t(key, self.lang, **params)

    @property
    def summary(self) -> str:
        return self.text("report.summary", met=self.met_count, total=len(self.targets))

    @property
    def demo_note(self) -> str:
        """The warning that figures marked * count demo sites ("" when none do)."""
        return self.text("report.demo_note", n=self.demo_sites) if self.demo_sites else ""

    @property
    def rule(self) -> str:
        return self.text("report.rule")

    @property
    def column_headers(self) -> list[str]:
        """Header of the town-by-town table: the town column, then one per target."""
        return [self.unit_label or self.text("report.col.town")] + [line.target.name for line in self.targets]

    @property
    def target_headers(self) -> list[str]:
        keys = ("target", "type", "deadline", "days_left", "towns_met", "status", "projection")
        headers = [self.text(f"report.col.{k}") for k in keys]
        if self.unit_label and self.unit_label != self.text("report.col.town"):  # counties: 达标区县
            headers[keys.index("towns_met")] = self.text("region.report.units_met", level=self.unit_label)
        return headers

    def target_cells(self, line: TargetLine) -> list[str]:
        name = line.target.name
        if line.target.new_since is not None:  # "2 new palaces": the reader sees which sites count
            name += self.text("report.new_since_mark", date=line.target.new_since.isoformat())
        return [name, line.type_name, line.target.deadline.isoformat(), line.days_text,
                f"{line.towns_met} / {line.towns_total}", line.status_text, line.projection_text]


def build_report(
    targets: Sequence[Target],
    sites: pd.DataFrame,
    region: Region,
    *,
    as_of: datetime.date,
    lang: Language = "zh",
    demand: Demand | None = None,
    demand_for: Callable[[Target], Demand | None] | None = None,
) -> LeadershipReport:
    """Evaluate, project and colour every target as of ``as_of`` (see the module docstring).

    A ``demand_share`` target is measured on ``demand_for(target)`` when given (the stored layer the
    target names), else on ``demand``. A target that cannot be evaluated — no demand layer, a layer that
    is gone — is not fatal: it goes to ``report.unavailable`` with its reason and the other targets are
    reported as usual.
    """
    tables: list[pd.DataFrame] = []
    series: dict[int | None, pd.DataFrame] = {}
    usable: list[Target] = []
    unavailable: list[Unavailable] = []
    for tg in targets:
        try:
            layer = demand_for(tg) if demand_for is not None and tg.measure == "demand_share" else demand
            one = evaluate_targets([tg], sites, region, as_of=as_of, lang=lang, demand=layer)
            series[tg.id] = monthly_series(tg, sites, region, as_of=as_of, demand=layer)
        except (RecordError, NotFound) as exc:
            unavailable.append(Unavailable(tg, "；".join(p.message(lang) for p in exc.problems) if lang == "zh"
                                           else "; ".join(p.message(lang) for p in exc.problems)))
            continue
        tables.append(one)
        usable.append(tg)
    table = pd.concat(tables, ignore_index=True) if tables else evaluate_targets([], sites, region, as_of=as_of,
                                                                                 lang=lang)
    projections = {tg.id: project(tg, series[tg.id]) for tg in usable}
    rows = add_rag(table, projections)
    demo_ids = set(sites.loc[sites["source"] == DEMO_SOURCE, "id"]) if "source" in sites else set()
    rows["demo_sites"] = [sum(i in demo_ids for i in ids) for ids in rows["site_ids"]]
    region_name = (region.name_zh if lang == "zh" else region.name_en) or t("region.whole", lang)
    report = LeadershipReport(
        lang=lang, as_of=as_of, title=t("report.title", lang, region=region_name), region_name=region_name,
        attribution=region.attribution, targets=[], rows=rows, series=series, town_rows=[],
        unavailable=unavailable,
        unit_label=region.level_label(lang),  # 镇街 or 区县, from the stored region's level
    )
    for target in usable:
        mine = rows.loc[rows["target_id"] == target.id] if target.id is not None else rows.iloc[0:0]
        report.targets.append(_target_line(report, target, mine, projections[target.id]))
    report.town_rows = _town_rows(report, usable, rows, region)
    report.shortfalls = _shortfalls(report, rows)
    report.demo_sites = len(demo_ids & {i for ids in rows["site_ids"] for i in ids})
    return report


def detail_rows(report: LeadershipReport) -> pd.DataFrame:
    """The counted sites of every evaluated row, one row per site: ``target_id``, ``name`` (the target's),
    ``town_code``, ``town_name``, ``site_id``, ``site_name`` — the table a sheet can hold at any count (the
    summary's ``site_ids``/``site_names`` lists would pass a cell's 32,767 characters at ~3,000 sites)."""
    rows = report.rows.reset_index(drop=True)
    keys = ["target_id", "name", "town_code", "town_name"]
    counts = rows["site_ids"].map(len).to_numpy(dtype=int) if len(rows) else []
    out = rows.loc[rows.index.repeat(counts), keys].reset_index(drop=True) if len(rows) else pd.DataFrame(
        columns=keys)
    out["site_id"] = [i for ids in rows["site_ids"] for i in ids]
    out["site_name"] = [n for names in rows["site_names"] for n in names]
    return out[list(DETAIL_COLUMNS)]


#: Columns of :func:`detail_rows`.
DETAIL_COLUMNS: tuple[str, ...] = ("target_id", "name", "town_code", "town_name", "site_id", "site_name")


# ---------------------------------------------------------------------- wording


def format_value(value: float, unit: str) -> str:
    """A required/actual/shortfall value for reading: whole sites and people, km² to 0.1."""
    if unit == "km2":
        return f"{value:.1f}"
    return str(int(math.ceil(value - 1e-9))) if unit == "people" else f"{value:g}"


def _cell_text(row: dict[str, object]) -> str:
    """``actual/required`` (sites) or ``actual%/required%`` (coverage); ``*`` when demo sites count."""
    mark = "*" if row.get("demo_sites") else ""
    if row["measure"] == "site_count":
        return f"{format_value(row['actual'], 'sites')}{mark}/{format_value(row['required'], 'sites')}"  # type: ignore[arg-type]
    return f"{row['actual_pct']:.0f}%{mark}/{row['required_pct']:.0f}%"


def _days_text(report: LeadershipReport, days: int) -> str:
    return report.text("report.days_left", days=days) if days >= 0 else report.text("report.days_over", days=-days)


def _target_line(report: LeadershipReport, target: Target, rows: pd.DataFrame, projection: Projection) -> TargetLine:
    met = bool(len(rows)) and bool(rows["met"].all())
    if projection.met:
        projected = report.text("report.already_met")
    elif projection.met_on is None:
        projected = report.text("report.not_at_rate")
    else:
        projected = report.text("report.projected", date=projection.met_on.isoformat())
    try:
        type_name = site_type(target.site_type).name(report.lang)
    except KeyError:
        type_name = target.site_type
    return TargetLine(
        target=target, type_name=type_name, towns_met=int(rows["met"].sum()), towns_total=len(rows), met=met,
        projection=projection, status_text=report.text("report.met" if met else "report.not_met"),
        projection_text=projected, days_text=_days_text(report, (target.deadline - report.as_of).days),
    )


def _town_rows(report: LeadershipReport, targets: Sequence[Target], rows: pd.DataFrame,
               region: Region) -> list[tuple[str, list[Cell]]]:
    by_key = {(r["target_id"], r["town_code"]): r for r in rows.to_dict("records")}
    keys: list[tuple[str | None, str]] = [
        (str(code), region.town_name(str(code), report.lang)) for code in region.towns["code"]
    ]
    if any(tg.scope == "region" for tg in targets):
        keys.append((None, report.region_name))
    out = []
    for code, name in keys:
        cells = []
        for target in targets:
            row = by_key.get((target.id, code))
            cells.append(Cell(_cell_text(row), str(row["rag"])) if row else Cell("—", None))
        out.append((name, cells))
    return out


def _shortfalls(report: LeadershipReport, rows: pd.DataFrame) -> list[tuple[str, str]]:
    """``(rag, line)`` for every row not met, red first, then by target and town order."""
    order = {"red": 0, "amber": 1}
    short = [r for r in rows.to_dict("records") if not r["met"]]
    short.sort(key=lambda r: order.get(str(r["rag"]), 2))
    lines = []
    for r in short:
        unit = str(r["unit"])
        lines.append((str(r["rag"]), report.text(
            "report.shortfall_line", town=r["town_name"], target=r["name"],
            shortfall=format_value(float(r["shortfall"]), unit), unit=report.text(f"unit.{unit}"),
            actual=format_value(float(r["actual"]), unit) + ("*" if r["demo_sites"] else ""), required=format_value(float(r["required"]), unit),
            deadline=r["deadline"].isoformat(), days=_days_text(report, int(r["days_left"])),
        )))
    return lines
