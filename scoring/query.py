"""What a coverage computation is asked: one frozen, validated, hashable object.

A :class:`CoverageQuery` is built **once** at the edge (the map page's sidebar,
the command line, a target's evaluation) and passed whole to the coverage
engine and the app's cached loaders (it is their cache key, with the
registry's revision). Everything in it is checked when it is made: the
radius of every type (finite, > 0, in metres), the statuses, the distance
mode; nothing downstream checks again.

Radii are in metres. ``distance`` is ``straight`` (straight-line distance in
the region's metric CRS) or ``network`` (walking distance along the region's
street network, :mod:`scoring.network`; the radius is then walked metres,
access legs included). A radius asked as walking minutes becomes metres at a
stated speed (:func:`walk_metres`, default :data:`WALK_SPEED_KMH` = 4.5 km/h,
i.e. 75 m a minute), and the query keeps the speed so the edge can say it.
``max_access_m``: in network mode, a point farther than this from every
street joins nothing (it is flagged, and reaches nothing). ``network_ref``:
which street network (e.g. the stored one and when it was loaded), so a
cached result changes with the network; the network itself is loaded by the edge.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from errors import Problem, RecordError
from scoring.selection import DEFAULT_STATUSES, check_statuses

#: Distance modes: straight line, or along the street network (walking; cycling if the network is so prepared).
DISTANCE_MODES: tuple[str, ...] = ("straight", "network")
#: Walking speed (km/h) that turns minutes into metres unless another is stated: 4.5 km/h = 75 m a minute.
WALK_SPEED_KMH = 4.5
#: Farthest a site or demand point may lie from the nearest street and still join it (metres).
MAX_ACCESS_M = 200.0


def walk_metres(minutes: float, speed_kmh: float = WALK_SPEED_KMH) -> float:
    """Metres walked in ``minutes`` at ``speed_kmh`` (e.g. 10 min at 4.5 km/h = 750 m)."""
    return float(minutes) * float(speed_kmh) * 1000.0 / 60.0


def walk_minutes(metres: float, speed_kmh: float = WALK_SPEED_KMH) -> float:
    """Minutes needed to walk ``metres`` at ``speed_kmh``."""
    return float(metres) * 60.0 / (float(speed_kmh) * 1000.0)


def check_radius(radius_m: object) -> float:
    """``radius_m`` as a float; :class:`errors.RecordError` unless it is finite and > 0 (metres).

    The one radius check: :class:`CoverageQuery` runs it for every type when it is
    made; the engine and the numeric core take the query's radii as given.
    """
    try:
        value = float(radius_m)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = float("nan")
    if not math.isfinite(value) or value <= 0:
        raise RecordError(Problem("scoring.bad_radius", {"value": radius_m}))
    return value


@dataclass(frozen=True)
class DemandRef:
    """Where a demand layer comes from: a layer stored in the registry by name (``layer``,
    :mod:`demand.store`), or a file (uploads are named by content hash) with its weight field and
    the coordinate system of its lon/lat columns. Loaded by the edge, not by the core."""

    path: str = ""
    weight_field: str | None = None
    coords: str = "wgs84"
    layer: str | None = None

    @classmethod
    def stored(cls, name: str) -> DemandRef:
        """The stored layer ``name``."""
        return cls(layer=str(name).strip())


@dataclass(frozen=True)
class CoverageQuery:
    """Site types, radius per type (metres), counted statuses, date, demand layer, distance mode.

    ``radii_m``: one ``(type, metres)`` pair per type, in the order of ``types``.
    Construct with :meth:`build` to fill radii from defaults; the constructor
    validates either way and raises :class:`errors.RecordError` naming every bad value.
    """

    types: tuple[str, ...]
    radii_m: tuple[tuple[str, float], ...]
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    as_of: date | None = None
    demand: DemandRef | None = None
    distance: str = "straight"
    walk_speed_kmh: float = WALK_SPEED_KMH
    max_access_m: float = MAX_ACCESS_M
    network_ref: str = ""
    _radii: dict[str, float] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        types = tuple(str(t) for t in self.types)
        given = dict(self.radii_m)
        radii: dict[str, float] = {}
        for key in types:
            if key not in given:
                problems.append(Problem("scoring.bad_radius", {"value": f"{key}: -"}))
                continue
            try:
                radii[key] = check_radius(given[key])
            except RecordError as exc:
                problems.extend(exc.problems)
        try:
            statuses = check_statuses(self.statuses)
        except RecordError as exc:
            problems.extend(exc.problems)
            statuses = ()
        if self.distance not in DISTANCE_MODES:
            problems.append(Problem("scoring.bad_distance", {"value": self.distance,
                                                             "known": ", ".join(DISTANCE_MODES)}))
        for name in ("walk_speed_kmh", "max_access_m"):
            value = getattr(self, name)
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = float("nan")
            if not math.isfinite(number) or number <= 0:
                problems.append(Problem("scoring.bad_walk_option", {"name": name, "value": value}))
            else:
                object.__setattr__(self, name, number)
        if problems:
            raise RecordError(problems)
        object.__setattr__(self, "types", types)
        object.__setattr__(self, "radii_m", tuple((k, radii[k]) for k in types))
        object.__setattr__(self, "statuses", statuses)
        object.__setattr__(self, "_radii", radii)

    @classmethod
    def build(
        cls,
        types: str | Iterable[str] | None,
        radii_m: float | Mapping[str, float] | None = None,
        *,
        defaults_m: Mapping[str, float],
        statuses: Iterable[str] = DEFAULT_STATUSES,
        as_of: date | None = None,
        demand: DemandRef | None = None,
        distance: str = "straight",
        walk_speed_kmh: float = WALK_SPEED_KMH,
        max_access_m: float = MAX_ACCESS_M,
    ) -> CoverageQuery:
        """A query from what a user gives.

        ``types``: type keys, or ``None``/``"all"`` for every key of
        ``defaults_m`` (the known types with their default radius in metres,
        e.g. ``settings.default_radii_m()``); ``radii_m``: one radius for all
        types, a mapping per type (missing types take their default), or
        ``None`` for the defaults. Unknown types are refused. ``distance``:
        ``straight`` or ``network``; ``walk_speed_kmh`` (km/h) and
        ``max_access_m`` (metres) matter in network mode.
        """
        known = tuple(defaults_m)
        if types is None or types == "all":
            keys = known
        else:
            keys = (types,) if isinstance(types, str) else tuple(types)
            bad = [k for k in keys if k not in known]
            if bad:
                raise RecordError([Problem("scoring.unknown_type", {"value": k, "known": ", ".join(known)})
                                   for k in bad])
        radii: list[tuple[str, float]] = []
        for key in keys:
            if radii_m is None:
                value = defaults_m[key]
            elif isinstance(radii_m, Mapping):
                value = radii_m.get(key, defaults_m[key])
            else:
                value = radii_m
            radii.append((key, value))
        return cls(tuple(keys), tuple(radii), tuple(statuses), as_of, demand, distance, walk_speed_kmh,
                   max_access_m)

    def radius_m(self, site_type: str) -> float:
        """The radius in metres of ``site_type`` (one of :attr:`types`)."""
        return self._radii[site_type]

    @property
    def radii(self) -> dict[str, float]:
        """Radius in metres per type, in the order of :attr:`types` (a copy)."""
        return dict(self._radii)

    def replace(self, **changes: object) -> CoverageQuery:
        """A new, validated query with some fields changed (``types``/``radii_m`` together)."""
        values = {"types": self.types, "radii_m": self.radii_m, "statuses": self.statuses, "as_of": self.as_of,
                  "demand": self.demand, "distance": self.distance, "walk_speed_kmh": self.walk_speed_kmh,
                  "max_access_m": self.max_access_m, "network_ref": self.network_ref}
        values.update(changes)
        return CoverageQuery(**values)  # type: ignore[arg-type]

    @property
    def walking(self) -> bool:
        """True in network (walking) mode."""
        return self.distance == "network"

    def minutes(self, site_type: str) -> float:
        """The radius of ``site_type`` as minutes of walking at :attr:`walk_speed_kmh`."""
        return walk_minutes(self.radius_m(site_type), self.walk_speed_kmh)

    def only(self, site_type: str) -> CoverageQuery:
        """The same query for one of its types."""
        return self.replace(types=(site_type,), radii_m=((site_type, self.radius_m(site_type)),))
