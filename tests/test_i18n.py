"""The text catalogue: loaded explicitly, complete in both languages, and no English on a Chinese page.

* Every key the code uses (literal keys of ``t``/``tr``/``Problem``/``report.text`` and every
  ``ui.*``/``mapx.*`` literal anywhere, plus each family of keys built with an f-string)
  exists in the catalogue, in Chinese and in English, with the same ``{placeholders}``.
* No Chinese text is English: a Latin word in a Chinese text must be a name, code or unit
  of :data:`LATIN_OK` (file formats, coordinate systems, commands, settings).
* The app's pages, run in Chinese with :class:`AppTest`, show no English word: every title,
  header, caption, message, widget label, option, help text and table column is checked.
* A missing key raises in strict mode (the tests) and shows as ``⟦key⟧`` otherwise; the
  default language comes from the settings, read once; a command's ``--lang`` is
  :func:`i18n.use_language`.
"""

from __future__ import annotations

import ast
import datetime
import importlib
import re
import string
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

import i18n
from i18n import DOMAINS, catalogue, t

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
#: Code scanned for keys: the product and its tests, not the catalogue itself.
SOURCES = sorted(p for p in ROOT.rglob("*.py")
                 if not {".venv", "i18n", "node_modules", "static"} & set(p.relative_to(ROOT).parts)
                 and p.name != "test_i18n.py")
#: Calls whose first argument is a message key.
KEY_CALLS = {"t", "tr", "Problem", "text"}
#: Key prefixes that only ever name texts (a literal with one of them anywhere in the code is a key).
TEXT_ONLY_PREFIXES = ("ui.", "mapx.")
KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")

#: Latin words a Chinese text may hold: names of formats, systems, products, standards and
#: units; the values and settings a user types (``open``, ``each_town``, ``SITES_DB``);
#: commands. Compared case-sensitively, one word at a time.
LATIN_OK = frozenset("""
    BOM CSV csv DB db dbf DTD Excel GBK GeoJSON geojson GEOJSON GeoPackage gpkg GPKG GeoTIFF HTML html JSON json
    npz PDF pdf pbf prj shp shx cpg Shapefile SQLite UTF-8 XLSX xlsx XML zip YYYY-MM-DD NaN
    BD-09 bd09 GCJ-02 gcj02 WGS84 wgs84 CRS crs EPSG UTM GPS OSM osm OpenStreetMap POI Leaflet HiGHS
    PostgreSQL npm pip python sh setup scripts install init assets osmium pyosmium HTTPS PROXY
    Point Polygon MultiPolygon LineString MultiLineString FeatureCollection features DivIcon CircleMarker
    Font Awesome Bootstrap GB km m MB K UTC
    SITES MODE PASSWORD KEY TIANDITU env sites geodata user role admin add set set-region boundaries
    code-field name-field network-crs set-network network licence local shared metric to from
    open demo amap suggest each town towns region site count area share demand foot highway access
    lng lat lon longitude latitude
    replace names demand-add boundaries-crs adcode CGCS2000 skip-invalid
    Language English
    PostGIS Debian apt-get postgresql postgresql-15-postgis-3 CREATE EXTENSION createdb postgis citext
    USER zh en LANGUAGE code name ODbL
    straight all auto heuristic exact none planned under construction suspended closed
""".split())
#: Latin words the pages may show in Chinese besides those: the boundary data's licence line,
#: kept verbatim as its licence asks.
PAGE_LATIN_OK = LATIN_OK | {"contributors", "ODbL"}

#: Keys built with an f-string, as templates (``f"ui.audit.{action}"`` -> ``ui.audit.{}``) -> the values
#: the code puts in. A new family in the code must be added here (the test below says which).
DYNAMIC: dict[str, tuple[str, ...]] = {
    "account.state.{}": ("active", "disabled", "locked"),
    "access.action.{}": ("target.add", "target.update", "target.delete", "target.import", "target_import",
                         "set_region", "region_preview", "set_network", "network_upload", "delete_network",
                         "demand_add", "demand_upload", "demand_delete", "account.add", "account.grant",
                         "account.revoke", "account.role", "account.password", "account.disable",
                         "account.enable", "account.unlock", "account.list", "account.log", "copy",
                         "import_preview"),
    "boundary.field_many.{}": ("name", "code"),
    "demand.kind.{}": ("points", "town_totals", "raster"),
    "region.level.{}": ("town", "county"),
    "boundary.field_none.{}": ("name", "code"),
    "mapx.field.{}": ("type", "status", "town", "address", "host", "opened", "source", "id"),
    "mapx.source.{}": ("demo", "amap", "suggest"),
    "ui.mapx.distance_mode.{}": ("straight", "network"),
    "ui.mapx.walk_unit.{}": ("metres", "minutes"),
    "measure.{}": ("site_count", "area_share", "demand_share"),
    "report.col.{}": ("target", "type", "deadline", "days_left", "towns_met", "status", "projection"),
    "report.rag.{}": ("red", "amber", "green"),
    "scope.{}": ("each_town", "region", "towns"),
    "scoring.progress.{}": ("matrix", "greedy", "perturb", "milp", "done"),
    "sites.{}_missing": ("type", "status", "lng", "lat"),
    "sites.{}_unknown": ("type", "status"),
    "sites.duplicate_{}_site": ("near", "name"),
    "sites.duplicate_{}_row": ("near", "name"),
    "sites.template.error_{}": ("type", "status"),
    "sites.template.prompt_{}": ("type", "status"),
    "stale.{}": ("update", "close", "delete"),
    "stale.field.{}": ("name", "type", "status", "lng", "lat", "town_code", "address", "host_org", "opened_on",
                       "closed_on", "notes", "source", "site_type", "scope", "measure", "threshold", "deadline",
                       "towns", "radius_m", "statuses", "new_since", "demand_layer"),
    "ui.audit.{}": ("create", "update", "close", "delete"),
    "ui.audit.kind.{}": ("site", "target", "account"),
    "ui.crs.{}": ("gcj02", "wgs84", "bd09", "file"),
    "ui.data.level.{}": ("error", "warning"),
    "ui.form.field.{}": ("name", "type", "status", "coords", "address", "host_org", "opened_on", "closed_on",
                         "notes", "source", "town"),
    "ui.role.{}": ("viewer", "editor", "admin"),
    "ui.sites.mode.{}": ("add", "edit"),
    "ui.targets.rag.{}": ("red", "amber", "green"),
    "ui.targets.detail_col.{}": ("target_id", "name", "town_code", "town_name", "site_id", "site_name"),
    "ui.tiles.{}": ("none", "osm", "amap", "tianditu"),
    "unit.{}": ("sites", "km2", "people"),
}


def _trees() -> Iterator[tuple[Path, ast.AST]]:
    for path in SOURCES:
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _literal_keys(node: ast.AST) -> Iterator[str]:
    """String constants of an argument, through ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literal_keys(node.body)
        yield from _literal_keys(node.orelse)


def used_keys() -> dict[str, str]:
    """Every literal message key in the code, with where it was first seen."""
    found: dict[str, str] = {}
    for path, tree in _trees():
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            keys: list[str] = []
            if isinstance(node, ast.Call) and _callee(node) in KEY_CALLS and node.args:
                keys += [k for k in _literal_keys(node.args[0]) if KEY.match(k)]
            if isinstance(node, ast.Call) and _callee(node) == "Problem":
                keys += [k for kw in node.keywords if kw.arg == "code" for k in _literal_keys(kw.value)]
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.match(node.value) \
                    and node.value.startswith(TEXT_ONLY_PREFIXES):
                keys.append(node.value)
            for key in keys:
                found.setdefault(key, f"{where}:{node.lineno}")
    return found


def dynamic_templates() -> dict[str, str]:
    """Keys built with f-strings, as templates (``f"sites.{fld}_missing"`` -> ``sites.{}_missing``): an
    argument of a key call (or of validation's ``add``), or any f-string starting with a text-only prefix."""
    found: dict[str, str] = {}
    for path, tree in _trees():
        for node in ast.walk(tree):
            candidates: list[ast.AST] = []
            if isinstance(node, ast.Call) and _callee(node) in KEY_CALLS | {"add"}:
                candidates += node.args
            elif isinstance(node, ast.JoinedStr):
                candidates.append(node)
            for arg in candidates:
                if not isinstance(arg, ast.JoinedStr):
                    continue
                template = "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in arg.values)
                if not re.match(r"^[a-z][a-z0-9_]*(\.[a-z0-9_{}]+)+$", template) or "{}" not in template:
                    continue
                if arg is not node or template.startswith(TEXT_ONLY_PREFIXES):
                    found.setdefault(template, f"{path.relative_to(ROOT)}:{arg.lineno}")
    return found


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` of a text (``{area:,.1f}`` -> ``area``)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def english_words(text: str, allowed: frozenset[str] | set[str]) -> list[str]:
    """Latin words of ``text`` (placeholders left out) that are not in ``allowed``."""
    return [w for w in LATIN_WORD.findall(PLACEHOLDER.sub(" ", text)) if w not in allowed]


# ------------------------------------------------------------------------------ catalogue


def test_catalogue_is_the_tables_listed_in_domains_and_nothing_registers_on_import():
    tables = sorted(p.stem for p in (ROOT / "i18n" / "tables").glob("*.py") if p.stem != "__init__")
    assert sorted(DOMAINS) == tables  # every table is loaded, and only from that list
    merged = catalogue()
    assert catalogue() is merged  # loaded once
    assert sum(len(importlib.import_module(f"i18n.tables.{d}").MESSAGES) for d in DOMAINS) == len(merged)
    assert not hasattr(i18n, "register")
    offenders = [str(p.relative_to(ROOT)) for p in SOURCES
                 if re.search(r"registers the texts|from i18n import [^\n]*\bregister\b", p.read_text("utf-8"))]
    assert offenders == []


def test_a_key_in_two_tables_is_refused(monkeypatch):
    twin = types.ModuleType("i18n.tables.twin")
    twin.MESSAGES = {"ui.app.title": ("另一个标题", "Another title")}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "i18n.tables.twin", twin)
    monkeypatch.setattr(i18n, "DOMAINS", (*DOMAINS, "twin"))
    catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"'ui.app.title' is defined in i18n/tables/app.py and twin.py"):
            catalogue()
    finally:
        catalogue.cache_clear()


def test_every_key_used_in_the_code_is_in_the_catalogue():
    used = used_keys()
    assert len(used) > 400  # the scan finds the code's keys (about 500 when written)
    missing = {key: where for key, where in used.items() if key not in catalogue()}
    assert missing == {}


def test_every_key_family_built_at_run_time_is_complete():
    templates = dynamic_templates()
    unknown = {template: where for template, where in templates.items() if template not in DYNAMIC}
    assert unknown == {}, "add these f-string key families (template -> values) to DYNAMIC"
    assert len(templates) >= 15  # the scan finds the families (25 when written)
    missing = [template.format(value) for template in templates for value in DYNAMIC[template]
               if template.format(value) not in catalogue()]
    assert missing == []


def test_both_languages_have_the_same_placeholders():
    """``{x}`` in one language is ``{x}`` in the other; ``{x_en}`` is the English form of ``{x}``."""
    def english(name: str) -> str:
        return name.removesuffix("_en")

    differ = {key: (sorted(placeholders(zh)), sorted(placeholders(en)))
              for key, (zh, en) in catalogue().items()
              if placeholders(zh) != {english(n) for n in placeholders(en)}}
    assert differ == {}


def test_every_text_is_filled_in_both_languages():
    empty = [key for key, pair in catalogue().items() if not all(text.strip() for text in pair)]
    assert empty == []


def test_no_chinese_text_is_english():
    """A Chinese text has Chinese in it, or is punctuation, a number format or a name; its Latin words
    are names and codes (:data:`LATIN_OK`), never English words."""
    english = {key: words for key, (zh, _) in catalogue().items() if (words := english_words(zh, LATIN_OK))}
    assert english == {}
    no_cjk = {key: zh for key, (zh, _) in catalogue().items()
              if not CJK.search(zh) and LATIN_WORD.search(PLACEHOLDER.sub(" ", zh))}
    assert set(no_cjk) <= {"ui.tiles.osm", "mapx.unit.km2"}  # a product's name; a number and its unit


def test_the_checks_catch_what_they_are_for():
    assert english_words("已保存站点 #{id}“{name}”", LATIN_OK) == []
    assert english_words("保存 Save", LATIN_OK) == ["Save"]
    assert english_words("坐标为 WGS84，文件 CSV", LATIN_OK) == []
    assert placeholders("{n} 个，共 {area:,.1f} km²") == {"n", "area"}


# ------------------------------------------------------------------------------ behaviour


def test_a_missing_key_raises_in_strict_mode_and_shows_a_mark_otherwise(monkeypatch):
    with pytest.raises(KeyError, match=r"no text for message key 'no.such.key'"):
        t("no.such.key", "zh")
    monkeypatch.setenv("SITES_STRICT_I18N", "0")
    i18n.reload_settings()
    assert t("no.such.key", "zh") == "⟦no.such.key⟧"
    assert t("no.such.key", "en", n=3) == "⟦no.such.key⟧"
    assert t("ui.app.title", "zh") == "职工服务阵地规划"


def test_the_default_language_is_the_setting_read_once(monkeypatch):
    monkeypatch.setenv("SITES_LANGUAGE", "EN")  # any case
    i18n.reload_settings()
    assert i18n.default_language() == "en" and t("ui.app.title") == "Worker Service Site Planner"
    monkeypatch.setenv("SITES_LANGUAGE", "zh")
    assert t("ui.app.title") == "Worker Service Site Planner"  # read once, not at every call
    i18n.reload_settings()
    assert t("ui.app.title") == "职工服务阵地规划"
    with i18n.use_language("en"):
        assert t("ui.app.title") == "Worker Service Site Planner"
        assert t("ui.app.title", "zh") == "职工服务阵地规划"  # an explicit language always wins
    assert t("ui.app.title") == "职工服务阵地规划"


def test_formatting_with_parameters():
    assert t("ui.mapx.region", "zh", region="南海区", n=7, area=1070.46, units="镇街") == "南海区：7 个镇街，共 1,070.5 km²"
    assert t("ui.mapx.region", "en", region="Nanhai", n=7, area=1070.46, units="towns") == "Nanhai: 7 towns, 1,070.5 km² in all"


# ------------------------------------------------------------------------------ pages in Chinese


def _visible_texts(at) -> list[tuple[str, str]]:
    """(element, text) of every text a user sees: titles, captions, messages, labels, options, helps,
    placeholders and table columns (table cells are the user's data and are left out)."""
    out: list[tuple[str, str]] = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)
            return
        kind = type(node).__name__
        for attr in ("label", "help", "placeholder"):
            value = getattr(node, attr, None)
            if isinstance(value, str) and value:
                out.append((f"{kind}.{attr}", value))
        options = getattr(node, "options", None)
        if isinstance(options, list | tuple):
            out.extend((f"{kind}.option", str(o)) for o in options)
        if kind in {"Title", "Header", "Subheader", "Caption", "Markdown", "Text", "Info", "Warning", "Error",
                    "Success", "Exception", "Metric"}:
            value = getattr(node, "value", None)
            if isinstance(value, str):
                out.append((kind, value))
        value = getattr(node, "value", None)
        if hasattr(value, "columns"):
            out.extend((f"{kind}.column", str(c)) for c in value.columns)

    walk(at.main)  # AppTest's public blocks (the page and its sidebar)
    walk(at.sidebar)
    return out


#: A moment as the registry stores it (``2025-06-30T08:15:00.000Z``): a code, not words.
ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z?")


def _english_on_page(at) -> list[tuple[str, str, list[str]]]:
    return [(kind, text, words) for kind, text in _visible_texts(at)
            if (words := english_words(ISO_MOMENT.sub(" ", text), PAGE_LATIN_OK))]


@pytest.fixture
def zh_app(app_db, monkeypatch):
    """The app in Chinese on the Nanhai demo sample (120 sites), loaded and used by 测试员 (names are data:
    a Latin one would show on the pages)."""
    from settings import Settings
    from sites.demo import seed_demo
    from sites.store import SiteStore

    with SiteStore(app_db, settings=Settings(mode="local", db=app_db)) as store:
        seed_demo(store, actor="测试员")
    monkeypatch.setenv("SITES_USER", "测试员")
    return app_db


def _run_page(page: str | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _walk_pages(lang: str, check, typed: tuple[str, str]) -> None:
    """Every page in ``lang`` as a user meets it (the map, suggestions computed; the sites form, a refused save,
    the edit mode; targets on a date; data; admin), ``check(name, at)`` after each step. ``typed``: a name and
    a wrong coordinate typed into the form (they come back in the error: keep them in the page's language)."""

    def page(path: str | None = None):
        at = _run_page()
        if lang != "zh":
            at.radio(key="lang").set_value(lang).run()
        if path:
            at.switch_page(path).run()
        assert not at.exception, at.exception
        return at

    at = page()
    check("map", at)
    at.button(key="map_suggest_run").click().run()
    check("map with suggestions", at)

    at = page("app_pages/sites_page.py")
    check("sites/add", at)
    at.text_input(key="add_name").set_value(typed[0])
    at.text_input(key="add_coords").set_value(typed[1])
    at.button(key="add_save").click().run()
    check("sites/add, not saved", at)
    at.radio(key=f"sites_mode_{lang}").set_value("edit").run()
    check("sites/edit", at)

    at = page("app_pages/targets_page.py")
    at.date_input(key="targets_as_of").set_value(datetime.date(2025, 6, 30)).run()
    check("targets", at)

    check("data", page("app_pages/data_page.py"))
    check("admin", page("app_pages/admin_page.py"))


def test_no_chinese_page_shows_an_english_word(zh_app):
    seen: list[tuple[str, str]] = []
    english: list[tuple[str, str, str, list[str]]] = []

    incident = t("incident.message", "zh", id="", path="").split("，")[0]

    def check(name: str, at) -> None:
        assert not any(incident in e.value for e in at.error), (name, [e.value for e in at.error])
        texts = _visible_texts(at)
        assert texts, name
        seen.extend(texts)
        english.extend((name, *found) for found in _english_on_page(at))

    _walk_pages("zh", check, ("测试书屋", "位置不详"))
    assert len(seen) > 150  # the pages were really read
    assert english == [], "\n".join(map(str, english))


#: Chinese characters (CJK ideographs and full-width punctuation) on an English page.
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def _data_texts(db) -> list[str]:
    """The registry's own Chinese words, longest first: site names, addresses, host organisations, notes, town
    and region names, target names and notes (data, shown as typed in every language)."""
    from sites.store import SiteStore
    from targets.store import TargetStore

    with SiteStore(db) as store:
        region = store.region()
        words = {region.name_zh, *region.towns["name"].astype(str)}
        for site in store.list_sites():
            words |= {site.name, site.address or "", site.host_org or "", site.notes or ""}
        for target in TargetStore(store).list_targets():
            words |= {target.name, target.notes or ""}
    return sorted((w for w in words if w), key=len, reverse=True)


def test_no_english_page_shows_chinese_text(zh_app):
    """The mirror of the test above: in the English UI every label, title, caption, message, option and column
    is English; only the registry's data (site, town, region and target names as typed) may be Chinese."""
    from app_pages.ui_text import LANGUAGE_NAMES

    # data: the registry's words and the writer's name (测试员); the language switch names both languages
    data = [*_data_texts(zh_app), "测试员"]
    switch = {t("ui.app.language", "en"), *LANGUAGE_NAMES.values()}
    seen: list[tuple[str, str]] = []
    chinese: list[tuple[str, str, str, list[str]]] = []

    def check(name: str, at) -> None:
        texts = _visible_texts(at)
        assert texts, name
        seen.extend(texts)
        for kind, text in texts:
            if text in switch:
                continue
            rest = text
            for word in data:
                rest = rest.replace(word, " ")
            if found := CJK.findall(rest):
                chinese.append((name, kind, text, found))

    _walk_pages("en", check, ("Test book room", "somewhere"))
    assert len(seen) > 150  # the pages were really read
    assert chinese == [], "\n".join(map(str, chinese))


def test_the_sign_in_page_and_a_refused_sign_in_are_chinese(shared_env, deploy_shared):
    from streamlit.testing.v1 import AppTest

    deploy_shared()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    texts = _visible_texts(at)
    at.text_input(key="sign_in_user").set_value("viewer")
    at.text_input(key="sign_in_password").set_value("错误的密码")
    at.button(key="sign_in_submit").click().run()
    assert not at.exception, at.exception
    assert len(_visible_texts(at)) > len(texts)  # the refusal is shown
    assert _english_on_page(at) == []
