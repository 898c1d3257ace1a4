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
from geodata.boundaries import Region, unit_words
from i18n import t
from scoring.demand import Demand
from settings import Language, site_type
from targets.evaluate import evaluate_targets, shared_evaluation
from targets.model import Target
from targets.progress import Projection, monthly_series, project
from targets.rag import add_rag
from targets.store import SEEDS

#: ``source`` of the registry's demo sites (``python -m sites seed-demo``); figures counting them are marked.
DEMO_SOURCE = "demo"
#: Names of the bundled sample targets (seeded, named 示例…): marked as a sample wherever they are shown.
SAMPLE_TARGETS: frozenset[str] = frozenset(name for name, *_ in SEEDS if name.startswith("示例"))


def is_sample(target: Target) -> bool:
    """The bundled sample target (by its seeded name: renamed, it is the office's own target)."""
    return target.name in SAMPLE_TARGETS


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
    #: Demo sites counted for this target (in any of its towns); its figures then say "includes demo data".
    demo_sites: int = 0
    #: The bundled sample target (:func:`is_sample`).
    sample: bool = False
    #: The headline figure: towns meeting / towns counted (``4/7 镇街``), or actual/required for a region-wide
    #: target (``4/4 个``, ``63%/80%``).
    figure: str = ""


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A target the report cannot evaluate, and why in words (its demand layer is missing or gone, …)."""

    target: Target
    reason: str


#: At most this many towns (or counties) and shortfall lines on a printed report (PDF, HTML): a leader's page
#: stays short at 124 counties × 15 targets; the XLSX holds every town and every shortfall.
PRINTED_ROWS = 12

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
    #: Ids of the registry's demo sites (``source`` demo).
    demo_ids: frozenset[int] = frozenset()
    #: Targets left out because they cannot be evaluated, each with its reason (never a traceback).
    unavailable: list[Unavailable] = field(default_factory=list)
    #: What one unit of the region is called: 镇街 (Town) or 区县 (County), from the stored region's level.
    unit_label: str = ""
    #: The unit in a sentence, singular and plural (镇街/镇街, town/towns; county/counties).
    unit_word: str = ""
    units_word: str = ""
    #: The plural at the start of a title (镇街, Towns; 区县, Counties).
    units_title: str = ""

    @property
    def met_count(self) -> int:
        return sum(line.met for line in self.targets)

    def text(self, key: str, **params: object) -> str:
        """A report text in the report's language; the texts that name the unit say 区县 for counties."""
        if key in _BY_LEVEL and self.unit_label and self.unit_label != t("region.level.town", self.lang):
            return t(_BY_LEVEL[key], self.lang, level=self.unit_label, **params)
        return t(key, self.lang, **params)

    def count_text(self, key: str, count: float, **params: object) -> str:
        """:meth:`text` of ``key``, or of its singular ``key_one`` when ``count`` is 1 ("1 day left", "1 site")."""
        return self.text(key + "_one" if count == 1 else key, **params)

    @property
    def has_demo(self) -> bool:
        """Whether any target's figures count demo sites (every headline then says so)."""
        return any(line.demo_sites for line in self.targets)

    def mark_words(self, line: TargetLine | None = None) -> str:
        """``示例目标，含演示数据`` for a sample target whose figures count demo sites, either alone, or "";
        without ``line``: the mark of the figures summed over all targets."""
        words = []
        if line is not None and line.sample:
            words.append(self.text("report.sample_mark"))
        if (line.demo_sites if line is not None else self.has_demo):
            words.append(self.text("report.demo_mark"))
        return self.text("report.mark_sep").join(words)

    def marks(self, line: TargetLine | None = None) -> str:
        """:meth:`mark_words` in brackets after a figure or name: ``（示例目标，含演示数据）`` ("" for none)."""
        words = self.mark_words(line)
        return self.text("report.marks", marks=words) if words else ""

    @property
    def summary(self) -> str:
        return self.text("report.summary", met=self.met_count, total=len(self.targets)) + self.marks()

    @property
    def towns_met(self) -> tuple[int, int]:
        """Towns (or the region) meeting their target, and counted, summed over the targets."""
        return sum(line.towns_met for line in self.targets), sum(line.towns_total for line in self.targets)

    def headline(self, line: TargetLine, *, marks: bool = True) -> str:
        """``工人文化宫：4/7 镇街`` (the type, then :attr:`TargetLine.figure`), then the line's marks (unless a page
        shows them beside it)."""
        return self.text("report.headline", type=line.type_name, figure=line.figure) + (
            self.marks(line) if marks else "")

    def deadline_text(self, line: TargetLine) -> str:
        """``截止 2025-12-31，剩余 184 天`` (or ``已超期 10 天``)."""
        return self.text("report.headline_deadline", deadline=line.target.deadline.isoformat(),
                         days=line.days_text)

    def headline_line(self, line: TargetLine) -> str:
        """One target's headline for the printed report: the figure, its deadline and the target's name."""
        return self.text("report.headline_line", headline=self.headline(line), deadline=self.deadline_text(line),
                         name=line.target.name)

    @property
    def demo_note(self) -> str:
        """The warning that figures marked * count demo sites ("" when none do)."""
        return self.count_text("report.demo_note", self.demo_sites, n=self.demo_sites) if self.demo_sites else ""

    @property
    def rule(self) -> str:
        return self.text("report.rule")

    def printed_town_rows(self, limit: int | None = None) -> tuple[list[tuple[str, list[Cell]]], int]:
        """The town-by-town rows a printed page shows, and how many towns it leaves out: every town when they fit
        in ``limit`` (default :data:`PRINTED_ROWS`), else the ``limit`` towns with the most red, then amber
        cells (ties in the region's order); a region-wide row is always kept. The XLSX has every town."""
        towns = [row for row in self.town_rows if row[0] != self.region_name] if self._has_region_row else \
            list(self.town_rows)
        region_row = [row for row in self.town_rows if row not in towns]
        limit = PRINTED_ROWS if limit is None else limit
        if len(towns) <= limit:
            return list(self.town_rows), 0
        weight = {"red": 2, "amber": 1}

        def badness(item: tuple[int, tuple[str, list[Cell]]]) -> tuple[int, int, int]:
            index, (_, cells) = item
            reds = sum(c.rag == "red" for c in cells)
            return (-reds, -sum(weight.get(c.rag or "", 0) for c in cells), index)

        worst = sorted(enumerate(towns), key=badness)[:limit]
        return [row for _, row in worst] + region_row, len(towns) - limit

    def printed_shortfalls(self, limit: int | None = None) -> tuple[list[tuple[str, str]], int]:
        """The shortfall lines a printed page shows (red first, at most ``limit``, default :data:`PRINTED_ROWS`)
        and how many it leaves out."""
        limit = PRINTED_ROWS if limit is None else limit
        return self.shortfalls[:limit], max(0, len(self.shortfalls) - limit)

    def more_towns_text(self, left_out: int) -> str:
        """``另有 112 个区县未列出，完整表格见 XLSX 报告`` ("" when none is left out)."""
        return self.count_text("report.more_towns", left_out, n=left_out, unit=self.unit_word,
                               units=self.units_word) if left_out else ""

    def more_shortfalls_text(self, left_out: int) -> str:
        """``另有 795 条差距未列出，完整清单见 XLSX 报告`` ("" when none is left out)."""
        return self.count_text("report.more_shortfalls", left_out, n=left_out) if left_out else ""

    @property
    def _has_region_row(self) -> bool:
        return any(line.target.scope == "region" for line in self.targets)

    @property
    def column_headers(self) -> list[str]:
        """Header of the town-by-town table: the town column, then one per target."""
        return [self.unit_label or self.text("report.col.town")] + [line.target.name + self.marks(line)
                                                                    for line in self.targets]

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
        return [name + self.marks(line), line.type_name, line.target.deadline.isoformat(), line.days_text,
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
            with shared_evaluation():  # the as-of table and the monthly series compute coverage once
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
    words = unit_words(region.level, lang)
    report = LeadershipReport(
        lang=lang, as_of=as_of, title=t("report.title", lang, region=region_name), region_name=region_name,
        attribution=region.attribution, targets=[], rows=rows, series=series, town_rows=[],
        unavailable=unavailable,
        unit_label=region.level_label(lang),  # 镇街 or 区县, from the stored region's level
        unit_word=words["unit"], units_word=words["units"], units_title=words["Units"],
    )
    for target in usable:
        mine = rows.loc[rows["target_id"] == target.id] if target.id is not None else rows.iloc[0:0]
        report.targets.append(_target_line(report, target, mine, projections[target.id]))
    report.town_rows = _town_rows(report, usable, rows, region)
    report.shortfalls = _shortfalls(report, rows)
    report.demo_sites = len(demo_ids & {i for ids in rows["site_ids"] for i in ids})
    report.demo_ids = frozenset(int(i) for i in demo_ids)
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


@dataclass(frozen=True, slots=True)
class ProgressChart:
    """One target's progress, month by month, as plain data for a chart.

    ``points``: columns ``month`` (a label in the report's language, 2025年6月 / Jun 2025), ``series`` (the
    series' label) and ``value``; ``months``: every month label in order, from the series' start to the
    deadline's month (or the as-of month, whichever is later), so the deadline is on the axis. For a target of
    each town or of listed towns the values are **towns meeting the target** (and the towns required), never
    sites; for a region-wide target the region's actual and required value in the target's unit.
    """

    title: str
    x_title: str
    y_title: str
    months: list[str]
    points: pd.DataFrame
    deadline_month: str
    deadline_label: str


def month_label(report: LeadershipReport, day: datetime.date) -> str:
    """``2025年6月`` / ``Jun 2025``: a month on a chart axis, in the report's language."""
    return report.text("report.month", year=day.year, month=day.month, month_en=_MONTHS_EN[day.month - 1])


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def progress_chart(report: LeadershipReport, line: TargetLine) -> ProgressChart:
    """The chart of ``line``'s monthly series (see :class:`ProgressChart`)."""
    series = report.series[line.target.id]
    deadline = line.target.deadline
    by_towns = line.target.scope != "region"
    if by_towns:
        actual_col, required_col = "towns_met", "towns_total"
        names = (report.text("report.chart.actual_units", units=report.units_title),
                 report.text("report.chart.required_units", units=report.units_title))
        y_title = report.text("report.chart.y_units", units=report.units_title)
    else:
        actual_col, required_col = "actual", "required"
        names = report.text("report.chart.actual"), report.text("report.chart.required")
        y_title = report.text(_Y_TITLES[line.target.unit])
    first: datetime.date = min(series["date"].iloc[0], deadline) if len(series) else deadline
    last: datetime.date = max(series["date"].iloc[-1], deadline) if len(series) else deadline
    months = [month_label(report, d) for d in pd.date_range(pd.Timestamp(first.replace(day=1)),
                                                            pd.Timestamp(last), freq="MS").date]
    points = [(month_label(report, d), names[0], float(v)) for d, v in zip(series["date"], series[actual_col],
                                                                         strict=True)]
    points += [(month_label(report, d), names[1], float(v)) for d, v in zip(series["date"], series[required_col],
                                                                          strict=True)]
    if len(series):  # the requirement holds on to the deadline
        shown = {m for m, name, _ in points if name == names[1]}
        level = float(series[required_col].iloc[-1])
        points += [(m, names[1], level) for m in months[months.index(month_label(report, series["date"].iloc[-1])):]
                   if m not in shown]
    return ProgressChart(
        title=line.target.name + report.marks(line), x_title=report.text("report.chart.x"), y_title=y_title,
        months=months, points=pd.DataFrame(points, columns=["month", "series", "value"]),
        deadline_month=month_label(report, deadline),
        deadline_label=report.text("report.chart.deadline", date=deadline.isoformat()),
    )


#: The y-axis title of a region-wide target's chart, by unit.
_Y_TITLES: dict[str, str] = {"sites": "report.chart.y_sites", "km2": "report.chart.y_km2",
                             "people": "report.chart.y_people"}


#: Columns of :func:`detail_rows`.
DETAIL_COLUMNS: tuple[str, ...] = ("target_id", "name", "town_code", "town_name", "site_id", "site_name")


# ---------------------------------------------------------------------- wording


def format_value(value: float, unit: str) -> str:
    """A required/actual/shortfall value for reading: whole sites and people, km² to 0.1."""
    if unit == "km2":
        return f"{value:.1f}"
    return str(int(math.ceil(value - 1e-9))) if unit == "people" else f"{value:g}"


def pct_text(actual: float, required: float) -> str:
    """A covered share in whole percent, but never rounded up to look met: 29.6 of 30 is ``29.6``, not ``30``."""
    text = f"{actual:.0f}"
    if actual < required and float(text) >= required:
        return f"{math.floor(actual * 10) / 10:.1f}"
    return text


def _cell_text(row: dict[str, object]) -> str:
    """``actual/required`` (sites) or ``actual%/required%`` (coverage); ``*`` when demo sites count."""
    mark = "*" if row.get("demo_sites") else ""
    if row["measure"] == "site_count":
        return f"{format_value(row['actual'], 'sites')}{mark}/{format_value(row['required'], 'sites')}"  # type: ignore[arg-type]
    return f"{pct_text(float(row['actual_pct']), float(row['required_pct']))}%{mark}/{row['required_pct']:.0f}%"


def _days_text(report: LeadershipReport, days: int) -> str:
    if days >= 0:
        return report.count_text("report.days_left", days, days=days)
    return report.count_text("report.days_over", -days, days=-days)


def unit_text(report: LeadershipReport, unit: str, value: float) -> str:
    """The word of ``unit`` (``sites``, ``km2``, ``people``) after ``value``: 个/site/sites, 人/person/people."""
    return report.count_text(_UNIT_KEYS[unit], value)


#: The word of each unit (``unit_text`` picks the singular ``…_one`` for 1).
_UNIT_KEYS: dict[str, str] = {"sites": "unit.sites", "km2": "unit.km2", "people": "unit.people"}


def _figure(report: LeadershipReport, target: Target, rows: pd.DataFrame) -> str:
    """The headline figure of a target (see :attr:`TargetLine.figure`)."""
    if target.scope != "region" or len(rows) != 1:
        return report.text("report.figure_towns", met=int(rows["met"].sum()), total=len(rows),
                           units=report.units_word if len(rows) != 1 else report.unit_word)
    row = rows.iloc[0]
    if target.measure == "site_count":
        required = float(row["required"])
        return report.text("report.figure_sites", actual=format_value(float(row["actual"]), "sites"),
                           required=format_value(required, "sites"), unit=unit_text(report, "sites", required))
    measure = report.text("measure.area_share" if target.measure == "area_share" else "measure.demand_share")
    return report.text("report.figure_share", measure=measure,
                       actual=pct_text(float(row["actual_pct"]), float(row["required_pct"])),
                       required=f"{float(row['required_pct']):.0f}")


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
        demo_sites=int(rows["demo_sites"].sum()) if len(rows) else 0, sample=is_sample(target),
        figure=_figure(report, target, rows),
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
        shortfall = float(r["shortfall"])
        lines.append((str(r["rag"]), report.text(
            "report.shortfall_line", town=r["town_name"], target=r["name"],
            shortfall=format_value(shortfall, unit), unit=unit_text(report, unit, float(format_value(shortfall, unit))),
            actual=format_value(float(r["actual"]), unit) + ("*" if r["demo_sites"] else ""), required=format_value(float(r["required"]), unit),
            deadline=r["deadline"].isoformat(), days=_days_text(report, int(r["days_left"])),
        )))
    return lines
