"""Red / amber / green: the one rule the leadership report colours towns by.

* **green**: the town (or region) meets the target.
* **amber**: it does not, the deadline has not passed (``days_left >= 0``),
  and either the target is on track at the present rate (its projected
  ``met_on`` is on or before the deadline, see :mod:`targets.progress`), or,
  for a site-count target, the sites of the type under construction in the
  town would close the town's shortfall once they open.
* **red**: otherwise: the deadline has passed and it is not met, or nothing
  shows it will be met in time.

The rule's text for readers is the message ``report.rule``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from targets.progress import Projection

#: Cell fills (hex RGB) used by every report format.
RAG_COLOURS: dict[str, str] = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}


def rag_status(row: Mapping[str, object], projection: Projection | None) -> str:
    """``green``, ``amber`` or ``red`` for one row of :func:`targets.evaluate.evaluate_targets`."""
    if row["met"]:
        return "green"
    if int(row["days_left"]) < 0:  # type: ignore[call-overload]
        return "red"
    if projection is not None and projection.on_track:
        return "amber"
    pipeline = int(row.get("under_construction") or 0)  # type: ignore[call-overload]
    if row["measure"] == "site_count" and pipeline >= float(row["shortfall"]):  # type: ignore[arg-type]
        return "amber"
    return "red"


def add_rag(table: pd.DataFrame, projections: Mapping[int | None, Projection]) -> pd.DataFrame:
    """``table`` with a ``rag`` column, using each row's target projection (by ``target_id``)."""
    out = table.copy()
    out["rag"] = [rag_status(row, projections.get(row["target_id"])) for row in table.to_dict("records")]
    return out
