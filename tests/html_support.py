"""Reading a rendered page without a browser: the JSON values its scripts carry (the data passed in).

The map's scripts receive their data through Jinja's ``tojson``: arrays and objects written as JSON
inside ``<script>``. :func:`json_values` finds them by decoding, not by reading the surrounding
JavaScript, so a test can assert on the data a page holds without pinning the code around it.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._inside = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.scripts[-1] += data


def scripts(page: str) -> list[str]:
    """The text of every inline ``<script>`` of ``page``."""
    parser = _Scripts()
    parser.feed(page)
    return parser.scripts


def json_values(page: str) -> list[object]:
    """Every outermost JSON array or object written in the page's scripts, in page order."""
    decoder = json.JSONDecoder()
    found: list[object] = []
    for text in scripts(page):
        i = 0
        while i < len(text):
            if text[i] in "[{":
                try:
                    value, end = decoder.raw_decode(text, i)
                except ValueError:
                    i += 1
                    continue
                found.append(value)
                i = end
            else:
                i += 1
    return found


def is_site_rows(value: object) -> bool:
    """A site layer's points: rows of ``[lat, lng, style index, name, [popup values]]``."""
    return isinstance(value, list) and all(
        isinstance(row, list) and len(row) == 5 and all(isinstance(v, float | int) for v in row[:3])
        and isinstance(row[3], str) and isinstance(row[4], list) for row in value) and bool(value)
