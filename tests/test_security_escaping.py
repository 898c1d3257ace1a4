"""Attack suite, user text: script, HTML and formulas in every text field stay text in every export."""

from __future__ import annotations

import csv
import datetime
import json

import pytest
from openpyxl import load_workbook
from scoring_fixtures import make_query

from maps.export import MapOptions, export_html
from reports.html import render_html
from reports.leadership import build_report
from sites.frame import sites_frame
from sites.io import TEXT_FIELDS, export_sites, read_records
from targets.store import TargetStore

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
FORMULA = "=cmd|' /C calc'!A0"
PAYLOADS = {"name": SCRIPT, "address": IMG, "host_org": FORMULA, "notes": f"@SUM(1+1) {IMG}", "source": "+1-1"}


@pytest.fixture
def store(store):
    """conftest's local-mode ``store`` with one site holding a payload in every text field."""
    store.add({"type": "book_room", "lng": 113.19298, "lat": 23.03047, **PAYLOADS}, actor=IMG)
    return store


def test_payloads_cover_every_text_field():
    assert set(PAYLOADS) == set(TEXT_FIELDS)


def test_csv_and_xlsx_neutralise_formulas_and_round_trip(store, tmp_path):
    sites = store.list_sites()
    export_sites(sites, tmp_path / "out.csv", towns=store.towns())
    export_sites(sites, tmp_path / "out.xlsx", towns=store.towns())
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as fh:
        row = list(csv.reader(fh))[1]
    assert "'" + FORMULA in row and "'+1-1" in row and "'@SUM(1+1) " + IMG in row
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)
    workbook = load_workbook(tmp_path / "out.xlsx")
    cells = [c for c in workbook.active[2]]
    assert all(c.data_type != "f" for c in cells)
    assert "'" + FORMULA in [c.value for c in cells]
    for path in (tmp_path / "out.csv", tmp_path / "out.xlsx"):
        back = read_records(path).frame.iloc[0]
        assert {k: back[k] for k in PAYLOADS} == PAYLOADS  # the prefix is removed again on import


def test_geojson_export_keeps_text_as_json_strings(store, tmp_path):
    export_sites(store.list_sites(), tmp_path / "out.geojson", towns=store.towns())
    props = json.loads((tmp_path / "out.geojson").read_text(encoding="utf-8"))["features"][0]["properties"]
    assert {k: props[k] for k in PAYLOADS} == PAYLOADS and props["created_by"] == IMG


def test_map_export_never_parses_user_text_as_html(store):
    page = export_html(store.region(), sites_frame(store.list_sites()),
                       make_query(("book_room",)), MapOptions(lang="zh"))
    for payload in (SCRIPT, IMG, "<script>alert", "<img src=x"):
        assert payload not in page
    assert "\\u003cscript\\u003ealert" in page  # the name reaches the page as JSON-escaped text


def test_html_report_escapes_target_and_site_text(store):
    targets = TargetStore(store)
    target = targets.add({"name": SCRIPT, "site_type": "book_room", "scope": "each_town", "measure": "site_count",
                          "threshold": 1, "deadline": "2025-12-31", "notes": IMG}, actor="planner")
    report = build_report([target], sites_frame(store.list_sites()), store.region(),
                          as_of=datetime.date(2025, 6, 1), lang="zh")
    page = render_html(report)
    assert SCRIPT not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
