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
def streamlit_app(tmp_path: Path, *, timeout_s: float = 40) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free local port with ``SITES_DB`` in ``tmp_path``; yield its URL."""
    port = free_port()
    env = {**os.environ, "SITES_DB": str(tmp_path / "sites.db"), "SITES_LANGUAGE": "zh", "SITES_TILES": "none"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
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
