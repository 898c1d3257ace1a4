"""Issue 10, findings 4, 7 (SQLite), 8 and 9 on real SQLite files: lockout race and enumeration, the
database remembering it is shared, missing/foreign/damaged/URL databases refused before any write, and
reads that never wait on another session's write."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from accounts.store import AccountStore
from cli.sites import main as sites_main
from errors import AccessDenied, DatabaseError
from settings import Settings
from sites.store import SiteStore
from tests.security_support import IN_DALI, PASSWORDS, Clock, snapshot, sql_connect

#: Every test here runs on SQLite and on PostgreSQL + PostGIS (tests/conftest.py, SITES_TEST_PG_URL).
pytestmark = pytest.mark.both_backends

LIMIT = 5


@pytest.fixture
def dep(deploy_shared):
    return deploy_shared(lockout_attempts=LIMIT, lockout_minutes=10)


def sign_in_events(db: Path, name: str) -> list[tuple[str, str, str]]:
    conn = sql_connect(db)
    try:
        return conn.execute("SELECT action, outcome, detail FROM security_log WHERE actor = ? AND id > "
                            "(SELECT coalesce(max(id), 0) FROM security_log WHERE actor = ? AND outcome = 'ok' "
                            "AND action = 'sign_in') ORDER BY id", (name, name)).fetchall()
    finally:
        conn.close()


# ------------------------------------------------------------------- finding 4: lockout race, enumeration

def test_twelve_parallel_wrong_passwords_check_at_most_the_limit_then_the_right_one_is_refused(dep):
    barrier = threading.Barrier(12)
    outcomes: list[str] = []

    def attempt(i: int) -> None:
        with SiteStore(dep.db, settings=dep.settings) as store:  # its own connections, like another process
            accounts = AccountStore(store)
            barrier.wait()
            try:
                accounts.authenticate("gc_editor", f"wrong-password-{i}")
            except AccessDenied as exc:
                outcomes.append(exc.problems[0].code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["access.bad_credentials"] * LIMIT + ["access.locked"] * (12 - LIMIT)
    checked = [e for e in sign_in_events(dep.db, "gc_editor") if e[2] == "access.bad_credentials"]
    assert len(checked) == LIMIT  # passwords verified: exactly the limit, not 11 or 12
    assert dep.accounts.get("gc_editor").locked_until is not None
    with pytest.raises(AccessDenied) as refused:
        dep.accounts.authenticate("gc_editor", PASSWORDS["gc_editor"])
    assert refused.value.problems[0].code == "access.locked"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_locked_account_and_an_unknown_name_get_the_same_messages(dep, lang):
    accounts = AccountStore(dep.store, clock=Clock())
    seen: dict[str, list[tuple[str, str]]] = {}
    for name in ("gc_editor", "no_such_user"):
        seen[name] = []
        for attempt in range(LIMIT + 2):
            with pytest.raises(AccessDenied) as refused:
                accounts.authenticate(name, f"wrong-{attempt}")
            problem = refused.value.problems[0]
            seen[name].append((problem.code, refused.value.message(lang)))
    assert seen["gc_editor"] == seen["no_such_user"]
    assert [code for code, _ in seen["gc_editor"]] == ["access.bad_credentials"] * LIMIT + ["access.locked"] * 2
    # and the right password of the locked account still gets the locked message
    with pytest.raises(AccessDenied) as refused:
        accounts.authenticate("gc_editor", PASSWORDS["gc_editor"])
    assert refused.value.message(lang) == seen["no_such_user"][-1][1]


def test_an_unknown_name_costs_one_argon2_verification_like_an_account(dep):
    def timed(name: str) -> float:
        start = time.perf_counter()
        with pytest.raises(AccessDenied):
            dep.accounts.authenticate(name, "wrong-password")
        return time.perf_counter() - start

    known = min(timed("viewer") for _ in range(2))
    unknown = min(timed(f"ghost{i}") for i in range(2))
    assert 0.5 < unknown / known < 2.0


# ------------------------------------------------------------------- finding 8: the database remembers its mode

def test_local_mode_on_a_database_with_accounts_writes_nothing_and_says_how_to_sign_in(dep, tmp_path,
                                                                                        monkeypatch, capsys):
    before = snapshot(dep.db)
    local = SiteStore(dep.db, settings=Settings(mode="local", db=dep.db))
    with pytest.raises(AccessDenied, match="SITES_MODE=shared"):
        local.add({"name": "冒名书屋", "type": "book_room", **IN_DALI}, actor="root")
    local.close_connection()
    monkeypatch.setenv("SITES_MODE", "local")
    code = sites_main(["add", "--db", str(dep.db), "--user", "root", "--name", "冒名书屋", "--type", "book_room",
                       "--lng", str(IN_DALI["lng"]), "--lat", str(IN_DALI["lat"]), "--crs", "wgs84", "--lang", "en"])
    assert code == 2
    assert "set SITES_MODE=shared and give --user NAME" in capsys.readouterr().err
    assert sites_main(["user", "add", "mallory", "--role", "admin", "--db", str(dep.db), "--password-stdin"]) == 2
    assert snapshot(dep.db) == before
    assert [a.username for a in dep.accounts.list_accounts()] == ["gc_editor", "root", "viewer"]
    # reading stays possible in local mode
    assert sites_main(["list", "--db", str(dep.db)]) == 0


def test_a_read_of_a_missing_database_says_so_and_creates_nothing(tmp_path, capsys):
    db = tmp_path / "typo" / "sitse.db"
    for argv in (["list"], ["export", str(tmp_path / "out.csv")], ["history", "1"], ["user", "list"]):
        assert sites_main([*argv, "--db", str(db), "--lang", "en"]) == 2
        assert f"the database file {db} does not exist" in capsys.readouterr().err
    from cli.scoring import main as scoring_main

    assert scoring_main(["coverage", "--db", str(db), "--format", "json"]) == 2
    assert "不存在" in capsys.readouterr().err
    assert not db.exists() and not db.parent.exists()
    with pytest.raises(DatabaseError, match="python -m sites init"):
        SiteStore(db, create=False)
    assert not db.parent.exists()


def test_init_and_a_first_write_make_the_database_and_say_where(tmp_path, capsys):
    db = tmp_path / "new" / "sites.db"
    assert sites_main(["init", "--db", str(db), "--lang", "en"]) == 0
    assert f"created a new database: {db}" in capsys.readouterr().err
    assert db.exists()
    assert sites_main(["init", "--db", str(db), "--lang", "en"]) == 0
    assert "already exists" in capsys.readouterr().out
    other = tmp_path / "other.db"
    assert sites_main(["add", "--db", str(other), "--name", "书屋", "--type", "book_room", "--lng",
                       str(IN_DALI["lng"]), "--lat", str(IN_DALI["lat"]), "--crs", "wgs84"]) == 0
    assert f"已新建数据库：{other}" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["postgresql://planner:s3cret@127.0.0.1:1/sites", "postgres://127.0.0.1:1/sites"])
def test_an_unreachable_server_is_named_clearly_and_creates_nothing(tmp_path, monkeypatch, capsys, url):
    monkeypatch.chdir(tmp_path)
    assert sites_main(["list", "--db", url, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach the database server" in err and "s3cret" not in err and "Traceback" not in err
    monkeypatch.setenv("SITES_DB", url)
    assert sites_main(["seed-demo", "--lang", "zh"]) == 2
    assert "无法连接数据库服务器" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # never a SQLite file under a folder named "postgresql:"


def test_another_database_url_is_refused_clearly_and_creates_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert sites_main(["list", "--db", "sqlite:///x.db", "--lang", "en"]) == 2
    assert "only PostgreSQL (postgresql://…) is supported" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------- finding 7: foreign, text, damaged files

def _foreign(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customers (name) VALUES ('王五')")
    conn.commit()
    conn.close()
    return path


def _state(path: Path) -> tuple[bytes, int, list[str]]:
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


@pytest.mark.parametrize("kind", ["foreign", "text", "damaged"])
def test_a_foreign_text_or_damaged_file_is_refused_before_anything_is_written(tmp_path, capsys, kind):
    db = tmp_path / "data.db"
    if kind == "foreign":
        _foreign(db)
    elif kind == "text":
        db.write_text("name,type\n书屋,book_room\n", encoding="utf-8")
    else:
        db.write_bytes(b"SQLite format 3\x00" + os.urandom(3000))
    before = _state(db)
    time.sleep(0.01)
    for argv in (["list"], ["init"], ["add", "--name", "书屋", "--type", "book_room", "--lng", "113.14546",
                                      "--lat", "23.11835", "--crs", "wgs84"]):
        assert sites_main([*argv, "--db", str(db), "--lang", "en"]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert {"foreign": "another program's SQLite database (tables: customers)",
                "text": "is not a SQLite database file", "damaged": "is damaged"}[kind] in err
        assert "left untouched" in err
    assert _state(db) == before
    if kind == "foreign":
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["customers"]
        conn.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_a_read_only_database_is_refused_clearly(tmp_path, capsys):
    db = tmp_path / "ro.db"
    SiteStore(db).close_connection()
    db.chmod(0o444)
    try:
        assert sites_main(["list", "--db", str(db), "--lang", "en"]) == 2
        assert "cannot be written" in capsys.readouterr().err
    finally:
        db.chmod(0o644)


# ------------------------------------------------------------------- finding 9: reads never wait on a write

HOLD_S = 3.0


def _hold_write_lock(db: Path, started: threading.Event) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO meta (key, value) VALUES ('held', 'yes')")
    started.set()
    time.sleep(HOLD_S)
    conn.execute("ROLLBACK")
    conn.close()


def test_a_read_does_not_wait_for_another_process_write_transaction(tmp_path):
    db = tmp_path / "busy.db"
    store = SiteStore(db)
    store.add({"name": "书屋", "type": "book_room", **IN_DALI}, actor="alice")
    started = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(db, started))
    holder.start()
    started.wait()
    took: list[float] = []

    def read() -> None:
        start = time.perf_counter()
        assert [s.name for s in store.list_sites()] == ["书屋"]
        assert store.revision() > 0
        took.append(time.perf_counter() - start)

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    assert took and took[0] < 0.5
    # and opening another store (another CLI command) does not wait either
    start = time.perf_counter()
    SiteStore(db, create=False).close_connection()
    assert time.perf_counter() - start < 0.5
    holder.join()
    store.close_connection()


def test_one_session_reads_while_another_session_write_waits_on_the_same_store(tmp_path):
    """The app's case: one store shared by sessions; a save waits on a CLI import; a read goes on."""
    db = tmp_path / "app.db"
    store = SiteStore(db)
    store.add({"name": "书屋", "type": "book_room", **IN_DALI}, actor="alice")
    started = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(db, started))
    holder.start()
    started.wait()
    saver = threading.Thread(target=lambda: store.add({"name": "新书屋", "type": "book_room", "lng": 113.19298,
                                                       "lat": 23.03047}, actor="bob"))
    saver.start()  # waits for the lock held by "the import"
    time.sleep(0.2)
    start = time.perf_counter()
    assert [s.name for s in store.list_sites()] == ["书屋"]
    assert time.perf_counter() - start < 0.5
    holder.join()
    saver.join()
    assert [s.name for s in store.list_sites()] == ["书屋", "新书屋"]
    store.close_connection()


# ------------------------------------------------------------------- the app: first start, mode, unusable files

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _app(monkeypatch, db: str, mode: str = "local"):
    from streamlit.testing.v1 import AppTest

    for key, value in {"SITES_DB": db, "SITES_MODE": mode, "SITES_LANGUAGE": "zh"}.items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def test_the_app_first_start_makes_the_database_and_says_where_once(monkeypatch, tmp_path):
    db = tmp_path / "first" / "sites.db"
    at = _app(monkeypatch, str(db))
    assert db.exists()
    assert any("已新建数据库" in i.value and "first" in i.value for i in at.sidebar.info)
    body = [type(e).__name__ for e in at.main]
    at.run()
    # the notice stays in the sidebar for this session, so nothing in the page body moves (the map is not remounted)
    assert any("已新建数据库" in i.value for i in at.sidebar.info)
    assert [type(e).__name__ for e in at.main] == body
    again = _app(monkeypatch, str(db))  # a later session of an existing database is told nothing
    assert not any("已新建数据库" in i.value for i in again.info)


def test_the_app_in_local_mode_refuses_a_database_with_accounts(monkeypatch, dep):
    before = snapshot(dep.db)
    at = _app(monkeypatch, str(dep.db), mode="local")
    assert any("SITES\\_MODE\\=shared" in e.value for e in at.error)  # markdown-escaped
    assert not at.header  # no page ran
    assert snapshot(dep.db) == before


@pytest.mark.parametrize("what", ["url", "foreign"])
def test_the_app_refuses_an_unreachable_server_or_a_foreign_file_with_a_message(monkeypatch, tmp_path, what):
    db = "postgresql://planner:s3cret@127.0.0.1:1/sites" if what == "url" else str(_foreign(tmp_path / "crm.db"))
    at = _app(monkeypatch, db)
    words = ("无法连接数据库服务器", "cannot reach the database server") if what == "url" else ("customers",)
    assert any(w in e.value for e in at.error for w in words)
    assert not any("s3cret" in e.value for e in at.error)
    assert not at.header
