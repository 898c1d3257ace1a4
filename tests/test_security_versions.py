"""Attack suite, lost updates (issue 10, finding 3): every site and target carries a version that every
write bumps, and a write based on an older version is refused, saying what changed since, by whom and when.

The scenario of the finding: staff A opens a site in the form (version 1); B changes its notes and status
(version 2); A saves a rename based on version 1. Before, B's change was silently reverted; now A's save is
refused with :class:`errors.StaleEdit`, nothing is written, and A can reload the current values.
All on real SQLite files; the race runs real processes against one file.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cli.scoring import main as scoring_main
from cli.sites import main as sites_main
from errors import StaleEdit
from sites.store import SITE_MIGRATIONS, SiteStore
from targets.store import TargetStore
from tests.security_support import IN_DALI, IN_GUICHENG, snapshot, sql_connect

#: Every test here runs on SQLite and on PostgreSQL + PostGIS (tests/conftest.py, SITES_TEST_PG_URL).
pytestmark = pytest.mark.both_backends

APP = str(Path(__file__).resolve().parent.parent / "app.py")
ROUNDS, RACERS = 4, 3


def _book_room(store: SiteStore, name: str = "桂城职工书屋", where: dict | None = None) -> int:
    site, _ = store.add({"name": name, "type": "book_room", "notes": "A 的备注", **(where or IN_GUICHENG)},
                        actor="seed")
    return site.id


def _target_rows(db: Path) -> tuple[list[tuple], list[tuple]]:
    conn = sql_connect(db)
    try:
        return (conn.execute("SELECT * FROM targets ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM audit WHERE kind = 'target' ORDER BY id").fetchall())
    finally:
        conn.close()


# ------------------------------------------------------------------ the finding, through the store


def test_a_stale_rename_no_longer_reverts_another_users_notes_and_status(db, store):
    site_id = _book_room(store)
    loaded = store.get_site(site_id)  # A opens the form
    assert loaded.version == 1
    b_site, _ = store.update(site_id, {"notes": "B：周末闭馆维修", "status": "suspended"}, actor="B")
    assert b_site.version == 2
    before = snapshot(db)

    with pytest.raises(StaleEdit, match=r"站点 #\d+ 在您载入的第 1 版之后已被修改（现为第 2 版）") as refused:
        store.update(site_id, {"name": "桂城街道职工书屋"}, actor="A", if_version=loaded.version)

    assert snapshot(db) == before  # nothing written, no audit row
    stored = store.get_site(site_id)
    assert (stored.name, stored.notes, stored.status, stored.version) == (
        "桂城职工书屋", "B：周末闭馆维修", "suspended", 2)
    assert refused.value.current_version == 2
    english = refused.value.message("en")
    assert "version 2: B changed status, notes at " in english and english.endswith(" (UTC+08:00)")  # the timezone setting
    assert "第 2 版：B 于 " in refused.value.message("zh")


def test_the_right_version_writes_and_every_write_bumps_it(db, store):
    site_id = _book_room(store)
    renamed, _ = store.update(site_id, {"name": "桂城街道职工书屋"}, actor="A", if_version=1)
    assert renamed.version == 2
    same, _ = store.update(site_id, {"name": "桂城街道职工书屋"}, actor="A", if_version=2)
    assert same.version == 2  # nothing changed: no write, no bump
    closed = store.close(site_id, actor="A", if_version=2)
    assert (closed.status, closed.version) == ("closed", 3)
    with pytest.raises(StaleEdit, match="第 3 版：A 于 .* 关闭了站点（修改了 状态、关闭日期）"):
        store.delete(site_id, actor="A", if_version=2)
    assert store.get_site(site_id).version == 3
    store.delete(site_id, actor="A", if_version=3)
    history = store.history(site_id)
    assert [(e.action, e.version) for e in history] == [("create", 1), ("update", 2), ("close", 3), ("delete", 4)]
    assert [e.before["version"] for e in history[1:]] == [1, 2, 3]


def test_a_stale_close_and_delete_are_refused_too(db, store):
    site_id = _book_room(store)
    store.update(site_id, {"address": "南海大道"}, actor="B")
    before = snapshot(db)
    with pytest.raises(StaleEdit, match="B 于 .* 修改了 地址"):
        store.close(site_id, actor="A", if_version=1)
    with pytest.raises(StaleEdit, match="第 2 版：B 于 .* 修改了 地址"):
        store.delete(site_id, actor="A", if_version=1)
    assert snapshot(db) == before


def test_region_change_bumps_the_version_of_each_site_it_moves(db, store, tmp_path):
    from sites.region import RegionSpec

    site_id = _book_room(store)
    boundary = tmp_path / "one_town.geojson"
    lng, lat = IN_GUICHENG["lng"], IN_GUICHENG["lat"]
    ring = [[lng - 0.05, lat - 0.05], [lng + 0.05, lat - 0.05], [lng + 0.05, lat + 0.05], [lng - 0.05, lat + 0.05],
            [lng - 0.05, lat - 0.05]]
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "一镇", "code": "X1"},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]}), encoding="utf-8")
    assert store.set_region(RegionSpec.file(boundary, crs="wgs84"), actor="admin") == 1
    moved = store.get_site(site_id)
    assert (moved.town_code, moved.version) == ("X1", 2)
    with pytest.raises(StaleEdit, match="第 2 版：admin 于 .* 修改了 所在镇街"):
        store.update(site_id, {"notes": "x"}, actor="A", if_version=1)


@pytest.mark.sqlite_only  # a SQLite file of the previous release
def test_sites_of_an_older_database_start_at_version_1(db):
    conn = sqlite3.connect(db)  # a registry as the previous release made it: schema version 1, one site
    conn.execute("CREATE TABLE schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    for statement in SITE_MIGRATIONS[0].statements:
        conn.execute(statement)
    conn.execute("INSERT INTO schema_version VALUES ('sites', 1)")
    conn.execute("INSERT INTO sites (name, type, status, lng, lat, town_code, created_by, created_at, updated_by, "
                 "updated_at) VALUES ('旧书屋', 'book_room', 'open', ?, ?, '440605011000', 'old', "
                 "'2024-01-01T00:00:00.000Z', 'old', '2024-01-01T00:00:00.000Z')",
                 (IN_GUICHENG["lng"], IN_GUICHENG["lat"]))
    conn.commit()
    conn.close()
    with SiteStore(db) as store:
        assert store.database.schema_version("sites") == 2
        assert store.get_site(1).version == 1
        updated, _ = store.update(1, {"notes": "迁移后第一次修改"}, actor="A", if_version=1)
        assert updated.version == 2
        with pytest.raises(StaleEdit, match="第 2 版：A 于 .* 修改了 备注"):
            store.update(1, {"name": "x"}, actor="B", if_version=1)


# ------------------------------------------------------------------ the command line


def test_cli_if_version_writes_at_the_right_version_and_refuses_a_stale_one(db, store, capsys):
    site_id = _book_room(store)
    assert sites_main(["list", "--db", str(db), "--format", "json"]) == 0
    assert [row["version"] for row in json.loads(capsys.readouterr().out)] == [1]

    code = sites_main(["update", str(site_id), "--db", str(db), "--user", "B", "--notes", "B：周末闭馆",
                       "--status", "suspended", "--if-version", "1"])
    assert code == 0
    assert store.get_site(site_id).version == 2
    capsys.readouterr()
    before = snapshot(db)

    code = sites_main(["update", str(site_id), "--db", str(db), "--user", "A", "--name", "改名",
                       "--if-version", "1", "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"not saved: site #{site_id} was changed after version 1" in err
    assert "version 2: B changed status, notes at " in err
    assert snapshot(db) == before

    for command in (["close"], ["delete"]):
        assert sites_main([*command, str(site_id), "--db", str(db), "--user", "A", "--if-version", "1"]) == 2
        assert "第 2 版：B 于 " in capsys.readouterr().err
    assert snapshot(db) == before

    assert sites_main(["list", "--db", str(db), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0].split(",")
    assert header[-1] == "version" and lines[1].split(",")[-1] == "2"
    assert sites_main(["close", str(site_id), "--db", str(db), "--user", "A", "--if-version", "2"]) == 0
    assert store.get_site(site_id).version == 3


def test_target_update_if_version_through_the_store_and_the_cli(db, store, capsys):
    targets = TargetStore(store)
    palace = targets.list_targets()[0]
    assert palace.version == 1
    changed = targets.update(palace.id, {"notes": "B：改为2026年底", "deadline": "2026-12-31"}, actor="B",
                             if_version=1)
    assert changed.version == 2
    before = _target_rows(db)

    with pytest.raises(StaleEdit, match=r"目标 #1 在您载入的第 1 版之后已被修改（现为第 2 版）") as refused:
        targets.update(palace.id, {"name": "改名"}, actor="A", if_version=1)
    assert "version 2: B changed deadline, notes at " in refused.value.message("en")
    with pytest.raises(StaleEdit):
        targets.delete(palace.id, actor="A", if_version=1)
    assert _target_rows(db) == before

    code = scoring_main(["target-update", str(palace.id), "--db", str(db), "--user", "A", "--name", "改名",
                         "--if-version", "1"])
    assert code == 2
    assert "第 2 版：B 于 " in capsys.readouterr().err and _target_rows(db) == before

    code = scoring_main(["target-update", str(palace.id), "--db", str(db), "--user", "A", "--name", "改名",
                         "--if-version", "2"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["version"] == 3
    kept = targets.get_target(palace.id)
    assert (kept.name, kept.notes, kept.version) == ("改名", "B：改为2026年底", 3)
    assert [e.version for e in targets.history(palace.id)] == [0, 2, 3]  # the seed predates versions


# ------------------------------------------------------------------ the race


def _race(db: str, kind: str, record_id: int, me: str, barrier, results) -> None:
    """One writer: at each round, all writers try the same version at once (the version after the last round)."""
    with SiteStore(db) as store:
        targets = TargetStore(store) if kind == "target" else None
        for round_no in range(ROUNDS):
            barrier.wait(timeout=60)
            expected = 1 + round_no
            try:
                if targets is not None:
                    targets.update(record_id, {"notes": f"{me} r{round_no}"}, actor=me, if_version=expected)
                else:
                    store.update(record_id, {"notes": f"{me} r{round_no}"}, actor=me, if_version=expected)
                results.put((round_no, me, "written"))
            except StaleEdit:
                results.put((round_no, me, "stale"))
            except Exception as exc:  # reported, so the test says what went wrong
                results.put((round_no, me, repr(exc)))


@pytest.mark.parametrize("kind", ["site", "target"])
def test_writers_racing_with_the_same_version_exactly_one_lands(db, store, kind):
    if kind == "site":
        record_id = _book_room(store)
    else:
        targets = TargetStore(store)
        record_id = targets.add({"name": "赛跑目标", "site_type": "book_room", "scope": "region",
                                 "measure": "site_count", "threshold": 1, "deadline": "2026-12-31"},
                                actor="seed").id
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(RACERS), ctx.Queue()
    racers = [ctx.Process(target=_race, args=(str(db), kind, record_id, f"writer{i}", barrier, results))
              for i in range(RACERS)]
    for p in racers:
        p.start()
    outcomes = [results.get(timeout=120) for _ in range(ROUNDS * RACERS)]
    for p in racers:
        p.join(timeout=60)
        assert p.exitcode == 0
    for round_no in range(ROUNDS):
        this_round = sorted(o for r, _, o in outcomes if r == round_no)
        assert this_round == ["stale"] * (RACERS - 1) + ["written"], outcomes

    history = store.history(record_id) if kind == "site" else TargetStore(store).history(record_id)
    assert [e.version for e in history] == list(range(1, ROUNDS + 2))  # consecutive, none skipped or doubled
    assert all(e.before["version"] == e.version - 1 for e in history[1:])
    winners = [me for r, me, o in sorted(outcomes) if o == "written"]
    assert [e.actor for e in history[1:]] == winners


# ------------------------------------------------------------------ the app


@pytest.fixture
def app_db(app_db, monkeypatch) -> Path:
    """conftest's ``app_db`` (the same file as ``db`` and ``store``), used by staff A."""
    monkeypatch.setenv("SITES_USER", "staff-A")
    return app_db


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_edit_form_refuses_a_stale_save_and_reloads_the_current_values(app_db):
    with SiteStore(app_db) as store:
        site_id = _book_room(store, "大沥职工书屋", IN_DALI)
    at = _open("app_pages/sites_page.py")
    at.radio(key="sites_mode_zh").set_value("edit").run()
    assert at.selectbox(key="edit_pick").value == site_id
    assert at.text_input(key="edit_name").value == "大沥职工书屋"

    with SiteStore(app_db) as store:  # B, behind the form's back
        store.update(site_id, {"notes": "B：周末闭馆维修", "status": "suspended"}, actor="B")
    before = snapshot(app_db)
    at.text_input(key="edit_name").set_value("大沥街道职工书屋")
    at.button(key="edit_save").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "未保存" in errors and "第 1 版之后已被修改" in errors
    assert "B 于 " in errors and "修改了 状态、备注" in errors
    assert snapshot(app_db) == before
    assert at.text_input(key="edit_name").value == "大沥街道职工书屋"  # the draft is still there to read

    at.button(key="edit_reload").click().run()
    assert not at.exception
    assert at.text_input(key="edit_name").value == "大沥职工书屋"
    assert at.text_area(key="edit_notes").value == "B：周末闭馆维修"
    assert at.radio(key="edit_status_zh").value == "suspended"
    assert any("第 2 版" in i.value and "未保存的修改已放弃" in i.value for i in at.info)

    at.text_input(key="edit_name").set_value("大沥街道职工书屋")
    at.button(key="edit_save").click().run()
    assert not at.exception
    assert any("已更新站点" in s.value for s in at.success)
    with SiteStore(app_db) as store:
        stored = store.get_site(site_id)
        assert (stored.name, stored.notes, stored.status, stored.version) == (
            "大沥街道职工书屋", "B：周末闭馆维修", "suspended", 3)
        assert [e.actor for e in store.history(site_id)] == ["seed", "B", "staff-A"]


def test_close_button_refuses_a_stale_close(app_db):
    with SiteStore(app_db) as store:
        site_id = _book_room(store, "大沥职工书屋", IN_DALI)
    at = _open("app_pages/sites_page.py")
    at.radio(key="sites_mode_zh").set_value("edit").run()
    with SiteStore(app_db) as store:
        store.update(site_id, {"status": "suspended"}, actor="B")
    before = snapshot(app_db)
    at.button(key="edit_close").click().run()
    assert not at.exception
    assert any("第 2 版：B 于 " in e.value for e in at.error)
    assert snapshot(app_db) == before
    at.button(key="edit_reload").click().run()
    at.button(key="edit_close").click().run()
    with SiteStore(app_db) as store:
        assert (store.get_site(site_id).status, store.get_site(site_id).version) == ("closed", 3)


def test_targets_editor_refuses_a_stale_save_and_reloads(app_db):
    with SiteStore(app_db) as store:
        palace = TargetStore(store).list_targets()[0]
    at = _open("app_pages/targets_page.py")
    at.selectbox(key="target_pick").set_value(palace.id).run()
    assert at.text_input(key="target_name").value == palace.name

    with SiteStore(app_db) as store:
        TargetStore(store).update(palace.id, {"notes": "B：改为2026年底"}, actor="B")
    before = _target_rows(app_db)
    at.text_input(key="target_name").set_value("改名的目标")
    at.button(key="target_save").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert f"目标 \\#{palace.id} 在您载入的第 1 版之后已被修改" in errors  # markdown-escaped as shown
    assert "第 2 版：B 于 " in errors and "修改了 备注" in errors
    assert _target_rows(app_db) == before

    at.button(key="target_reload").click().run()
    assert not at.exception
    assert at.text_input(key="target_name").value == palace.name
    assert at.text_area(key="target_notes").value == "B：改为2026年底"
    at.text_input(key="target_name").set_value("改名的目标")
    at.button(key="target_save").click().run()
    with SiteStore(app_db) as store:
        saved = TargetStore(store).get_target(palace.id)
        assert (saved.name, saved.notes, saved.version) == ("改名的目标", "B：改为2026年底", 3)
