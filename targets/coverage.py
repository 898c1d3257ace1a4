"""Covered area and covered demand per town for coverage targets.

The targets evaluation is an edge of the coverage engine: it builds the
:class:`scoring.query.CoverageQuery` of a target (its site type, radius and
counted statuses; validated there, once) and calls
:func:`scoring.coverage.coverage` with it, reduced to the two numbers a target
needs per town: the total and the covered part.
"""

from __future__ import annotations

import pandas as pd

from errors import Problem, RecordError
from geodata.boundaries import Region
from scoring.coverage import coverage
from scoring.demand import Demand
from scoring.query import CoverageQuery
from targets.model import Target


def target_query(target: Target) -> CoverageQuery:
    """The coverage query of a coverage target (one type, its radius in metres, its statuses).

    The sites passed with it are already those counted at the evaluation date, so it has no date.
    """
    return CoverageQuery(types=(target.site_type,), radii_m=((target.site_type, target.radius_m or 0.0),),
                         statuses=tuple(target.statuses))


def town_coverage(target: Target, counted: pd.DataFrame, region: Region, *,
                  demand: Demand | None = None) -> pd.DataFrame:
    """Per town of ``region``: ``town_code``, ``total`` and ``covered`` for ``target``'s measure.

    ``counted``: the sites that count (a sites frame, WGS84). For
    ``area_share`` the values are km² (the part of each town within
    ``target.radius_m`` metres of a counted site, sites in neighbouring towns
    included); for ``demand_share`` they are the demand layer's weight
    (people), and ``demand`` must be given, aligned with the region's towns.
    """
    if target.measure == "demand_share" and demand is None:
        raise RecordError(Problem("target.no_demand", {"name": target.name}))
    result = coverage(region.towns, counted, target_query(target),
                      demand=demand if target.measure == "demand_share" else None)
    table = result.table
    total, covered = ("area_km2", "covered_km2") if target.measure == "area_share" else ("demand", "covered_demand")
    return pd.DataFrame({"town_code": table["town_code"].astype(str), "total": table[total].astype(float),
                         "covered": table[covered].astype(float)})
