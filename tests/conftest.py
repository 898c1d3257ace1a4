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
``backend``                   ``"sqlite"``, or ``"postgresql"`` in modules marked ``both_backends``
                              (every test there runs on both; ``sqlite_only`` keeps one on SQLite)
``db``                        path of a registry file in ``tmp_path`` that does not exist yet; on
                              PostgreSQL the URL of a fresh schema in ``SITES_TEST_PG_URL``'s database
                              (PostGIS there; dropped after the test; ``fresh_pg`` gives a whole database)
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


#: The server of the PostgreSQL runs (scripts/pg-dev.sh prints it); without it they skip, and under CI fail.
PG_URL = os.environ.get("SITES_TEST_PG_URL", "")
#: The database every test database is copied from (PostGIS and citext in it; scripts/pg-dev.sh makes it).
PG_TEMPLATE = os.environ.get("SITES_TEST_PG_TEMPLATE", "sites_template")
BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_backends: run every test of the module on SQLite and PostgreSQL")
    config.addinivalue_line("markers", "sqlite_only: a SQLite-file test in a both_backends module")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests of ``both_backends`` modules that use ``backend`` (``db``, ``store``, ``dep``…) run on both
    (every module with ``SITES_TEST_ALL_BACKENDS=1``: to try a new store's SQL on PostgreSQL)."""
    node = metafunc.definition
    both = node.get_closest_marker("both_backends") or os.environ.get("SITES_TEST_ALL_BACKENDS") == "1"
    if "backend" in metafunc.fixturenames and both and not node.get_closest_marker("sqlite_only"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


def pg_url(database: str, base: str | None = None) -> str:
    """``base`` (default :data:`PG_URL`) naming ``database`` instead (host, port, user and options kept)."""
    import re

    return re.sub(r"^(postgres(?:ql)?://[^/?]*)/?([^?]*)", rf"\1/{database}", base or PG_URL, count=1)


def pg_admin(sql: str) -> None:
    """Run one statement on :data:`PG_URL`'s server outside a transaction (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test's registry lives in (parametrised in ``both_backends`` modules)."""
    kind = getattr(request, "param", "sqlite")
    if kind == "postgresql" and not PG_URL:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("SITES_TEST_PG_URL is not set under CI: start the server first (scripts/pg-dev.sh)")
        pytest.skip("no PostgreSQL server (set SITES_TEST_PG_URL; scripts/pg-dev.sh starts one)")
    return kind


@pytest.fixture
def fresh_pg() -> Iterator[Callable[[], str]]:
    """``fresh_pg()``: the URL of a new empty database (PostGIS, citext) on the test server, dropped after."""
    import uuid

    made: list[str] = []

    def make() -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        pg_admin(f"CREATE DATABASE {name} TEMPLATE {PG_TEMPLATE}")
        made.append(name)
        return pg_url(name)

    yield make
    for name in made:
        pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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
def fresh_schema() -> Iterator[Callable[[], str]]:
    """``fresh_schema()``: the URL of a new empty schema in :data:`PG_URL`'s database (its ``search_path``
    first, PostGIS in ``public`` after it), dropped after the test: a fresh registry in milliseconds."""
    import uuid

    made: list[str] = []

    def make() -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        pg_admin(f"CREATE SCHEMA {name}")
        made.append(name)
        return f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{name}%2Cpublic"

    yield make
    for name in made:
        pg_admin(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@pytest.fixture
def db(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Path:
    """Path of a registry file in ``tmp_path``; nothing is created (PostgreSQL: a fresh schema's URL)."""
    if backend == "postgresql":
        return request.getfixturevalue("fresh_schema")()  # type: ignore[no-any-return]
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
def shared_db(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Path | str:
    """Where the shared registry lives: ``tmp_path / "shared.db"``, or a fresh PostgreSQL schema's URL."""
    if backend == "postgresql":
        return request.getfixturevalue("fresh_schema")()  # type: ignore[no-any-return]
    return tmp_path / "shared.db"


@pytest.fixture
def shared_env(shared_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's environment in shared mode (Chinese) on ``shared_db``; returns that path (or URL)."""
    path = shared_db
    for key, value in {"SITES_DB": str(path), "SITES_MODE": "shared", "SITES_LANGUAGE": "zh"}.items():
        monkeypatch.setenv(key, value)
    return path


@pytest.fixture
def deploy_shared(shared_db: Path) -> Iterator[Callable[..., Deployment]]:
    """``deploy_shared(**settings)``: a shared registry on ``tmp_path / "shared.db"`` (PostgreSQL: a fresh
    database) with its accounts."""
    from tests.security_support import deploy

    made: list[Deployment] = []
    location = shared_db

    def make(**overrides: object) -> Deployment:
        deployment = deploy(location, **overrides)
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


@pytest.fixture
def cli(capsys, monkeypatch):
    """``python -m sites|scoring ARGS --db DB`` in this process: ``cli(main, *args, db=path, lang="en")`` gives
    (exit code, stdout, stderr); SITES_USER is ``tester``."""
    monkeypatch.setenv("SITES_USER", "tester")

    def _run(main, *args: str, db: Path, lang: str = "en") -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([*args, "--db", str(db), "--lang", lang])
        out = capsys.readouterr()
        return code, out.out, out.err

    return _run
