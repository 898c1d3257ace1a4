"""Which sites count: by type, by status and as of a date.

A site counts at date ``as_of`` when its ``status`` is one of the counted
statuses (default: ``open``) **and** it had opened by then (``opened_on`` is
missing or on/before ``as_of``) **and** it had not yet closed (``closed_on`` is
missing or after ``as_of``).

The status is the site's recorded, current status; dates only narrow the
selection. So a site whose status is ``closed`` but whose ``closed_on`` lies in
the future is *not* counted under the default statuses (it is recorded as
closed), and is counted at a date before ``closed_on`` only when ``closed`` is
among the counted statuses. To look back in time, count ``open`` and
``closed`` (and ``suspended`` if wanted) and let the dates decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from errors import Problem, RecordError
from sites.models import STATUSES

DEFAULT_STATUSES: tuple[str, ...] = ("open",)


def check_statuses(statuses: Iterable[str]) -> tuple[str, ...]:
    """The statuses as a tuple; :class:`errors.RecordError` naming any unknown one."""
    values = tuple(statuses)
    bad = [s for s in values if s not in STATUSES]
    if bad:
        raise RecordError(
            [Problem("scoring.unknown_status", {"value": s, "known": ", ".join(STATUSES)}) for s in bad]
        )
    return values


def counted_mask(
    sites: pd.DataFrame,
    *,
    statuses: Iterable[str] = DEFAULT_STATUSES,
    as_of: date | None = None,
) -> pd.Series:
    """Boolean Series: which rows of ``sites`` count (see the module docstring).

    ``sites`` needs a ``status`` column, and ``opened_on``/``closed_on``
    (dates or missing) when ``as_of`` is given.
    """
    statuses = check_statuses(statuses)
    mask = sites["status"].isin(statuses)
    if as_of is not None:
        day = pd.Timestamp(as_of)
        opened = pd.to_datetime(sites.get("opened_on", pd.Series(None, index=sites.index)))
        closed = pd.to_datetime(sites.get("closed_on", pd.Series(None, index=sites.index)))
        mask &= opened.isna() | (opened <= day)
        mask &= closed.isna() | (closed > day)
    return mask.astype(bool)


def select_sites(
    sites: pd.DataFrame,
    *,
    statuses: Iterable[str] = DEFAULT_STATUSES,
    as_of: date | None = None,
) -> pd.DataFrame:
    """The rows of ``sites`` that count (see :func:`counted_mask`)."""
    return sites.loc[counted_mask(sites, statuses=statuses, as_of=as_of)]
