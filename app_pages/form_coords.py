"""Reading a coordinate pair pasted by staff (no Streamlit here: plain text in, numbers out).

Accepted: ``113.14,23.03``, ``113.14, 23.03``, ``113.14 23.03``, full-width
commas, what Amap's and Baidu's coordinate pickers copy (``113.324520,23.099994``),
an Amap marker link (``...position=113.32,23.09...``) and text with labels
(``经度：113.14 纬度：23.03``). The pair may come latitude first (as Google maps
copy it): a first value that fits a latitude and a second that does not are
swapped, and :attr:`PastedPoint.swapped` says so. The coordinate system is not
guessed: the caller names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sites.validation import typed_text

#: Two decimal numbers separated by a comma (ASCII or full-width) and/or spaces.
_PAIR = re.compile(r"(-?\d{1,3}(?:\.\d+)?)\s*[,，;；\s]\s*(-?\d{1,3}(?:\.\d+)?)")
_DECIMAL = re.compile(r"-?\d{1,3}\.\d+")


@dataclass(frozen=True, slots=True)
class PastedPoint:
    """Longitude and latitude in the degrees of the caller's coordinate system."""

    lng: float
    lat: float
    swapped: bool = False


def parse_pasted(text: str) -> PastedPoint | None:
    """The point in ``text``, or ``None`` when it holds no pair of numbers.

    A value pair is read longitude first unless the first fits a latitude
    (|value| ≤ 90) and the second does not, in which case they are swapped.
    """
    text = typed_text(text)  # full-width digits and point (a Chinese input method) as ASCII, pasted invisibles gone
    decimals = _DECIMAL.findall(text)
    if len(decimals) == 2:
        first, second = (float(v) for v in decimals)
    else:
        match = _PAIR.search(text.strip())
        if match is None:
            return None
        first, second = float(match.group(1)), float(match.group(2))
    if abs(first) <= 90 < abs(second):
        return PastedPoint(second, first, swapped=True)
    return PastedPoint(first, second)
