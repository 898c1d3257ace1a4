"""SiteStore on real SQLite files: writes, audit trail, region memory, atomicity (migrations: test_database.py)."""

from __future__ import annotations

import datetime
import json
import sqlite3

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pandas.testing import assert_frame_equal

from errors import BoundaryError, ImportRejected, NotFound, RecordError
from geodata.boundaries import bundled_region
from geodata.crs import convert_point
from sites.frame import sites_frame
from sites.models import SITE_FIELDS
from sites.region import RegionSpec
from sites.store import SiteStore
from sites.validation import RawRecords
from tests.security_support import sql_connect

#: Every test here runs on SQLite and on PostgreSQL + PostGIS (tests/conftest.py, SITES_TEST_PG_URL).
pytestmark = pytest.mark.both_backends

GUICHENG, SHISHAN = "440605011000", "440605124000"
IN_GUICHENG = {"lng": 113.19298, "lat": 23.03047}
IN_SHISHAN = {"lng": 113.00610, "lat": 23.14190}


def test_new_database_is_wal_with_schema_and_bundled_region(tmp_path):
    with SiteStore(tmp_path / "new" / "sites.db") as store:
        assert store.database.schema_version("sites") == 2
        assert store.region_spec == RegionSpec()
        assert list(store.region().towns["code"]) == list(bundled_region().towns["code"])
    conn = sqlite3.connect(tmp_path / "new" / "sites.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert dict(conn.execute("SELECT key, value FROM meta").fetchall())["region.source"] == "bundled:nanhai"


def test_add_get_list_with_filters(store):
    a, warnings = store.add({"name": "书屋", "type": "职工书屋", **IN_GUICHENG}, actor="alice")
    b, _ = store.add({"name": "小屋", "type": "nursing_room", "status": "planned", **IN_SHISHAN}, actor="bob")
    assert warnings == []
    assert (a.id, a.town_code, a.status, a.created_by) == (1, GUICHENG, "open", "alice")
    assert store.get_site(b.id) == b
    assert [s.id for s in store.list_sites(types=["nursing_room"])] == [b.id]
    assert [s.id for s in store.list_sites(towns=[GUICHENG])] == [a.id]
    assert [s.id for s in store.list_sites(statuses=["open", "closed"])] == [a.id]
    assert store.list_sites(types=[]) == []


def test_add_rejects_invalid_record_and_writes_nothing(store):
    with pytest.raises(RecordError, match="名称为空.*未知的站点类型“食堂”"):
        store.add({"name": "", "type": "食堂", **IN_GUICHENG}, actor="a")
    with pytest.raises(RecordError, match="outside every loaded town"):
        try:
            store.add({"name": "x", "type": "book_room", "lng": 113.30, "lat": 23.13}, actor="a")
        except RecordError as exc:
            raise RecordError(exc.problems, lang="en") from exc
    assert store.count() == 0


def test_add_outside_allowed_stores_no_town(store):
    site, warnings = store.add({"name": "x", "type": "book_room", "lng": 113.30, "lat": 23.13}, actor="a",
                               allow_outside=True)
    assert site.town_code is None and [w.code for w in warnings] == ["sites.outside_allowed"]


def test_add_warns_on_duplicate_but_writes(store):
    store.add({"name": "书屋", "type": "book_room", **IN_GUICHENG}, actor="a")
    site, warnings = store.add({"name": "书屋", "type": "book_room", "lng": 113.19299, "lat": 23.03047}, actor="a")
    assert [w.code for w in warnings] == ["sites.duplicate_near_site"] and site.id == 2


def test_update_moves_site_reassigns_town_and_audits(store):
    site, _ = store.add({"name": "书屋", "type": "book_room", "opened_on": "2020-01-02", **IN_GUICHENG},
                        actor="alice")
    moved, _ = store.update(site.id, {"lng": 113.0113, "lat": 23.1393, "address": "博爱路"}, actor="bob",
                            crs="gcj02")
    assert moved.town_code == SHISHAN and moved.updated_by == "bob" and moved.created_by == "alice"
    assert moved.address == "博爱路" and moved.opened_on == datetime.date(2020, 1, 2)
    assert (moved.lng, moved.lat) == pytest.approx(convert_point(113.0113, 23.1393, "gcj02", "wgs84"), abs=1e-9)
    [create, update] = store.history(site.id)
    assert (create.action, create.before, create.after["name"]) == ("create", None, "书屋")
    assert update.action == "update" and update.actor == "bob"
    assert update.changes()["town_code"] == (GUICHENG, SHISHAN)
    assert update.changes()["address"] == ("", "博爱路")


def test_update_without_move_keeps_exact_position(store):
    site, _ = store.add({"name": "书屋", "type": "book_room", **IN_GUICHENG}, actor="a")
    updated, _ = store.update(site.id, {"status": "suspended"}, actor="b", crs="bd09")
    assert (updated.lng, updated.lat, updated.status) == (site.lng, site.lat, "suspended")


def test_update_with_no_real_change_is_not_audited(store):
    site, _ = store.add({"name": "书屋", "type": "book_room", **IN_GUICHENG}, actor="a")
    same, _ = store.update(site.id, {"name": "书屋"}, actor="b")
    assert same == site and len(store.history(site.id)) == 1


def test_update_validates_whole_record(store):
    site, _ = store.add({"name": "书屋", "type": "book_room", "opened_on": "2020-01-02", **IN_GUICHENG}, actor="a")
    with pytest.raises(RecordError, match="关闭日期 2019-01-01 早于开放日期 2020-01-02"):
        store.update(site.id, {"closed_on": "2019-01-01"}, actor="b")
    with pytest.raises(RecordError, match="没有要修改的字段"):
        store.update(site.id, {}, actor="b")
    with pytest.raises(ValueError, match="unknown site fields: colour"):
        store.update(site.id, {"colour": "red"}, actor="b")
    assert store.get_site(site.id) == site


def test_close_is_a_status_change_and_delete_keeps_history(store):
    site, _ = store.add({"name": "书屋", "type": "book_room", **IN_GUICHENG}, actor="a")
    closed = store.close(site.id, actor="b", closed_on=datetime.date(2024, 6, 30))
    assert (closed.status, closed.closed_on) == ("closed", datetime.date(2024, 6, 30))
    with pytest.raises(RecordError, match="已经是关闭状态"):
        store.close(site.id, actor="b")
    deleted = store.delete(site.id, actor="c")
    assert deleted == closed
    with pytest.raises(NotFound, match="没有编号为 1 的站点"):
        store.get_site(site.id)
    actions = [(e.action, e.actor) for e in store.history(site.id)]
    assert actions == [("create", "a"), ("close", "b"), ("delete", "c")]
    last = store.history(site.id)[-1]
    assert last.after is None and last.before["status"] == "closed"
    with pytest.raises(NotFound, match="there is no site with id 99"):
        try:
            store.history(99)
        except NotFound as exc:
            raise NotFound(exc.problems, lang="en") from exc


def test_import_all_or_nothing_and_skip_invalid(store):
    rows = RawRecords.one({"name": "好", "type": "book_room", **IN_GUICHENG})
    rows.frame.loc[1] = {"name": "", "type": "book_room", **IN_SHISHAN}
    rows.lines = [2, 3]
    with pytest.raises(ImportRejected, match="1 行有误，未写入任何数据.*第 3 行.*名称为空"):
        store.import_records(rows, actor="a", crs="wgs84")
    assert store.count() == 0
    report = store.import_records(rows, actor="a", crs="wgs84", skip_invalid=True, source="survey")
    assert [s.name for s in report.written] == ["好"] and report.rejected_lines == [3]
    assert store.list_sites()[0].source == "survey"
    assert [e.action for e in store.history(1)] == ["create"]


def test_failed_write_leaves_database_as_it_was(store):
    site, _ = store.add({"name": "书屋", "type": "book_room", **IN_GUICHENG}, actor="a")
    with pytest.raises(RuntimeError, match="crash"), store.database.write_transaction() as conn:
        conn.execute("UPDATE sites SET name = 'changed'")
        conn.execute("DELETE FROM audit")
        raise RuntimeError("crash mid-write")
    assert store.get_site(site.id) == site and len(store.history(site.id)) == 1


def test_region_is_remembered_and_another_is_refused(tmp_path):
    region_file = tmp_path / "two_towns.geojson"
    towns = bundled_region().towns
    towns[towns["code"].isin([GUICHENG, SHISHAN])][["code", "name", "geometry"]].to_file(region_file)
    db = tmp_path / "sites.db"
    spec = RegionSpec.file(region_file, crs="wgs84")
    with SiteStore(db, region=spec) as store:
        assert store.region_spec == spec and len(store.region().towns) == 2
        store.add({"name": "书屋", "type": "book_room", **IN_GUICHENG}, actor="a")
    with SiteStore(db) as store:  # no region asked: the remembered one
        assert store.region_spec == spec
    with pytest.raises(BoundaryError, match="set-region"):
        SiteStore(db, region=RegionSpec())


def test_set_region_reassigns_towns_and_refuses_sites_outside(tmp_path):
    db = tmp_path / "sites.db"
    with SiteStore(db) as store:
        a, _ = store.add({"name": "书屋", "type": "book_room", **IN_GUICHENG}, actor="a")
        b, _ = store.add({"name": "小屋", "type": "nursing_room", **IN_SHISHAN}, actor="a")
        # A region made of Guicheng only, under another code.
        towns = bundled_region().towns
        one = towns[towns["code"] == GUICHENG][["name", "geometry"]].assign(code="X1")
        one.to_file(tmp_path / "one.geojson")
        spec = RegionSpec.file(tmp_path / "one.geojson", crs="wgs84")
        with pytest.raises(RecordError, match="站点 #2“小屋”不在区域"):
            store.set_region(spec, actor="admin")
        assert store.region_spec == RegionSpec() and store.get_site(b.id).town_code == SHISHAN
        assert store.set_region(spec, actor="admin", allow_outside=True) == 2
        assert store.get_site(a.id).town_code == "X1" and store.get_site(b.id).town_code is None
    with SiteStore(db) as store:
        assert store.region_spec == spec
        assert store.history(a.id)[-1].changes()["town_code"] == (GUICHENG, "X1")


def test_sites_frame_has_every_field_and_point_geometry(store):
    a, _ = store.add({"name": "书屋", "type": "book_room", "opened_on": "2021-03-04", **IN_GUICHENG}, actor="a")
    frame = sites_frame(store.list_sites())
    assert isinstance(frame, gpd.GeoDataFrame) and frame.crs == "EPSG:4326"
    assert list(frame.columns) == [*SITE_FIELDS, "geometry"]
    assert frame.geometry.iloc[0].equals(shapely.Point(a.lng, a.lat))
    assert frame["opened_on"].iloc[0] == datetime.date(2021, 3, 4)
    assert len(sites_frame([])) == 0 and sites_frame([]).crs == "EPSG:4326"


def test_sites_frame_read_from_the_table_is_the_frame_of_the_sites(store):
    # the commands' read (no Site per row) gives the very frame sites_frame(list_sites()) gives: values, types of
    # the date and missing cells, order by id, dtypes
    store.add({"name": "书屋", "type": "book_room", "opened_on": "2021-03-04", "closed_on": "2024-05-06",
               "address": "桂城 1 号", **IN_GUICHENG}, actor="a")
    store.add({"name": "驿站", "type": "rest_station", "status": "planned", **IN_SHISHAN}, actor="b")
    store.add({"name": "外面", "type": "book_room", "lng": 112.5, "lat": 22.5}, actor="a", allow_outside=True)
    store.add({"name": "同日", "type": "nursing_room", "opened_on": "2021-03-04", **IN_SHISHAN}, actor="a")
    expected, got = sites_frame(store.list_sites()), store.sites_frame()
    assert_frame_equal(got, expected, check_exact=True)
    assert got.crs == expected.crs == "EPSG:4326" and list(got["id"]) == sorted(got["id"])
    for column in ("opened_on", "closed_on", "town_code"):
        assert [(type(v), v) for v in got[column]] == [(type(v), v) for v in expected[column]]
    assert got["opened_on"].iloc[3] == datetime.date(2021, 3, 4) and got["closed_on"].iloc[1] is None
    assert got["town_code"].iloc[2] is None or pd.isna(got["town_code"].iloc[2])


def test_audit_json_is_readable_and_text_kept_as_given(store):
    # markup, template text and the control characters a sheet can hold (tab, newline) are kept as typed;
    # the ones it cannot hold (ESC…) are refused at validation (tests/test_security_formulas.py)
    name = "<script>alert(1)</script>\t{{ 7*191 }}\n第二行"
    site, _ = store.add({"name": name, "type": "book_room", **IN_GUICHENG}, actor="a")
    assert store.get_site(site.id).name == name
    raw = sql_connect(store.path).execute("SELECT after FROM audit").fetchone()[0]
    assert json.loads(raw)["name"] == name


def test_validate_previews_without_writing(store):
    store.add({"name": "书屋", "type": "book_room", **IN_GUICHENG}, actor="a")
    preview = store.validate(RawRecords.one({"name": "书屋", "type": "book_room", **IN_GUICHENG}), crs="wgs84")
    assert [p.code for p in preview.errors] == ["sites.duplicate_near_site"]
    allowed = store.validate(RawRecords.one({"name": "书屋", "type": "book_room", **IN_GUICHENG}), crs="wgs84",
                             allow_duplicates=True, exclude_id=None)
    assert [p.level for p in allowed.problems] == ["warning"] and len(allowed.drafts) == 1
    own = store.validate(RawRecords.one({"name": "书屋", "type": "book_room", **IN_GUICHENG}), crs="wgs84",
                         exclude_id=1)
    assert own.problems == [] and store.count() == 1
