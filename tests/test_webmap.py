"""The folium map of the towns and its offline assets (no network: nothing is downloaded here)."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tarfile
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import pytest
from shapely.geometry import box

from errors import MapError
from geodata.boundaries import Region
from geodata.crs import CoordSystem, convert_points
from maps.assets import (
    URL_PREFIX,
    NpmPackage,
    fetch_assets,
    install_tarball,
    is_installed,
    local_path,
    require_assets,
    standalone_html,
    use_local_assets,
)
from maps.webmap import available_tiles, build_map

CDN_HOSTS = ("cdn.jsdelivr", "cdnjs", "code.jquery", "unpkg", "bootstrapcdn", "googleapis", "gstatic")
URL = re.compile(r"https?://[^\s\"'<>)\\]+")


@pytest.fixture(scope="module")
def vendored() -> None:
    """The vendored Leaflet must be there (scripts/setup.sh fetches it); never download in tests."""
    try:
        require_assets()
    except MapError as exc:
        pytest.fail(f"{exc} -- run: python -m geodata assets")


def _js_unescape(text: str) -> str:
    """Undo the ``\\uXXXX`` escapes folium's ``tojson`` puts into the page's scripts."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def _render(m: folium.Map) -> str:
    return m.get_root().render()


# ------------------------------------------------------------------ the map


def test_offline_map_loads_only_vendored_assets(vendored, region):
    page = _render(build_map(region, tiles="none"))
    for host in CDN_HOSTS:
        assert host not in page
    assert URL.findall(page) == []  # no http(s) URL at all: no tiles, no CDN
    sources = re.findall(r'<script src="([^"]+)"', page) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert sorted(sources) == [f"{URL_PREFIX}/leaflet/leaflet.css", f"{URL_PREFIX}/leaflet/leaflet.js"]
    for src in sources:
        assert local_path(src).is_file(), src
    # no tile layer is drawn: test_browser_webmap.py


def test_map_shows_every_town_with_name_code_and_label(vendored, region):
    m = build_map(region, tiles="none", lang="zh")
    page = _js_unescape(_render(m))
    towns = region.towns
    assert len(towns) == 7
    for name, code in zip(towns["name"], towns["code"], strict=True):
        assert f'"name": "{name}"' in page
        assert f'"code": "{code}"' in page
    # the permanent labels, one per town with its name as DOM text: test_browser_webmap.py
    assert "面积（km²）" in page and '"area_km2": "83.7"' in page  # 桂城街道


def test_english_map_uses_english_names(vendored, region):
    m = build_map(region, lang="en")
    page = _js_unescape(_render(m))
    assert "Area (km²)" in page  # the English labels on the map: test_browser_webmap.py


# Attribution, the fitted view and focus without scrolling are what the page does: test_browser_webmap.py


def test_html_in_town_names_is_escaped(vendored):
    evil = "<img src=x onerror=alert(1)>"
    towns = gpd.GeoDataFrame(
        {"code": ["<b>1</b>"], "name": [evil], "name_en": [evil], "area_km2": [1.0]},
        geometry=[box(113.0, 23.0, 113.01, 23.01)], crs="EPSG:4326",
    )
    region = Region(towns=towns, source="test", attribution="<script>x</script> contributors")
    m = build_map(region)
    page = _render(m)
    assert "<img src=x" not in page
    assert "<b>1</b>" not in page
    assert "<script>x</script>" not in page
    # names and codes are data (JSON, with < > as \u escapes) that the page sets as DOM text, never HTML
    assert '"name": "\\u003cimg src=x onerror=alert(1)\\u003e"' in page
    assert '"code": "\\u003cb\\u003e1\\u003c/b\\u003e"' in page
    assert "&lt;script&gt;x&lt;/script&gt;" in _js_unescape(page)  # the attribution is HTML: escaped
    # the label shows the name as text: test_browser_webmap.py  # the attribution is HTML: escaped


def test_osm_tiles_fail_softly(vendored, region):
    page = _render(build_map(region, tiles="osm"))
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in page
    assert '"errorTileUrl": "data:image/gif;base64,' in page


def test_amap_shifts_overlays_into_gcj02(vendored, region):
    wgs = build_map(region, tiles="none")
    gcj = build_map(region, tiles="amap")
    page = _render(gcj)
    assert "autonavi.com" in page
    # the outlines and labels drawn shifted into GCJ-02: test_browser_webmap.py
    assert wgs.location != pytest.approx(gcj.location)


def test_tianditu_needs_a_key(vendored, region):
    assert "tianditu" not in available_tiles(None)
    assert "tianditu" in available_tiles("k")
    with pytest.raises(MapError, match="SITES_TIANDITU_KEY"):
        build_map(region, tiles="tianditu")
    page = _render(build_map(region, tiles="tianditu", tianditu_key="secret-key"))
    assert page.count("tk=secret-key") == 2  # vector tiles and their labels


def test_unknown_tiles_are_refused(vendored, region):
    with pytest.raises(MapError, match="bing"):
        build_map(region, tiles="bing")


def test_elements_without_local_assets_fail_loudly(vendored):
    m = folium.Map(tiles=None)
    folium.Marker([23.0, 113.0], icon=folium.Icon(icon="home")).add_to(m)
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(MapError) as err:
        use_local_assets(m)
    message = err.value.message("en")
    assert "Icon" in message and "CircleMarker" in message
    assert "Fullscreen" in message and "fullscreen" in message.lower()


def test_marker_cluster_uses_vendored_plugin(vendored):
    m = folium.Map(tiles=None)
    folium.plugins.MarkerCluster([[23.0, 113.0], [23.1, 113.1]]).add_to(m)
    page = _render(use_local_assets(m))
    assert URL.findall(page) == []
    assert f"{URL_PREFIX}/leaflet.markercluster/leaflet.markercluster.js" in page
    assert folium.Map.default_js[0][1].startswith("https://")  # folium's class defaults untouched


def test_standalone_html_inlines_everything(vendored, region):
    page = standalone_html(build_map(region))
    assert "<script src=" not in page and 'rel="stylesheet"' not in page
    assert URL_PREFIX not in page
    assert ".leaflet-container" in page  # leaflet.css inlined (the map it draws: test_browser_webmap.py)
    assert "url(data:image/png;base64," in page  # leaflet.css images inlined
    # Only Leaflet's own namespace, comment and attribution-prefix links remain; none is loaded.
    assert set(URL.findall(page)) <= {"http://www.w3.org/2000/svg", "https://leafletjs.com",
                                      "https://bugs.chromium.org/p/chromium/issues/detail?id=600120",
                                      "https://bugzilla.mozilla.org/show_bug.cgi?id=888319"}


# ----------------------------------------------------------- fetching assets


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


TOY_FILES = {
    "package/dist/toy.js": b"var toy = 1;",
    "package/dist/images/a.png": b"png",
    "package/dist/toy.js.map": b"{}",
    "package/README.md": b"readme",
    "package/dist/../../evil.js": b"alert(1)",
}


def _toy(data: bytes, integrity: str | None = None) -> NpmPackage:
    return NpmPackage(name="toy", version="1.0.0", integrity=integrity or _integrity(data),
                      files=("toy.js", "images/*.png"))


def test_tampered_tarball_is_refused(tmp_path):
    data = _tarball(TOY_FILES)
    wrong = _integrity(b"something else")
    with pytest.raises(MapError, match="校验失败"):
        install_tarball(_toy(data, wrong), data, tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing half-installed


def test_install_extracts_only_the_needed_files(tmp_path):
    data = _tarball(TOY_FILES)
    folder = install_tarball(_toy(data), data, tmp_path)
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == ["images/a.png", "manifest.json", "toy.js"]
    assert not (tmp_path.parent / "evil.js").exists()
    assert is_installed(_toy(data), tmp_path)
    (folder / "toy.js").write_bytes(b"var toy = 2;")  # a changed file is no longer "installed"
    assert not is_installed(_toy(data), tmp_path)


def _registry(root: Path, data: bytes) -> str:
    (root / "toy" / "-").mkdir(parents=True)
    (root / "toy" / "-" / "toy-1.0.0.tgz").write_bytes(data)
    return root.as_uri()


def test_fetch_is_idempotent_and_force_refetches(tmp_path):
    data = _tarball(TOY_FILES)
    registry = _registry(tmp_path / "registry", data)
    vendor = tmp_path / "vendor"
    log: list[str] = []
    fetch_assets(log=log.append, packages=(_toy(data),), vendor_dir=vendor, registry=registry)
    fetch_assets(log=log.append, packages=(_toy(data),), vendor_dir=vendor, registry=registry)
    assert ["downloading" in line for line in log] == [True, False]
    (vendor / "toy" / "toy.js").unlink()
    fetch_assets(log=log.append, packages=(_toy(data),), vendor_dir=vendor, registry=registry)
    assert (vendor / "toy" / "toy.js").read_bytes() == b"var toy = 1;"
    fetch_assets(force=True, log=log.append, packages=(_toy(data),), vendor_dir=vendor, registry=registry)
    assert sum("downloading" in line for line in log) == 3


def test_unreachable_registry_gives_a_bilingual_error(tmp_path):
    data = _tarball(TOY_FILES)
    with pytest.raises(MapError) as err:
        fetch_assets(log=lambda _: None, packages=(_toy(data),), vendor_dir=tmp_path / "v",
                     registry=(tmp_path / "nowhere").as_uri())
    assert "无法从 npm 软件包仓库下载" in err.value.message("zh")
    assert "cannot download" in err.value.message("en") and "HTTPS_PROXY" in err.value.message("en")


def test_missing_assets_are_reported_with_the_fix(tmp_path):
    with pytest.raises(MapError, match="python -m geodata assets"):
        require_assets(tmp_path)
    with pytest.raises(MapError, match="python -m geodata assets"):
        use_local_assets(folium.Map(tiles=None), tmp_path)


# ------------------------------------------------------------- planner layers


def test_marker_badges_escape_glyphs_and_refuse_odd_colours():
    from maps.webmap import MarkerStyle

    badge = MarkerStyle("red;background:url(x)", "<b", "planned").html()
    assert "url(x)" not in badge and "--c:#7f7f7f" in badge
    assert "&lt;b" in badge and "site-planned" in badge
    assert "site-solid" in MarkerStyle("#1f77b4", "书", "nonsense").html()


def test_legend_and_caption_escape_their_text(vendored, region):
    from maps.webmap import LegendEntry, caption, legend

    m = build_map(region)
    m.add_child(legend("<i>title</i>", [("<u>h</u>", [LegendEntry("<img src=x>", fill="#123456")])]))
    m.add_child(caption("<b>t</b>", ["<script>x</script>"]))
    page = _js_unescape(_render(m))
    for raw in ("<i>title</i>", "<u>h</u>", "<img src=x>", "<b>t</b>", "<script>x</script>"):
        assert raw not in page
    assert "&lt;img src=x&gt;" in page and "background:#123456" in page


def test_legend_folds_on_small_maps_and_keeps_the_users_choice(vendored, region):
    from maps.webmap import LEGEND_FOLD_BELOW_PX, LegendEntry, legend

    m = build_map(region)
    m.add_child(legend("图例", [("", [LegendEntry("x")])]))
    page = _render(m)
    assert "<details open><summary>" in _js_unescape(page)
    assert LEGEND_FOLD_BELOW_PX > 620  # the app's map height: folded there (in the browser: test_browser_webmap.py)


def test_choropleth_fills_towns_by_share(vendored, region):
    from maps.style import SHARE_CLASSES, share_colour

    assert share_colour(0.0) == SHARE_CLASSES[0][1] and share_colour(1.0) == SHARE_CLASSES[-1][1]
    values = {code: 0.9 for code in region.towns["code"]}
    page = _js_unescape(_render(build_map(region, town_values=values, value_label="覆盖率")))
    assert page.count('"value": "90.0%"') == 7
    assert SHARE_CLASSES[-1][1] in page


def test_area_layer_escapes_tooltips_and_shifts_for_amap(vendored):
    from maps.webmap import area_layer

    frame = gpd.GeoDataFrame({"town": ["<b>x</b>"]}, geometry=[box(113.0, 23.0, 113.01, 23.01)], crs="EPSG:4326")
    layer = area_layer(frame, name="<i>gaps</i>", style={"color": "#000"}, fields={"town": "镇街"},
                       system=CoordSystem.GCJ02)
    assert layer.layer_name == "&lt;i&gt;gaps&lt;/i&gt;"  # layer names are HTML in the layer control
    feature = layer.data["features"][0]
    assert feature["properties"]["town"] == "<b>x</b>"  # text, set with textContent in the browser
    m = build_map(Region(towns=gpd.GeoDataFrame({"code": ["1"], "name": ["t"], "area_km2": [1.0]},
                                                geometry=[box(113.0, 23.0, 113.01, 23.01)], crs="EPSG:4326"),
                         source="test", attribution=""))
    layer.add_to(m)
    page = _render(m)
    assert "<b>x</b>" not in page and '"town": "\\u003cb\\u003ex\\u003c/b\\u003e"' in page
    x0 = min(c[0] for c in feature["geometry"]["coordinates"][0])
    # shifted into GCJ-02 (hundreds of metres), then rounded to the area detail (1e-5 deg)
    assert x0 == pytest.approx(float(convert_points([113.0], [23.0], "wgs84", "gcj02")[0][0]), abs=1e-5)


def test_outlines_shared_out_on_threads_come_back_in_order_and_equal_to_one_at_a_time():
    """maps.webmap.simplified cuts a big array into runs of about equal vertex counts on all cores: every row
    must come back in its place, the very polygon it gives alone (metric input, then shifted into GCJ-02)."""
    import numpy as np
    import shapely

    from maps.webmap import _CHUNK_VERTICES, Detail, _vertex_runs, simplified

    rng = np.random.default_rng(7)
    # 300 wobbly rings of 1,000 vertices, in UTM 49N around Foshan: 300,300 coordinates, three runs' worth
    rings = []
    for i in range(300):
        n = 1000
        angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
        radius = 2_000 + 300 * rng.random(n)
        rings.append(shapely.Polygon(np.column_stack([700_000 + 5_000 * (i % 20) + radius * np.cos(angle),
                                                      2_540_000 + 5_000 * (i // 20) + radius * np.sin(angle)])))
    geoms = np.asarray(rings, dtype=object)
    assert shapely.get_num_coordinates(geoms).sum() // _CHUNK_VERTICES == 3
    runs = _vertex_runs(geoms, 4)
    assert [r.stop - r.start for r in runs] == [100, 100, 100] and runs[0].start == 0 and runs[-1].stop == len(geoms)
    assert all(a.stop == b.start for a, b in zip(runs[:-1], runs[1:], strict=True))
    detail = Detail(tolerance_deg=5e-4, decimals=5)
    together = simplified(geoms, crs=32649, detail=detail, system=CoordSystem.GCJ02)
    alone = [simplified(geoms[i:i + 1], crs=32649, detail=detail, system=CoordSystem.GCJ02)[0]
             for i in range(len(geoms))]
    assert len(together) == len(geoms)
    assert all(shapely.equals_exact(a, b, tolerance=0) for a, b in zip(together, alone, strict=True))
    assert shapely.get_num_coordinates(together).sum() < shapely.get_num_coordinates(geoms).sum() / 2  # it simplified
    assert _vertex_runs(geoms[:10], 4) == [slice(0, 10)]  # under the limit: one run, no thread
