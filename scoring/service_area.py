"""Service areas: a polygon drawn around the streets a site type reaches.

Method (documented for the maps and for area coverage in network mode): the
reached street pieces (:func:`scoring.network.reached_segments`, partial
segments cut where the radius runs out) are buffered by a fixed ``width_m`` on
each side and dissolved into one (multi)polygon. The default, 50 m, is about
half a block of frontage in Guangdong's towns: the buildings that face the
reached streets. It is a picture of reach along the streets, not an isochrone
interpolated across blocks that no street enters; a concave hull would fill
rivers and walled parks back in, which is what walking distance is meant to show.
"""

from __future__ import annotations

import numpy as np
import shapely

from scoring.network import ReachedStreets

#: Default half-width of the band drawn around reached streets (metres).
DEFAULT_WIDTH_M = 50.0


def service_area(streets: ReachedStreets, *, width_m: float = DEFAULT_WIDTH_M) -> shapely.Geometry:
    """The reached streets buffered by ``width_m`` metres and dissolved (same CRS as the graph).

    Returns an empty polygon when nothing is reached. ``width_m`` must be > 0.
    """
    if not width_m > 0:
        raise ValueError(f"width_m must be > 0, got {width_m}")
    if len(streets.edge) == 0:
        return shapely.Polygon()
    coords = np.stack([np.column_stack([streets.x0, streets.y0]), np.column_stack([streets.x1, streets.y1])], axis=1)
    lines = shapely.multilinestrings(shapely.linestrings(coords))
    return shapely.buffer(lines, width_m, quad_segs=4)
