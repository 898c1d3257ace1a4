"""Progress towards a target over time, and when it will be met at the present rate.

:func:`monthly_series` evaluates a target at every month end (and at the
evaluation date itself) from the sites' ``opened_on``/``closed_on`` dates, so
the series is what the registry says happened, month by month.

:func:`project` takes the **present rate** to be how fast the target's total
shortfall (summed over its towns, in sites, km² or people) fell over the last
``window_months`` months of the series (12 by default, fewer if the series is
shorter), and extrapolates it linearly: the target is met when the remaining
shortfall has been closed at that rate. A rate of zero or less means "not at
this rate" (``met_on`` is ``None``). Sites with no ``opened_on`` count from
the start of the series, so they add no rate.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geodata.boundaries import Region
from scoring.demand import Demand
from scoring.selection import counted_mask
from targets.evaluate import target_totals
from targets.model import Target

#: Average days per month, for converting a monthly rate into a date.
DAYS_PER_MONTH = 365.25 / 12
#: Columns of :func:`monthly_series`. ``required``/``actual``/``shortfall`` are sums over the target's towns in the
#: target's unit (for "1 palace in each town", ``actual`` counts palaces, 3 in one town counting 3: the progress
#: of a per-town target is ``towns_met`` of ``towns_total``, which is what its chart shows); ``shortfall`` is what
#: the projection extrapolates.
SERIES_COLUMNS: tuple[str, ...] = (
    "month", "date", "required", "actual", "shortfall", "towns_met", "towns_total", "met",
)


@dataclass(frozen=True, slots=True)
class Projection:
    """When ``target_id`` will be met at the present rate.

    ``shortfall``: total shortfall at ``as_of`` (in ``unit``); ``rate_per_month``:
    shortfall closed per month over the window ``window_start`` … ``as_of``;
    ``met_on``: ``as_of`` if already met, the projected date if the rate is
    positive, ``None`` ("not at this rate") otherwise; ``on_track``: met, or
    projected to be met on or before ``deadline``.
    """

    target_id: int | None
    as_of: datetime.date
    deadline: datetime.date
    unit: str
    shortfall: float
    rate_per_month: float
    window_start: datetime.date
    met_on: datetime.date | None

    @property
    def met(self) -> bool:
        return self.shortfall <= 0

    @property
    def on_track(self) -> bool:
        return self.met_on is not None and self.met_on <= self.deadline

    def to_dict(self) -> dict[str, object]:
        return {
            "target_id": self.target_id, "as_of": self.as_of.isoformat(), "deadline": self.deadline.isoformat(),
            "unit": self.unit, "shortfall": self.shortfall, "rate_per_month": self.rate_per_month,
            "window_start": self.window_start.isoformat(),
            "met_on": self.met_on.isoformat() if self.met_on else None, "on_track": self.on_track,
        }


def month_ends(start: datetime.date, as_of: datetime.date) -> list[datetime.date]:
    """Month ends from ``start``'s month up to ``as_of``, then ``as_of`` itself if not a month end."""
    days = [d.date() for d in pd.date_range(pd.Timestamp(start), pd.Timestamp(as_of), freq="ME")]
    if not days or days[-1] != as_of:
        days.append(as_of)
    return days


def monthly_series(
    target: Target,
    sites: pd.DataFrame,
    region: Region,
    *,
    as_of: datetime.date,
    window_months: int = 12,
    demand: Demand | None = None,
) -> pd.DataFrame:
    """The target evaluated at each month end up to ``as_of`` (columns :data:`SERIES_COLUMNS`).

    The series starts in the month of the earliest ``opened_on`` or
    ``closed_on`` among the target's sites, or ``window_months`` months before
    ``as_of`` if that is earlier. ``required``/``actual``/``shortfall`` are
    summed over the target's towns; ``towns_met`` of ``towns_total`` rows are
    met; ``met`` when all are. The evaluation is repeated only when the set of
    counted sites changes.
    """
    of_type = sites.loc[sites["type"] == target.site_type] if len(sites) else sites
    start = _add_months(as_of.replace(day=1), -window_months)
    for column in ("opened_on", "closed_on"):
        if len(of_type) and column in of_type:
            dates = pd.to_datetime(of_type[column]).dropna()
            if len(dates):
                start = min(start, dates.min().date().replace(day=1))
    rows: list[dict[str, object]] = []
    last_key: bytes | None = None
    last: dict[str, object] = {}
    if len(of_type):  # dates parsed once, not at every month end
        of_type = of_type.assign(**{c: pd.to_datetime(of_type[c]) for c in ("opened_on", "closed_on") if c in of_type})
    ids = of_type["id"].to_numpy(dtype=np.int64) if len(of_type) else np.empty(0, dtype=np.int64)
    # Which sites count changes only when a month passes an opening or closing date: between two such
    # months the counted sites, and so the sums, are those of the month before.
    events = np.unique(np.concatenate(
        [of_type[c].dropna().to_numpy(dtype="datetime64[ns]") for c in ("opened_on", "closed_on") if c in of_type]
        or [np.empty(0, dtype="datetime64[ns]")]))
    passed: int | None = None
    for day in month_ends(start, as_of):
        now = int(np.searchsorted(events, np.datetime64(pd.Timestamp(day)), side="right"))
        if now != passed:
            passed = now
            counted = ids[counted_mask(of_type, statuses=target.statuses, as_of=day).to_numpy()] if len(of_type) else ids
            key = np.sort(counted).tobytes()
            if key != last_key:
                last = target_totals(target, sites, region, as_of=day, demand=demand)
                last_key = key
        rows.append({"month": day.strftime("%Y-%m"), "date": day, **last})
    return pd.DataFrame(rows, columns=list(SERIES_COLUMNS))


def project(target: Target, series: pd.DataFrame, *, window_months: int = 12) -> Projection:
    """When the target will be met at the rate the shortfall fell over the last ``window_months``."""
    as_of: datetime.date = series["date"].iloc[-1]
    shortfall = float(series["shortfall"].iloc[-1])
    earliest = _add_months(as_of, -window_months)
    window = series.loc[series["date"] >= earliest]
    first = window.iloc[0] if len(window) else series.iloc[-1]
    window_start: datetime.date = first["date"]
    months = (as_of - window_start).days / DAYS_PER_MONTH
    rate = (float(first["shortfall"]) - shortfall) / months if months > 0 else 0.0
    if shortfall <= 0:
        met_on: datetime.date | None = as_of
    elif rate > 0:
        # the small tolerance keeps float noise in the rate from adding a day
        met_on = as_of + datetime.timedelta(days=math.ceil(shortfall / rate * DAYS_PER_MONTH - 1e-6))
    else:
        met_on = None
    return Projection(target.id, as_of, target.deadline, target.unit, shortfall, rate, window_start, met_on)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` calendar months (day clipped to the month's length)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))
