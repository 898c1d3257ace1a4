"""Progress of long computations as structured events, worded at the edge.

The numeric core calls ``progress(event)`` with a :class:`Progress`; it never
formats text. The command line and the app turn an event into words with the
message key ``scoring.progress.<stage>`` and :meth:`Progress.params`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Stages, in the order a suggestion runs through them.
STAGES: tuple[str, ...] = ("matrix", "greedy", "perturb", "milp", "done")


@dataclass(frozen=True)
class Progress:
    """One step of work. ``fraction``: 0…1 of the whole job; ``done``/``total``: steps of
    the stage (greedy picks, perturbation rounds); ``primal``/``bound``/``gap``: the exact
    solver's best objective, proven bound and relative gap (stage ``milp``)."""

    stage: str
    fraction: float
    done: int | None = None
    total: int | None = None
    primal: float | None = None
    bound: float | None = None
    gap: float | None = None

    def params(self) -> dict[str, object]:
        """Parameters of the stage's message template (``scoring.progress.<stage>``)."""
        if self.stage == "greedy":
            return {"done": self.done, "count": self.total}
        if self.stage == "perturb":
            return {"round": self.done, "rounds": self.total}
        if self.stage == "milp":
            return {"primal": self.primal, "dual": self.bound, "gap": self.gap}
        return {}


ProgressCallback = Callable[[Progress], None]


def quiet(event: Progress) -> None:
    """The default callback: report nothing."""
