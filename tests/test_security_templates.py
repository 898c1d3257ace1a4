"""Attack suite, templates (issue 10, finding 1): ``{{ }}``, ``{% %}`` and ``{# #}`` in user text are shown, never run.

branca used to render each map element's macro and parse the output as a template
again, so a site named ``{{ 7*191 }}`` showed as 1337, ``{{ cycler.__init__... }}``
ran commands and ``{% for %}`` crashed the export. Every field a user controls is
tried here: site name, address, host organisation, notes and source; town names
and codes and the file name of a boundary file; the form map's markers; target
names and notes in the HTML report. Also the role checks of the uploads (shared
mode): a viewer never reaches the import or region preview, and is logged.
"""

from __future__ import annotations

import datetime
import html
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scoring_fixtures import make_query
from streamlit.testing.v1 import AppTest

from geodata.boundaries import load_region
from maps.assets import require_assets
from maps.export import MapOptions, export_html, planner_map
from maps.webmap import build_map, text_circle
from reports.html import render_html
from reports.leadership import build_report
from settings import Settings
from sites.frame import sites_frame
from sites.store import SiteStore
from targets.store import TargetStore
from tests.security_support import PASSWORDS, denials

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAYLOADS = (
    "{{ 7*191 }}",
    "{% for x in range(3) %}x{% endfor %}",
    "{% for x in range(3) %}x",  # unclosed: TemplateSyntaxError if anything parsed it
    "a{# c #}b",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
)
#: What a second template pass would have made of the payloads, as it would stand in the page's data.
EVALUATED = ('"1337"', '"xxx"', '"ab"', ">1337<", ">xxx<", ">ab<")
#: A payload with no quotes that makes a directory named by $TEMPLATE_CANARY when Jinja renders it.
RCE = "{{ cycler.__init__.__globals__.os.mkdir(cycler.__init__.__globals__.os.environ.TEMPLATE_CANARY) }}"
TEXT_FIELDS = ("name", "address", "host_org", "notes", "source")


def as_json(text: str) -> str:
    """``text`` as the page's data holds it: a JSON string with < > & ' as \\u escapes (Jinja's tojson)."""
    return (json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("'", "\\u0027"))


def assert_shown_not_run(page: str, texts: tuple[str, ...] = PAYLOADS) -> None:
    for text in texts:
        assert as_json(text) in page, text
    for raw in ("<script>alert(1)", "<img src=x"):
        assert raw not in page
    for result in EVALUATED:
        assert result not in page, result


@pytest.fixture
def canary(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "template-canary"
    monkeypatch.setenv("TEMPLATE_CANARY", str(path))
    return path


@pytest.fixture
def hostile_db(tmp_path) -> Path:
    """A registry with one 桂城 book room per payload, every text field the payload, and one RCE site."""
    require_assets()
    db = tmp_path / "hostile.db"
    with SiteStore(db, settings=Settings(mode="local", db=db)) as store:
        for i, text in enumerate((*PAYLOADS, RCE)):
            store.add({"type": "book_room", "lng": 113.150 + 0.004 * i, "lat": 23.030,
                       **{field: text for field in TEXT_FIELDS}}, actor="test")
    return db


def _hostile_boundaries(folder: Path) -> Path:
    """A boundary file named ``{{ 7*191 }}.geojson`` whose towns are named and coded with the payloads."""
    features = []
    for i, text in enumerate((*PAYLOADS, RCE)):
        x = 113.0 + 0.02 * i
        features.append({"type": "Feature", "properties": {"name": text, "code": f"{text}|{i}"},
                         "geometry": {"type": "Polygon", "coordinates": [[[x, 23.0], [x + 0.01, 23.0],
                                                                          [x + 0.01, 23.01], [x, 23.01],
                                                                          [x, 23.0]]]}})
    path = folder / "{{ 7*191 }}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


# ------------------------------------------------------------------ maps


def test_site_text_is_shown_never_run_in_the_exported_map(hostile_db, tmp_path, canary):
    out = tmp_path / "map.html"
    proc = subprocess.run([sys.executable, "-m", "scoring", "map", str(out), "--db", str(hostile_db),
                           "--type", "book_room"], cwd=ROOT, capture_output=True, text=True, timeout=180,
                          env={**os.environ, "TEMPLATE_CANARY": str(canary)})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "TemplateSyntaxError" not in proc.stderr
    assert not canary.exists()  # the command in the name did not run
    page = out.read_text(encoding="utf-8")
    assert_shown_not_run(page, (*PAYLOADS, RCE))
    # name (tooltip + popup), address, host organisation and source (popup): each payload as data, text in the page
    for text in PAYLOADS:
        assert page.count(as_json(text)) >= 5, text


def test_a_command_in_a_site_name_does_not_run(tmp_path, canary):
    """Alone (no payload that would stop a template compile first): the export shows it and runs nothing."""
    require_assets()
    db = tmp_path / "rce.db"
    with SiteStore(db, settings=Settings(mode="local", db=db)) as store:
        store.add({"type": "book_room", "lng": 113.15, "lat": 23.03, "name": RCE, "address": "{{ 7*191 }}"},
                  actor="test")
        page = export_html(store.region(), sites_frame(store.list_sites()), make_query(("book_room",)),
                           MapOptions())
    assert not canary.exists()
    assert as_json(RCE) in page and as_json("{{ 7*191 }}") in page and '"1337"' not in page


def test_the_app_map_of_hostile_sites_renders_without_running_them(hostile_db, canary):
    with SiteStore(hostile_db, settings=Settings(mode="local", db=hostile_db)) as store:
        region, sites = store.region(), sites_frame(store.list_sites())
    m = planner_map(region, sites, make_query(("book_room",), {"book_room": 500.0}), MapOptions(),
                    with_caption=False)
    page = m.get_root().render()  # what the app's map page and st_folium render
    assert not canary.exists()
    assert_shown_not_run(page, (*PAYLOADS, RCE))


def test_town_names_codes_and_file_name_from_a_boundary_file_are_text(tmp_path, canary):
    require_assets()
    region = load_region(_hostile_boundaries(tmp_path), crs="wgs84")
    preview = build_map(region).get_root().render()  # the data page's region preview
    assert not canary.exists()
    assert_shown_not_run(preview, (*PAYLOADS, RCE))
    for i, text in enumerate(PAYLOADS):
        assert as_json(f"{text}|{i}") in preview  # the code
    # the export over that region, named after the file: the title shows the name escaped, once
    page = export_html(region, sites_frame([]), make_query(("book_room",)), MapOptions())
    assert not canary.exists()
    assert_shown_not_run(page, (*PAYLOADS, RCE))
    assert f"<title>{html.escape('职工服务阵地地图 · {{ 7*191 }}')}</title>" in page
    assert "1337" not in page.split("<title>")[1].split("</title>")[0]


def test_boundary_file_through_the_command_line(tmp_path, canary):
    require_assets()
    boundaries = _hostile_boundaries(tmp_path)
    out, db = tmp_path / "map.html", tmp_path / "r.db"
    SiteStore(db, settings=Settings(mode="local", db=db)).close_connection()  # an empty registry
    proc = subprocess.run([sys.executable, "-m", "scoring", "map", str(out), "--db", str(db),
                           "--boundaries", str(boundaries), "--boundaries-crs", "wgs84"], cwd=ROOT,
                          capture_output=True, text=True, timeout=180,
                          env={**os.environ, "TEMPLATE_CANARY": str(canary)})
    assert proc.returncode == 0, proc.stderr
    assert not canary.exists()
    assert_shown_not_run(out.read_text(encoding="utf-8"), (*PAYLOADS, RCE))


def test_form_map_markers_show_site_names_as_text(hostile_db, canary):
    with SiteStore(hostile_db, settings=Settings(mode="local", db=hostile_db)) as store:
        m = build_map(store.region())
        for site in store.list_sites():
            text_circle([site.lat, site.lng], f"#{site.id} {site.name}", colour="#d62728").add_to(m)
        ids = [site.id for site in store.list_sites()]
    page = m.get_root().render()
    assert not canary.exists()
    for site_id, text in zip(ids, PAYLOADS, strict=False):
        assert as_json(f"#{site_id} {text}") in page
    for result in ('"#1 1337"', '"#2 xxx"', '"#4 ab"'):
        assert result not in page


def test_every_map_element_renders_in_one_template_pass(hostile_db):
    """No element's output is kept as template source: every page part is a Fragment (or a fixed link/meta)."""
    with SiteStore(hostile_db, settings=Settings(mode="local", db=hostile_db)) as store:
        region, sites = store.region(), sites_frame(store.list_sites())
    m = planner_map(region, sites, make_query(("book_room", "rest_station"), {"book_room": 500.0, "rest_station": 500.0}),
                    MapOptions(tiles="osm"))
    text_circle([23.03, 113.15], PAYLOADS[0], colour="#000000").add_to(m)
    figure = m.get_root()
    figure.render()
    # branca's public to_dict(): the elements in the page's header, body and script as {name, id, children}
    parts = {part: getattr(figure, part).to_dict()["children"] for part in ("header", "html", "script")}
    for element in m.to_dict()["children"].values():  # each element of the map, rendered once, as Fragments
        rendered = [c["name"] for part in parts.values() for key, c in part.items() if key.endswith("_" + element["id"])]
        assert rendered and set(rendered) == {"Fragment"}, (element["name"], rendered)
    for part in parts.values():
        for name, child in part.items():
            if child["name"] in ("JavascriptLink", "CssLink") or name == "meta_http":
                continue  # fixed templates filled with a URL, and branca's fixed <meta> tag
            assert child["name"] == "Fragment", (name, child["name"])
    assert not [c for c in parts["script"].values() if c["name"] == "Element"]


# ------------------------------------------------------------------ report


def test_target_names_and_notes_in_the_html_report_are_text(hostile_db, canary):
    with SiteStore(hostile_db, settings=Settings(mode="local", db=hostile_db)) as store:
        targets = TargetStore(store)
        made = [targets.add({"name": text, "site_type": "book_room", "scope": "each_town", "measure": "site_count",
                             "threshold": 1, "deadline": "2025-12-31", "notes": text}, actor="planner")
                for text in (*PAYLOADS, RCE)]
        report = build_report(made, sites_frame(store.list_sites()), store.region(),
                              as_of=datetime.date(2025, 6, 1), lang="zh")
    page = render_html(report)
    assert not canary.exists()
    for text in PAYLOADS:
        assert html.escape(text) in page, text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "1337" not in page and ">xxx<" not in page and ">ab<" not in page


# ------------------------------------------------------------------ role checks before work (shared mode)


@pytest.fixture
def dep(shared_env, deploy_shared):
    """The app in shared mode on conftest's shared registry."""
    return deploy_shared()


def _signed_in_data_page(user: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="sign_in_user").set_value(user)
    at.text_input(key="sign_in_password").set_value(PASSWORDS[user])
    at.button(key="sign_in_submit").click().run()
    at.switch_page("app_pages/data_page.py").run()
    assert not at.exception, at.exception
    return at


def test_viewer_cannot_reach_the_region_preview_and_is_logged(dep, tmp_path):
    at = _signed_in_data_page("viewer")
    assert "只有管理员可以上传边界文件、更换区域" in [c.value for c in at.caption]  # said before any attempt
    hostile = _hostile_boundaries(tmp_path)
    at.file_uploader(key="region_upload").set_value((hostile.name, hostile.read_bytes(), "application/geo+json"))
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [r"只有管理员可以上传边界文件，账户“viewer”不是管理员"]
    assert "region_confirm" not in [c.key for c in at.checkbox]  # no preview, no switch
    assert not any(m.value.startswith("预览") for m in at.markdown)
    assert denials(dep.db)[-1][:3] == ("viewer", "region_preview", "region_upload")


def test_editor_cannot_reach_the_region_preview_either(dep, tmp_path):
    at = _signed_in_data_page("gc_editor")
    hostile = _hostile_boundaries(tmp_path)
    at.file_uploader(key="region_upload").set_value((hostile.name, hostile.read_bytes(), "application/geo+json"))
    at.run()
    assert any("账户“gc_editor”不是管理员" in e.value.replace("\\", "") for e in at.error)
    assert not any(m.value.startswith("预览") for m in at.markdown)
    assert denials(dep.db)[-1][:3] == ("gc_editor", "region_preview", "region_upload")


def test_admin_reaches_the_region_preview_of_a_hostile_file(dep, tmp_path):
    hostile = _hostile_boundaries(tmp_path)
    n_denied = len(denials(dep.db))
    at = _signed_in_data_page("root")
    at.file_uploader(key="region_upload").set_value((hostile.name, hostile.read_bytes(), "application/geo+json"))
    at.run()
    at.radio(key="region_crs_zh").set_value("wgs84").run()  # the file's system is asked, never assumed
    assert not at.exception, at.exception
    assert any(m.value.startswith(f"预览：{len(PAYLOADS) + 1} 个镇街") for m in at.markdown)
    assert len(denials(dep.db)) == n_denied


def test_viewer_cannot_reach_the_import_preview_and_is_logged(dep):
    at = _signed_in_data_page("viewer")
    assert "只有编辑者和管理员可以上传导入文件" in [c.value for c in at.caption]
    data = "名称,类型,经度,纬度\n{{ 7*191 }},职工书屋,113.1700,23.0400\n".encode()
    at.file_uploader(key="data_upload").set_value(("sites.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    assert any("只有查看权限" in e.value for e in at.error)
    assert "data_commit" not in [b.key for b in at.button]
    assert not any("尚未写入" in m.value for m in at.markdown)  # no preview was made
    assert denials(dep.db)[-1][:3] == ("viewer", "import_preview", "data_upload")


def test_editor_reaches_the_import_preview(dep):
    at = _signed_in_data_page("gc_editor")
    data = "名称,类型,经度,纬度\n{{ 7*191 }},职工书屋,113.1700,23.0400\n".encode()
    before = len(denials(dep.db))
    at.file_uploader(key="data_upload").set_value(("sites.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    assert "data_commit" in [b.key for b in at.button]
    assert any("尚未写入" in m.value for m in at.markdown)
    assert len(denials(dep.db)) == before
