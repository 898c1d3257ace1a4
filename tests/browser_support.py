"""Start the Streamlit app in a subprocess and open headless Debian Chromium for the browser tests.

No browser is ever downloaded: Playwright drives ``/usr/bin/chromium``. When it is
missing the browser tests are skipped on a developer machine and fail when
``CI`` is set, since CI must run them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("SITES_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"


def require_chromium() -> Path:
    """The Chromium binary; skip the test without one (fail under ``CI=true``)."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    message = f"{CHROMIUM} not found: apt-get install chromium"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout_s:.0f} s")


@contextmanager
def streamlit_app(tmp_path: Path, *, timeout_s: float = 40, db: Path | str | None = None) -> Iterator[str]:
    """Run the app as ``scripts/run-app.sh`` does (``python -m app_pages.serve``: ``streamlit run app.py`` with the
    product's modules imported first) on a free local port with ``SITES_DB`` in ``tmp_path`` (or ``db``: another
    file, or a PostgreSQL URL); yield its URL."""
    port = free_port()
    env = {**os.environ, "SITES_DB": str(db or tmp_path / "sites.db"), "SITES_LANGUAGE": "zh", "SITES_TILES": "none"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app_pages.serve", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, timeout_s)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


#: Hosts the app under test may be reached on; every other request is aborted and recorded.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
#: The streamlit-folium component's iframe.
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def settle(page, *, timeout_s: float = 120, also: str | None = None) -> None:
    """Wait until the app is idle: no script run going on (Streamlit's status widget gone) and nothing stale,
    three checks 0.5 s apart in a row; ``also``: a selector that must match exactly one element meanwhile (a
    map's first view reruns the page, which may mount the map again). Fails after ``timeout_s``."""
    calm = 0
    for _ in range(int(timeout_s / 0.5)):
        page.wait_for_timeout(500)
        running = page.get_by_test_id("stStatusWidget").is_visible()
        stale = page.locator('[data-stale="true"]').count()
        one = also is None or page.locator(also).count() == 1
        calm = calm + 1 if not running and not stale and one else 0
        if calm >= 3:
            return
    raise AssertionError(f"the app did not settle within {timeout_s:.0f} s")


def local_only(blocked: list[str]) -> Callable:
    """A Playwright route handler that lets local requests through and aborts (and records) the rest."""

    def route(route) -> None:
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    return route


def file_only(requested: list[str]) -> Callable:
    """A route handler for a page opened from disk: ``file://`` and ``data:`` pass, the rest is aborted and recorded."""

    def route(route) -> None:
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            requested.append(route.request.url)
            route.abort()

    return route


# ------------------------------------------------------------------ a map page opened from disk


def open_offline(browser, html_text: str, folder: Path, *, width: int = 1200, height: int = 800,
                 name: str = "map.html"):
    """Write ``html_text`` to ``folder / name`` and open it from ``file://`` in a new context of ``browser``,
    network blocked; wait for Leaflet's container. Returns ``(page, requested)``: the Playwright page and
    the list of blocked requests (filled as the page runs). Close with ``page.context.close()``."""
    path = folder / name
    path.write_text(html_text, encoding="utf-8")
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    requested: list[str] = []
    page.route("**/*", file_only(requested))
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-container")
    page.wait_for_function("() => window.L !== undefined && Object.values(window).some(v => v instanceof L.Map)")
    return page, requested


#: A JavaScript expression for the page's Leaflet map (folium declares it as a global variable).
LEAFLET_MAP = "Object.values(window).find(v => v instanceof L.Map)"

#: What a Leaflet page shows, read with Leaflet's public API and the DOM: tile layers, town labels,
#: GeoJSON layers (their features as given), attribution text, and every group of site markers with the
#: name the layer control gives it (found by switching each overlay off and on), whether it clusters,
#: and per marker: title, position, the classes of its badge and its popup rows (label, value) as text.
MAP_STATE_JS = """() => {
    const map = __MAP__;
    const tiles = [], labels = [], geojson = [], groups = [];
    map.eachLayer(layer => {
        if (layer instanceof L.TileLayer) { tiles.push(layer); }
        if (layer instanceof L.Marker && layer.options.icon && layer.options.icon.options.className === "town-label") {
            const ll = layer.getLatLng();
            labels.push({text: layer.getElement().textContent, lat: ll.lat, lng: ll.lng,
                         elements_in_text: layer.getElement().querySelectorAll("span *").length});
        }
        if (layer instanceof L.GeoJSON) {
            geojson.push(layer.getLayers().map(l => l.feature));
        }
        if (layer instanceof L.FeatureGroup && !(layer instanceof L.GeoJSON)
            && layer.getLayers().some(m => m instanceof L.Marker && m.options.title)) {
            groups.push(layer);
        }
    });
    const names = groups.map(() => null);
    document.querySelectorAll(".leaflet-control-layers-overlays label").forEach(label => {
        const input = label.querySelector("input");
        const before = groups.map(g => map.hasLayer(g));
        input.click();
        const after = groups.map(g => map.hasLayer(g));
        input.click();
        groups.forEach((g, i) => { if (before[i] !== after[i]) { names[i] = label.textContent.trim(); } });
    });
    function popupRows(marker) {
        const popup = marker.getPopup();
        let content = popup ? popup.getContent() : null;
        if (typeof content === "function") { content = content(marker); }
        if (!content || !content.rows) { return []; }
        return Array.from(content.rows).map(r => [r.cells[0].textContent, r.cells[1].textContent]);
    }
    function badge(marker) {
        const found = marker.options.icon.createIcon().querySelector(".site-marker");
        return found ? found.className : "";
    }
    return {
        tile_layers: tiles.length,
        labels: labels,
        geojson: geojson,
        attribution: (document.querySelector(".leaflet-control-attribution") || {textContent: ""}).textContent,
        keyboard: map.keyboard ? map.keyboard.enabled() : null,
        groups: groups.map((g, i) => ({
            name: names[i],
            cluster: !!(L.MarkerClusterGroup && g instanceof L.MarkerClusterGroup),
            markers: g.getLayers().filter(m => m instanceof L.Marker).map(m => ({
                title: m.options.title, lat: m.getLatLng().lat, lng: m.getLatLng().lng, badge: badge(m),
                popup: popupRows(m),
            })),
        })),
    };
}""".replace("__MAP__", LEAFLET_MAP)


def map_state(page) -> dict:
    """:data:`MAP_STATE_JS` evaluated in ``page``."""
    return page.evaluate(MAP_STATE_JS)
