"""Fixtures shared by the whole suite: language, registries on real SQLite files, the bundled region.

Every registry lives in the test's own ``tmp_path`` and is closed after the test. Helpers that are not
fixtures (hand-built towns and sites, the palaces import, before/after snapshots, the browser harness)
stay in the support modules: ``scoring_fixtures``, ``targets_support``, ``security_support``,
``browser_support``.

============================  =====================================================================
fixture                       what it gives
============================  =====================================================================
``english``                   messages in English (``SITES_LANGUAGE=en``) for ``match=``; use it in a
                              module with ``pytestmark = pytest.mark.usefixtures("english")``
``db``                        path of a registry file in ``tmp_path`` that does not exist yet
``store``                     a new local-mode :class:`SiteStore` on ``db`` (bundled Nanhai towns)
``demo_db``                   ``db`` holding the Nanhai demo sample (120 sites, ``seed_demo``), closed
``demo_store``                ``store`` holding the Nanhai demo sample
``palace_store``              ``store`` holding the four confirmed Nanhai palaces (Amap, GCJ-02)
``app_db``                    ``db`` set up for an AppTest: ``SITES_DB``, Chinese, no tiles, no key
``shared_env``                the app's environment in shared mode on ``tmp_path / "shared.db"``
``deploy_shared``             ``deploy_shared(**settings)``: a shared-mode registry with accounts
                              root (admin), gc_editor (桂城 only) and viewer, one site in 大沥 and one
                              in 桂城 (:func:`security_support.deploy`); closed after the test
``dep``                       ``deploy_shared()`` with the default settings
``region``                    the bundled Nanhai region (7 towns), a fresh copy per test
``browser``                   headless Chromium (Playwright), one per module; skipped without it
``clock``                     a settable UTC clock at 2025-03-01 09:00 (``clock.advance(minutes=5)``)
============================  =====================================================================
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import i18n

# A missing message key raises KeyError in the tests (and in the commands they run), instead of showing ⟦key⟧.
os.environ.setdefault("SITES_STRICT_I18N", "1")

if TYPE_CHECKING:  # imported inside each fixture, so a room being rebuilt breaks only the tests that use it
    from geodata.boundaries import Region
    from sites.store import SiteStore
    from tests.security_support import Deployment


def _local_store(db: Path) -> SiteStore:
    """A local-mode registry on ``db`` whatever ``SITES_MODE`` says; the other settings from the environment."""
    from settings import Settings
    from sites.store import SiteStore

    return SiteStore(db, settings=Settings(mode="local", db=db))


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages in English, so ``match=`` reads the same everywhere (Chinese is checked explicitly)."""
    monkeypatch.setenv("SITES_LANGUAGE", "en")
    i18n.reload_settings()


@pytest.fixture(autouse=True)
def _language_read_afresh() -> Iterator[None]:
    """:mod:`i18n` reads ``SITES_LANGUAGE`` once: forget it around every test."""
    i18n.reload_settings()
    yield
    i18n.reload_settings()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Path of a registry file in ``tmp_path``; nothing is created."""
    return tmp_path / "sites.db"


@pytest.fixture
def store(db: Path) -> Iterator[SiteStore]:
    """A new registry on ``db`` (local mode, the bundled Nanhai towns), closed after the test."""
    with _local_store(db) as opened:
        yield opened


@pytest.fixture
def demo_store(store: SiteStore) -> SiteStore:
    """``store`` with the Nanhai demo sample (120 sites: the real palaces from Amap, the rest marked demo)."""
    from sites.demo import seed_demo

    seed_demo(store, actor="test")
    return store


@pytest.fixture
def demo_db(db: Path) -> Path:
    """``db`` holding the Nanhai demo sample, closed (for the CLI, the app or another store)."""
    from sites.demo import seed_demo

    with _local_store(db) as opened:
        seed_demo(opened, actor="test")
    return db


@pytest.fixture
def palace_store(store: SiteStore) -> SiteStore:
    """``store`` with the four confirmed branches of Nanhai's workers' cultural palace, open."""
    from tests.targets_support import import_palaces

    import_palaces(store)
    return store


@pytest.fixture
def app_db(db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``db`` as the app will open it in an AppTest: Chinese, no base map, no Tianditu key."""
    monkeypatch.setenv("SITES_DB", str(db))
    monkeypatch.setenv("SITES_LANGUAGE", "zh")
    monkeypatch.setenv("SITES_TILES", "none")
    monkeypatch.delenv("SITES_TIANDITU_KEY", raising=False)
    return db


@pytest.fixture
def shared_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's environment in shared mode (Chinese) on ``tmp_path / "shared.db"``; returns that path."""
    path = tmp_path / "shared.db"
    for key, value in {"SITES_DB": str(path), "SITES_MODE": "shared", "SITES_LANGUAGE": "zh"}.items():
        monkeypatch.setenv(key, value)
    return path


@pytest.fixture
def deploy_shared(tmp_path: Path) -> Iterator[Callable[..., Deployment]]:
    """``deploy_shared(**settings)``: a shared registry on ``tmp_path / "shared.db"`` with its accounts."""
    from tests.security_support import deploy

    made: list[Deployment] = []

    def make(**overrides: object) -> Deployment:
        deployment = deploy(tmp_path / "shared.db", **overrides)
        made.append(deployment)
        return deployment

    yield make
    for deployment in made:
        deployment.store.close_connection()


@pytest.fixture
def dep(deploy_shared: Callable[..., Deployment]) -> Deployment:
    """A shared registry with the default settings (see :func:`security_support.deploy`)."""
    return deploy_shared()


@pytest.fixture
def region() -> Region:
    """The bundled Nanhai region (7 towns, WGS84); a fresh copy, so a test may change it."""
    from geodata.boundaries import bundled_region

    return bundled_region()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium (Playwright), one per test module; skipped without it (failed under CI).
    Open pages with :func:`browser_support.open_offline`."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM_ARGS, require_chromium

    chromium = require_chromium()
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def clock():
    """A settable UTC clock at 2025-03-01 09:00 (:class:`security_support.Clock`; ``clock.advance(minutes=5)``)."""
    from tests.security_support import Clock

    return Clock()
