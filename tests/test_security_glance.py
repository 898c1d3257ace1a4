"""Attack suite, the "read at a glance" texts (issue 13): hostile user text in every new place reads as typed.

Town names and codes (from a boundary file stored through the region store), the region's name, site names and
addresses, target names and notes reach the map page (caption, worst-served list, clicked town, suggestions and
their flash), the staff form's "你可登记" note, the targets page (cards, captions, Vega-Lite titles), the exported
map, the XLSX and PDF reports. Streamlit markdown must receive them through ``app_pages.plain.md_escape``; the
files must hold them as text (no formula cell, no template result).
"""

from __future__ import annotations

import datetime
import html
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from scoring_fixtures import make_query
from streamlit.testing.v1 import AppTest

from app_pages.plain import md_escape
from geodata.boundaries import bundled_region
from maps.export import MapOptions, export_html
from reports.html import render_html
from reports.leadership import build_report
from reports.pdf import write_pdf
from reports.xlsx import write_xlsx
from settings import Settings
from sites.frame import sites_frame
from sites.region import RegionSpec
from sites.store import SiteStore
from targets.store import TargetStore
from tests.security_support import DALI, GUICHENG, IN_DALI, IN_GUICHENG, PASSWORDS, denials, snapshot
from tests.test_security_templates import EVALUATED, as_json

APP = str(Path(__file__).resolve().parent.parent / "app.py")
#: Each one would show as something else than typed if Markdown, HTML, Jinja or a spreadsheet read it.
ATOMS = ("**bold**", "[link](http://x.invalid)", "<img src=x onerror=alert(1)>", "{{ 7*191 }}",
         "{% for x in range(3) %}x", '=HYPERLINK("http://x.invalid","y")', "$\\frac{1}{2}$", ":red[x]",
         ":material/home:", "\x07\x1b[31m")
#: Town names by code (桂城 and 大沥 keep their codes: the shared accounts are granted them).
TOWN_NAMES = {GUICHENG: "<img src=x onerror=alert(1)>桂城", "440605121000": "**bold** [link](http://x.invalid)",
              "440605122000": "{{ 7*191 }} {% for x in range(3) %}x", "440605123000": '=HYPERLINK("http://x.invalid","y")',
              "440605124000": "$\\frac{1}{2}$ :red[x]", DALI: ":material/home: 大沥", "440605126000": "<script>alert(1)</script>里水"}  # control characters: refused (test_boundaries)
HOSTILE_CODE = ("440605121000", "{{ 7*191 }}[c](http://x.invalid)")  # 九江's code in the file
REGION_NAME = "**区** [r](http://x.invalid) {{ 7*191 }} :red[x]"
TARGET_NAME = "**目标** [t](http://x.invalid) <img src=x onerror=alert(1)> {{ 7*191 }} $\\frac{1}{2}$ :red[x]"
TARGET_NOTES = '=HYPERLINK("http://x.invalid","y") {% for x in range(3) %}x :material/home:'
SITE_NAME = "**站** [s](http://x.invalid) {{ 7*191 }} :red[x] $\\frac{1}{2}$"
SITE_ADDRESS = "<img src=x onerror=alert(1)> :material/home:"
MARKDOWN_KINDS = ("markdown", "caption", "info", "success", "warning", "error", "header", "subheader", "title")


def hostile_boundaries(folder: Path) -> Path:
    """The bundled Nanhai outlines with every town named (and 九江 coded) with the hostile texts."""
    towns = bundled_region().towns
    features = []
    for row in towns.itertuples():
        code = HOSTILE_CODE[1] if row.code == HOSTILE_CODE[0] else row.code
        features.append({"type": "Feature", "properties": {"name": TOWN_NAMES[row.code], "code": code},
                         "geometry": json.loads(json.dumps(row.geometry.__geo_interface__))})
    path = folder / "towns.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def make_hostile(store: SiteStore, folder: Path, actor) -> None:
    """``store`` switched to the hostile towns and region name, with one hostile site and one hostile target."""
    store.set_region(RegionSpec.file(hostile_boundaries(folder), crs="wgs84", region_name=REGION_NAME),
                     actor=actor, allow_outside=True)
    store.add({"name": SITE_NAME, "address": SITE_ADDRESS, "type": "book_room", "status": "open", **IN_GUICHENG},
              actor=actor)
    TargetStore(store).add({"name": TARGET_NAME, "notes": TARGET_NOTES, "site_type": "book_room",
                            "scope": "each_town", "measure": "site_count", "threshold": 1,
                            "deadline": "2026-12-31"}, actor=actor)


@pytest.fixture
def hostile_app(app_db, tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SITES_USER", "glance-test")
    with SiteStore(app_db, settings=Settings(mode="local", db=app_db)) as store:
        make_hostile(store, tmp_path, "glance-test")
    return app_db


def shown(at: AppTest) -> list[str]:
    """Every text Streamlit renders as Markdown: element bodies, widget labels and help."""
    texts = [e.value for kind in MARKDOWN_KINDS for e in at.get(kind)]
    for kind in ("button", "selectbox", "multiselect", "radio", "checkbox", "text_input", "number_input",
                 "slider", "select_slider", "date_input", "toggle", "expander", "metric", "tab"):
        for e in at.get(kind):
            texts += [str(getattr(e.proto, "label", "") or ""), str(getattr(e.proto, "help", "") or "")]
    return texts


def assert_no_raw_markup(texts: list[str]) -> None:
    for text in texts:
        for atom in ATOMS:
            assert atom not in text, (atom, text)
        assert "1337" not in text


def _open(lang: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_page_shows_town_and_region_names_as_typed(hostile_app, lang):
    at = _open(lang, "app_pages/map_page.py")
    texts = shown(at)
    assert_no_raw_markup(texts)
    assert any(md_escape(REGION_NAME) in t for t in texts)  # the page's caption names the region, escaped
    body = "\n".join(texts)
    worst = [name for name in TOWN_NAMES.values() if md_escape(name) in body]
    assert worst, "the worst-served list names the towns (escaped)"
    # suggestions: rows are plain text, the flash after adding one names the site (its town) escaped
    at.number_input(key="map_suggest_k").set_value(2).run()
    at.button(key="map_suggest_run").click().run()
    assert not at.exception, at.exception
    at.button(key="map_suggest_add_1").click().run()
    assert not at.exception, at.exception
    assert_no_raw_markup(shown(at))
    assert [c for c in at.code if "," in c.value]  # the Amap copy boxes hold only numbers
    for c in at.code:
        assert not any(atom in c.value for atom in ATOMS)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_targets_page_shows_target_and_region_names_as_typed(hostile_app, lang):
    at = _open(lang, "app_pages/targets_page.py")
    texts = shown(at)
    assert_no_raw_markup(texts)
    assert any(md_escape(TARGET_NAME) in t for t in texts)
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    titles = [s["title"]["text"] for s in specs]
    assert any(TARGET_NAME in title for title in titles)  # Vega-Lite titles are plain text: the name as typed


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_export_xlsx_and_pdf_hold_the_text_as_typed(tmp_path, lang):
    db = tmp_path / "r.db"
    with SiteStore(db, settings=Settings(mode="local", db=db)) as store:
        make_hostile(store, tmp_path, "test")
        region, sites = store.region(), sites_frame(store.list_sites())
        targets = TargetStore(store).list_targets()
    page = export_html(region, sites, make_query(("book_room",)), MapOptions(lang=lang))
    assert "<img src=x" not in page and not [r for r in EVALUATED if r in page]
    assert f" · {html.escape(REGION_NAME, quote=False)}</title>" in page  # one autoescaping pass
    for text in (*TOWN_NAMES.values(), HOSTILE_CODE[1], SITE_NAME):
        ascii_json, utf8_json = as_json(text), json.dumps(text, ensure_ascii=False).replace("<", "\\u003c")
        assert ascii_json in page or utf8_json in page, text  # as JSON text, for DOM text nodes
    report = build_report(targets, sites, region, as_of=datetime.date(2026, 6, 1), lang=lang)
    write_xlsx(report, tmp_path / "r.xlsx")
    cells = [c for ws in load_workbook(tmp_path / "r.xlsx") for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [str(c.value) for c in cells if c.value is not None]
    assert any(TARGET_NAME in v for v in values)
    assert "'" + TOWN_NAMES["440605123000"] in values or any('=HYPERLINK' in v and not v.startswith("=")
                                                              for v in values)
    page = render_html(report)  # the printable HTML report, its 'and N more' lines included
    assert "<img src=x" not in page and not [r for r in EVALUATED if r in page]
    assert html.escape(TARGET_NAME, quote=False) in page or html.escape(TARGET_NAME) in page
    write_pdf(report, tmp_path / "r.pdf")
    pages = PdfReader(io.BytesIO((tmp_path / "r.pdf").read_bytes())).pages
    text = "".join(p.extract_text() for p in pages).replace("\x00", "")
    assert "{{ 7*191 }}" in text and "**目标** [t](http://x.invalid)" in text  # printed as typed, not evaluated


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sites_and_data_pages_show_hostile_text_as_typed(hostile_app, lang):
    at = _open(lang, "app_pages/sites_page.py")
    assert_no_raw_markup(shown(at))
    at.switch_page("app_pages/data_page.py").run()
    assert not at.exception, at.exception
    texts = shown(at)
    assert_no_raw_markup(texts)
    assert any(md_escape(REGION_NAME) in t for t in texts)  # the stored region's caption


DEMAND_NAME = "**人口** [d](http://x.invalid) {{ 7*191 }} :material/home: $\\frac{1}{2}$"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_demand_layer_name_on_the_map_page_is_text(hostile_app, tmp_path, lang):
    from demand.store import DemandStore

    people = tmp_path / "people.csv"
    people.write_text(f"lng,lat,pop\n{IN_GUICHENG['lng']},{IN_GUICHENG['lat']},100\n", encoding="utf-8")
    with SiteStore(hostile_app, settings=Settings(mode="local", db=hostile_app)) as store:
        DemandStore(store).add(DEMAND_NAME, people, crs="wgs84", weight_field="pop", actor="glance-test")
    at = _open(lang, "app_pages/map_page.py")
    at.sidebar.selectbox(key=f"map_demand_layer_{lang}").set_value(DEMAND_NAME).run()
    assert not at.exception, at.exception
    texts = shown(at)
    assert_no_raw_markup(texts)
    assert any(md_escape(DEMAND_NAME) in t for t in texts)  # "已载入需求图层 …" names it, escaped


# ------------------------------------------------------------------ shared mode


@pytest.fixture
def shared_hostile(shared_env, deploy_shared, tmp_path):
    dep = deploy_shared()
    make_hostile(dep.store, tmp_path, dep.admin)
    return dep


def _sign_in(user: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.text_input(key="sign_in_user").set_value(user)
    at.text_input(key="sign_in_password").set_value(PASSWORDS[user])
    at.button(key="sign_in_submit").click().run()
    if lang != "zh":
        at.radio(key="lang").set_value(lang).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_editor_sees_their_town_names_escaped_and_cannot_add_a_suggestion_elsewhere(shared_hostile, lang):
    dep = shared_hostile
    at = _sign_in("gc_editor", lang)
    at.switch_page("app_pages/sites_page.py").run()
    assert not at.exception, at.exception
    assert_no_raw_markup(shown(at))
    assert any(md_escape(TOWN_NAMES[GUICHENG]) in i.value for i in at.info)  # 你可登记：<town names>
    at.text_input(key="add_coords").set_value(f"{IN_DALI['lng']},{IN_DALI['lat']}").run()  # out of their towns
    assert not at.exception, at.exception
    assert_no_raw_markup(shown(at))
    assert [w.value for w in at.warning if md_escape(TOWN_NAMES[DALI]) in w.value
            and md_escape(TOWN_NAMES[GUICHENG]) in w.value]  # the early warning names both towns, escaped
    at.switch_page("app_pages/map_page.py").run()
    assert "map_seed_demo" not in [b.key for b in at.button]
    at.number_input(key="map_suggest_k").set_value(3).run()
    at.button(key="map_suggest_run").click().run()
    assert not at.exception, at.exception
    before = snapshot(dep.db)
    rows = [b.key for b in at.button if b.key.startswith("map_suggest_add_")]
    assert rows
    refused = False
    for key in rows:
        at.button(key=key).click().run()
        assert not at.exception, at.exception
        if at.error:
            refused = True
            break
    assert refused, "a suggestion outside 桂城 is refused"
    assert_no_raw_markup(shown(at))
    reason = at.error[0].value
    assert ("无权" in reason) if lang == "zh" else ("may not" in reason or "not allowed" in reason), reason
    assert denials(dep.db)[-1][:2] == ("gc_editor", "create")
    assert len(snapshot(dep.db)[0]) <= len(before[0]) + len(rows) - 1


HOSTILE_ACCOUNT = "**a**[l](http://x.invalid)<img/src=x>{{7*191}}:red[x]"  # no space: names may hold none
ACCOUNT_ATOMS = ("**a**", "[l](http://x.invalid)", "<img/src=x>", "{{7*191}}", ":red[x]")


def test_hostile_account_name_reads_as_typed_and_audit_times_are_local(shared_hostile):
    dep = shared_hostile
    password = "a long hostile pass 1"
    dep.accounts.add(HOSTILE_ACCOUNT, role="editor", password=password, towns=[GUICHENG], actor=dep.admin)
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.text_input(key="sign_in_user").set_value(HOSTILE_ACCOUNT)
    at.text_input(key="sign_in_password").set_value(password)
    at.button(key="sign_in_submit").click().run()
    assert not at.exception, at.exception
    for page in ("app_pages/map_page.py", "app_pages/sites_page.py", "app_pages/targets_page.py",
                 "app_pages/data_page.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        texts = shown(at)
        assert_no_raw_markup(texts)
        for atom in ACCOUNT_ATOMS:
            assert not [t for t in texts if atom in t], (page, atom)
        assert any(md_escape(HOSTILE_ACCOUNT) in t for t in texts), page  # 已登录：<name>, escaped
    # the admin reads the account list and the audit (times in Asia/Shanghai, the default timezone)
    at = _sign_in("root")
    for page in ("app_pages/admin_page.py", "app_pages/data_page.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        texts = shown(at)
        assert_no_raw_markup(texts)
        for atom in ACCOUNT_ATOMS:
            assert not [t for t in texts if atom in t], (page, atom)
    audit = next(d.value for d in at.dataframe if "时间（UTC+08:00）" in d.value.columns)
    when = audit["时间（UTC+08:00）"].iloc[0]
    now = datetime.datetime.now(ZoneInfo("Asia/Shanghai"))
    assert str(when).startswith(now.strftime("%Y-%m-%d %H")) or str(when).startswith(
        (now - datetime.timedelta(minutes=5)).strftime("%Y-%m-%d %H")), (when, now)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_viewer_sees_suggestions_but_no_button_that_writes(shared_hostile, lang):
    at = _sign_in("viewer", lang)
    at.switch_page("app_pages/map_page.py").run()
    assert not at.exception, at.exception
    assert "map_seed_demo" not in [b.key for b in at.button]
    at.button(key="map_suggest_run").click().run()
    assert not at.exception, at.exception
    assert not [b.key for b in at.button if b.key.startswith("map_suggest_add_")]
    assert [t.value for t in at.text]  # the rows are there
    assert_no_raw_markup(shown(at))


# ------------------------------------------------------------------ in a real browser (Chinese)

HOSTILE_DOM_JS = """() => ({
  strong: Array.from(document.querySelectorAll('strong, b')).map(e => e.textContent)
            .filter(t => /bold|目标|区|站|人口/.test(t)),
  links: Array.from(document.querySelectorAll('a[href*="x.invalid"]')).map(a => a.closest('[data-testid]')?.getAttribute('data-testid') + ': ' + a.parentElement.outerHTML.slice(0, 300)),
  images: document.querySelectorAll('img[src="x"], img[src$="/x"]').length,
  katex: document.querySelectorAll('.katex').length,
  evaluated: document.body.innerText.includes('1337'),
})"""


def page_text(page) -> str:
    """What the page reads as (its text, less the invisible word joiners that keep addresses from linking)."""
    return page.evaluate("() => document.body.innerText").replace("\u2060", "")


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_map_and_targets_pages_in_chromium_show_hostile_names_as_text(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from tests.browser_support import (
        ARTIFACTS,
        CHROMIUM_ARGS,
        MAP_IFRAME,
        local_only,
        require_chromium,
        streamlit_app,
    )

    chromium = require_chromium()
    db = tmp_path / "sites.db"
    with SiteStore(db, settings=Settings(mode="local", db=db)) as store:
        make_hostile(store, tmp_path, "glance-test")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    dialogs: list[str] = []
    with streamlit_app(tmp_path, timeout_s=90) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            context.route("**/*", local_only(blocked))
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)
            frame = page.frame_locator(MAP_IFRAME)
            expect(frame.locator("path.town-outline")).to_have_count(7, timeout=90_000)
            labels = frame.locator(".town-label span")
            for name in (TOWN_NAMES[GUICHENG], TOWN_NAMES["440605121000"], TOWN_NAMES["440605122000"],
                         TOWN_NAMES["440605124000"], TOWN_NAMES[DALI]):
                expect(labels.filter(has_text=name)).to_have_count(1)  # the label's text is the name as typed
            assert f"{REGION_NAME}：7 个镇街" in page_text(page)
            box = labels.filter(has_text=TOWN_NAMES[GUICHENG]).bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            expect(page.locator('[data-testid="stAlertContentInfo"]', has_text="440605011000")).to_be_visible(
                timeout=30_000)
            assert f"{TOWN_NAMES[GUICHENG]}（440605011000）" in page_text(page)
            page.screenshot(path=ARTIFACTS / "security_glance_map.png", full_page=True)
            assert page.evaluate(HOSTILE_DOM_JS) == {"strong": [], "links": [], "images": 0, "katex": 0,
                                                     "evaluated": False}
            inner = page.locator(MAP_IFRAME).content_frame.locator("body")
            assert "1337" not in inner.inner_text() and not inner.locator('img[src="x"]').count()

            page.goto(f"{url}/targets")
            expect(page.locator('[data-testid="stVegaLiteChart"], .vega-embed').first).to_be_visible(timeout=90_000)
            assert TARGET_NAME in page_text(page)
            page.screenshot(path=ARTIFACTS / "security_glance_targets.png", full_page=True)
            assert page.evaluate(HOSTILE_DOM_JS) == {"strong": [], "links": [], "images": 0, "katex": 0,
                                                     "evaluated": False}
        finally:
            browser.close()
    assert dialogs == [] and blocked == []


@pytest.mark.parametrize("user", ["viewer", "gc_editor"])
def test_only_an_admin_sees_the_demo_seed_button(shared_env, deploy_shared, user):
    dep = deploy_shared()  # the bundled Nanhai towns: the one region the demo sample is for
    for site_id in (dep.dali_site_id, dep.guicheng_site_id):
        dep.store.delete(site_id, actor=dep.admin)  # an empty registry: the page offers the demo sample
    at = _sign_in(user)
    at.switch_page("app_pages/map_page.py").run()
    assert not at.exception, at.exception
    assert "map_seed_demo" not in [b.key for b in at.button]
    at = _sign_in("root")
    at.switch_page("app_pages/map_page.py").run()
    assert "map_seed_demo" in [b.key for b in at.button]
