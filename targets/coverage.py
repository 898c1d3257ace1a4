"""Covered area and covered demand per town for coverage targets.

The targets evaluation is an edge of the coverage engine: it builds the
:class:`scoring.query.CoverageQuery` of a target (its site type, radius and
counted statuses; validated there, once) and calls
:func:`scoring.coverage.coverage` with it, reduced to the two numbers a target
needs per town: the total and the covered part.

Distance: straight by default. Around an evaluation, :func:`measured_by` sets how
coverage targets measure reach (``network``: walking along a street network, with
its walking speed and access-leg limit) for every target evaluated inside it, so
the evaluation and report code need not carry the network through.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import pandas as pd

from errors import Problem, RecordError
from geodata.boundaries import Region
from scoring.coverage import coverage
from scoring.demand import Demand
from scoring.query import MAX_ACCESS_M, WALK_SPEED_KMH, CoverageQuery
from targets.model import Target


@dataclass(frozen=True)
class Distance:
    """How coverage targets measure reach: ``straight``, or ``network`` along ``network`` (a prepared
    :class:`geodata.network.StreetNetwork`) at ``walk_speed_kmh`` with ``max_access_m`` access legs."""

    distance: str = "straight"
    network: object | None = None
    walk_speed_kmh: float = WALK_SPEED_KMH
    max_access_m: float = MAX_ACCESS_M


_STRAIGHT = Distance()
_DISTANCE: ContextVar[Distance | None] = ContextVar("target_distance", default=None)


def _current() -> Distance:
    return _DISTANCE.get() or _STRAIGHT


@contextmanager
def measured_by(distance: Distance) -> Iterator[None]:
    """Evaluate coverage targets inside with ``distance`` (the query's distance mode and network)."""
    token = _DISTANCE.set(distance)
    try:
        yield
    finally:
        _DISTANCE.reset(token)


def target_query(target: Target) -> CoverageQuery:
    """The coverage query of a coverage target (one type, its radius in metres, its statuses; the distance
    mode of :func:`measured_by`, straight outside it).

    The sites passed with it are already those counted at the evaluation date, so it has no date.
    """
    how = _current()
    return CoverageQuery(types=(target.site_type,), radii_m=((target.site_type, target.radius_m or 0.0),),
                         statuses=tuple(target.statuses), distance=how.distance,
                         walk_speed_kmh=how.walk_speed_kmh, max_access_m=how.max_access_m)


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
                      demand=demand if target.measure == "demand_share" else None, network=_current().network)
    table = result.table
    total, covered = ("area_km2", "covered_km2") if target.measure == "area_share" else ("demand", "covered_demand")
    return pd.DataFrame({"town_code": table["town_code"].astype(str), "total": table[total].astype(float),
                         "covered": table[covered].astype(float)})
