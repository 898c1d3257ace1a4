"""Synthetic benchmark instances over real boundaries (seeded, reproducible).

Points are drawn inside the towns: a mix of clusters (towns and villages,
where workers are) and a uniform background, in the region's metric CRS.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray

from scoring.demand import assign_towns


def points_in(towns_metric: NDArray, n: int, rng: np.random.Generator, *, clustered: float = 0.6,
              clusters: int = 60, sigma_m: float = 1500.0, codes: Sequence[object] | None = None
              ) -> NDArray[np.float64]:
    """``n`` points (metres) inside the towns: ``clustered`` of them around random centres.

    ``codes``: the towns' codes, for the point-in-town rule's tie on shared lines (default: their order).
    """
    codes = list(codes) if codes is not None else [f"{i:06d}" for i in range(len(towns_metric))]
    minx, miny, maxx, maxy = shapely.total_bounds(towns_metric)
    out: list[NDArray] = []
    have = 0
    centres = None
    while have < n:
        m = 2 * (n - have) + 100
        uniform = np.column_stack([rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)])
        if centres is None:
            inside = uniform[assign_towns(towns_metric, uniform, codes) >= 0]
            centres = inside[rng.choice(len(inside), clusters, replace=False)]
        k = int(m * clustered)
        near = centres[rng.integers(0, clusters, k)] + rng.normal(0, sigma_m, (k, 2))
        cand = np.vstack([near, uniform[k:]])
        cand = cand[assign_towns(towns_metric, cand, codes) >= 0]
        out.append(cand[: n - have])
        have += len(out[-1])
    return np.vstack(out)[rng.permutation(n)]


def to_lnglat(xy: NDArray[np.float64], crs) -> tuple[NDArray, NDArray]:
    return pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(xy[:, 0], xy[:, 1])
