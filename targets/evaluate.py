"""Targets evaluated as of a date: required, actual, met, shortfall, town by town.

Pure functions: sites (a frame of the registry's site fields), targets and the
region in, a plain :class:`pandas.DataFrame` out, one row per target and town
(one row per target with ``town_code`` ``None`` for scope ``region``).

Which sites count at ``as_of`` is decided by :func:`scoring.selection.counted_mask`:
status among the target's statuses, ``opened_on`` missing or on/before
``as_of``, ``closed_on`` missing or after it. A site counts for the town whose
code it carries (``town_code``, assigned by the registry); for scope ``region``
every counted site of the type in one of the region's towns counts.

Coverage measures (``area_share``, ``demand_share``) call the coverage engine
(:mod:`targets.coverage`) with the target's radius: covered km² of each town, or
covered people of a demand layer; required and shortfall are then in km² or
people, and ``required_pct``/``actual_pct`` give the shares.
"""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd

from geodata.boundaries import Region
from i18n import t
from scoring.demand import Demand
from scoring.selection import counted_mask
from settings import Language
from targets.coverage import town_coverage
from targets.model import Target

#: Columns of the evaluation table, in order.
COLUMNS: tuple[str, ...] = (
    "target_id", "name", "site_type", "scope", "measure", "town_code", "town_name", "required", "actual",
    "met", "shortfall", "unit", "deadline", "days_left", "required_pct", "actual_pct", "site_ids",
    "site_names", "under_construction", "as_of",
)
#: Site statuses of sites "in the pipeline" for a count target (see :mod:`targets.rag`).
PIPELINE_STATUS = "under_construction"
_EPS = 1e-9
#: What evaluations inside :func:`shared_evaluation` share: coverage per (target query, counted sites) and
#: town names.
_SHARED: ContextVar[dict | None] = ContextVar("shared_evaluation", default=None)


@contextmanager
def shared_evaluation() -> Iterator[None]:
    """Evaluations inside share their work: a coverage target evaluated again on the same counted sites
    (as of the date, then month by month) computes its coverage once, and town names are looked up once.
    Nested inside another, it shares the outer one's work."""
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def evaluate_targets(
    targets: Sequence[Target],
    sites: pd.DataFrame,
    region: Region,
    *,
    as_of: datetime.date,
    lang: Language = "zh",
    demand: Demand | None = None,
) -> pd.DataFrame:
    """Every target's required and actual values per town as of ``as_of``.

    ``sites``: one row per site with at least ``id``, ``name``, ``type``,
    ``status``, ``town_code``, ``opened_on``, ``closed_on`` (``lng``/``lat``
    in WGS84 for coverage measures), e.g.
    :func:`sites.frame.sites_frame`. ``demand``: the demand layer, needed by
    ``demand_share`` targets. Returns a frame with :data:`COLUMNS`:

    * ``required``/``actual``/``shortfall`` in ``unit`` (``sites``, ``km2`` or
      ``people``); ``shortfall = max(0, required - actual)``;
    * ``met``: ``actual >= required``; ``days_left``: days from ``as_of`` to the
      deadline (negative once it has passed);
    * ``site_ids``/``site_names``: the sites that count, as lists;
    * ``under_construction``: sites of the type under construction in the
      town (or region) that do not count yet.
    """
    frames = [evaluate_target(target, sites, region, as_of=as_of, lang=lang, demand=demand)
              for target in targets]
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(frames, ignore_index=True)


def evaluate_target(
    target: Target,
    sites: pd.DataFrame,
    region: Region,
    *,
    as_of: datetime.date,
    lang: Language = "zh",
    demand: Demand | None = None,
) -> pd.DataFrame:
    """One target's rows of :func:`evaluate_targets`."""
    of_type, counted = _counted(target, sites, as_of)
    pipeline = of_type.loc[of_type["status"] == PIPELINE_STATUS] if len(of_type) else of_type
    if PIPELINE_STATUS in target.statuses:
        pipeline = pipeline.iloc[0:0]
    scope_codes = _scope_codes(target, region)
    units: list[tuple[str | None, list[str]]] = (
        [(None, scope_codes)] if target.scope == "region" else [(code, [code]) for code in scope_codes]
    )
    counted_at = _positions(counted, units)
    if target.measure == "site_count":
        totals = {code: float(target.threshold) for code, _ in units}
        actuals = {code: float(len(counted_at[k])) for k, (code, _) in enumerate(units)}
    else:
        cov = _town_coverage(target, counted, region, demand)
        total_of = dict(zip(cov["town_code"], cov["total"].to_numpy(dtype=float), strict=True))
        covered_of = dict(zip(cov["town_code"], cov["covered"].to_numpy(dtype=float), strict=True))
        totals, actuals = {}, {}
        for code, towns in units:
            whole = float(sum(total_of.get(c, 0.0) for c in towns))
            totals[code] = whole * float(target.threshold) / 100.0
            actuals[code] = float(sum(covered_of.get(c, 0.0) for c in towns))
    pipeline_at = _positions(pipeline, units)
    ids = counted["id"].to_numpy() if len(counted) else np.empty(0, dtype=int)
    names = counted["name"].to_numpy() if len(counted) else np.empty(0, dtype=object)
    rows = []
    for k, (code, _towns) in enumerate(units):
        required, actual = totals[code], actuals[code]
        mine = counted_at[k]
        share_total = required * 100.0 / float(target.threshold) if target.measure != "site_count" else np.nan
        rows.append({
            "target_id": target.id,
            "name": target.name,
            "site_type": target.site_type,
            "scope": target.scope,
            "measure": target.measure,
            "town_code": code,
            "town_name": _town_name(region, code, lang) if code is not None else _region_name(region, lang),
            "required": required,
            "actual": actual,
            "met": bool(actual + _EPS >= required),
            "shortfall": max(0.0, required - actual) if actual + _EPS < required else 0.0,
            "unit": target.unit,
            "deadline": target.deadline,
            "days_left": (target.deadline - as_of).days,
            "required_pct": float(target.threshold) if target.measure != "site_count" else np.nan,
            "actual_pct": 100.0 * actual / share_total if share_total and share_total > 0 else np.nan,
            "site_ids": [int(i) for i in ids[mine]],
            "site_names": [str(n) for n in names[mine]],
            "under_construction": int(len(pipeline_at[k])),
            "as_of": as_of,
        })
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    shared = _SHARED.get()
    if shared is not None:  # what a month of the series with the same counted sites needs (target_totals)
        shared.setdefault(_totals_key(target, counted, region, demand), _totals(table))
    return table


def target_totals(target: Target, sites: pd.DataFrame, region: Region, *, as_of: datetime.date,
                  demand: Demand | None = None) -> dict[str, object]:
    """The target's sums over its towns as of ``as_of`` (``required``, ``actual``, ``shortfall`` in its unit,
    ``towns_met`` of ``towns_total``, ``met`` when all are), as :mod:`targets.progress` records them month by
    month. They depend only on the sites that count, so inside :func:`shared_evaluation` they are taken from
    an evaluation on the same counted sites (at another date) when there was one."""
    shared = _SHARED.get()
    if shared is None:
        return _totals(evaluate_target(target, sites, region, as_of=as_of, demand=demand))
    key = _totals_key(target, _counted(target, sites, as_of)[1], region, demand)
    if key not in shared:
        shared[key] = _totals(evaluate_target(target, sites, region, as_of=as_of, demand=demand))
    return shared[key]


def _totals(table: pd.DataFrame) -> dict[str, object]:
    return {
        "required": float(table["required"].sum()), "actual": float(table["actual"].sum()),
        "shortfall": float(table["shortfall"].sum()), "towns_met": int(table["met"].sum()),
        "towns_total": len(table), "met": bool(table["met"].all()),
    }


def _totals_key(target: Target, counted: pd.DataFrame, region: Region, demand: Demand | None) -> tuple:
    return ("totals", target, id(region), id(demand),
            counted["id"].to_numpy(dtype=np.int64).tobytes() if len(counted) else b"")


def _counted(target: Target, sites: pd.DataFrame, as_of: datetime.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the sites of the target's type, those of them that count for it as of ``as_of``), selected once per
    type, statuses and date inside :func:`shared_evaluation`."""
    shared = _SHARED.get()
    key = ("counted", id(sites), target.site_type, target.statuses, as_of)
    made = shared.get(key) if shared is not None else None
    if made is not None and made[0] is sites:  # the very frame (kept alive by the entry, so its id is not reused)
        of_type, counted = made[1], made[2]
    else:
        of_type = sites.loc[sites["type"] == target.site_type] if len(sites) else sites
        counted = of_type.loc[counted_mask(of_type, statuses=target.statuses, as_of=as_of)] if len(of_type) else of_type
        if shared is not None:
            shared[key] = (sites, of_type, counted)
    if target.new_since is not None and len(counted):
        counted = counted.loc[new_since_mask(counted, target.new_since)]
    return of_type, counted


def share_coverages(targets: Sequence[Target], sites: pd.DataFrame, region: Region, *, as_of: datetime.date,
                    demand: Demand | None = None) -> None:
    """Inside :func:`shared_evaluation`: the coverages the straight-line ``area_share`` targets need as of
    ``as_of``, computed side by side on two threads (each unions its towns on a pool of its own; GEOS releases
    the GIL), so evaluating the targets after finds them made. ``demand``: what the evaluation will be given
    for these targets (it is part of what they share). A coverage that fails is left to the evaluation, which
    says why as usual. Outside a shared evaluation, or walking, nothing is done."""
    shared = _SHARED.get()
    if shared is None:
        return
    from targets.coverage import target_query

    jobs: dict[tuple, tuple[Target, pd.DataFrame]] = {}
    for target in targets:
        if target.measure != "area_share" or target_query(target).walking:
            continue
        counted = _counted(target, sites, as_of)[1]
        jobs.setdefault(_coverage_key(target, counted, region, demand), (target, counted))
    jobs = {key: job for key, job in jobs.items() if key not in shared}
    if len(jobs) < 2:
        return

    def run(job: tuple[Target, pd.DataFrame]):
        try:
            return town_coverage(job[0], job[1], region, demand=demand)
        except Exception:  # noqa: BLE001 - the evaluation computes it again and reports the problem
            return None

    contexts = [contextvars.copy_context() for _ in jobs]  # each thread sees the caller's distance mode
    with ThreadPoolExecutor(max_workers=2) as pool:
        made = list(pool.map(lambda pair: pair[0].run(run, pair[1]), zip(contexts, jobs.values(), strict=True)))
    for key, table in zip(jobs, made, strict=True):
        if table is not None:
            shared[key] = table


def new_since_mask(sites: pd.DataFrame, since: datetime.date) -> np.ndarray:
    """Sites opened on or after ``since`` (a site with no opening date is not known to be new: ``False``)."""
    opened = pd.to_datetime(sites["opened_on"], errors="coerce")
    return (opened >= pd.Timestamp(since)).to_numpy(dtype=bool)


def _scope_codes(target: Target, region: Region) -> list[str]:
    if target.scope == "towns":
        return list(target.towns)
    return [str(c) for c in region.towns["code"]]


def _positions(frame: pd.DataFrame, units: list[tuple[str | None, list[str]]]) -> list[np.ndarray]:
    """Row positions in ``frame`` of the sites in each unit's towns, by ``town_code`` (sites outside every
    town never count), in ``frame``'s order."""
    if frame.empty:
        return [np.empty(0, dtype=int) for _ in units]
    by_town = frame["town_code"].astype("string").fillna("").to_numpy(dtype=object)
    if len(units) == 1:
        return [np.flatnonzero(np.isin(by_town, list(units[0][1])))]
    groups = pd.Series(np.arange(len(frame))).groupby(by_town).indices
    empty = np.empty(0, dtype=int)
    return [np.sort(np.concatenate([groups.get(c, empty) for c in towns])) if len(towns) > 1
            else groups.get(towns[0], empty) for _, towns in units]


def _town_coverage(target: Target, counted: pd.DataFrame, region: Region, demand: Demand | None) -> pd.DataFrame:
    """:func:`targets.coverage.town_coverage`, computed once per query and counted sites inside
    :func:`shared_evaluation`."""
    shared = _SHARED.get()
    if shared is None:
        return town_coverage(target, counted, region, demand=demand)
    key = _coverage_key(target, counted, region, demand)
    if key not in shared:
        shared[key] = town_coverage(target, counted, region, demand=demand)
    return shared[key]


def _coverage_key(target: Target, counted: pd.DataFrame, region: Region, demand: Demand | None) -> tuple:
    """What a coverage target's coverage depends on: its query, the region, the demand layer, the counted sites."""
    from targets.coverage import target_query

    return ("coverage", target.measure, target_query(target), id(region), id(demand),
            counted["id"].to_numpy(dtype=np.int64).tobytes() if len(counted) else b"")


def _town_name(region: Region, code: str, lang: Language) -> str:
    shared = _SHARED.get()
    if shared is None:
        return region.town_name(code, lang)
    names = shared.get(("names", id(region), lang))
    if names is None:
        names = shared[("names", id(region), lang)] = {}
    if code not in names:
        names[code] = region.town_name(code, lang)
    return names[code]


def _region_name(region: Region, lang: Language) -> str:
    name = region.name_zh if lang == "zh" else region.name_en
    return name or t("region.whole", lang)
