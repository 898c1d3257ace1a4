"""Validation of site records against the bundled Nanhai towns, with known answers."""

from __future__ import annotations

import datetime

import pandas as pd
import pyproj
import pytest
import shapely

from geodata.crs import convert_point
from sites.models import Site, status_lookup, type_lookup
from sites.region import RegionSpec, town_index
from sites.validation import RawRecords, parse_date, validate_records

GUICHENG, DALI, SHISHAN = "440605011000", "440605125000", "440605124000"
# A WGS84 point well inside Guicheng, and one well inside Shishan.
IN_GUICHENG = (113.19298, 23.03047)
IN_SHISHAN = (113.00610, 23.14190)


@pytest.fixture(scope="module")
def towns():
    return town_index(RegionSpec())


def records(rows: list[dict], *, lines: list[int] | None = None) -> RawRecords:
    lines = lines or list(range(2, len(rows) + 2))
    headers = {"lng": "经度", "lat": "纬度"}
    return RawRecords(pd.DataFrame(rows, dtype=object), lines, "sites.csv", headers)


def row(name="测试站点", type="book_room", lng=IN_GUICHENG[0], lat=IN_GUICHENG[1], **extra) -> dict:
    return {"name": name, "type": type, "lng": lng, "lat": lat, **extra}


def site(id: int, name: str, type: str, lng: float, lat: float, town: str | None = GUICHENG) -> Site:
    return Site(id=id, name=name, type=type, status="open", lng=lng, lat=lat, town_code=town)


def test_valid_record_gets_town_and_defaults(towns):
    result = validate_records(records([row(status="在建", opened_on="2021/5/1")]), crs="wgs84", towns=towns,
                              default_source="survey")
    assert result.problems == [] and result.rejected == []
    draft = result.drafts[0]
    assert (draft.type, draft.status, draft.town_code, draft.source, draft.row) == (
        "book_room", "under_construction", GUICHENG, "survey", 2)
    assert draft.opened_on == datetime.date(2021, 5, 1)
    assert (draft.lng, draft.lat) == IN_GUICHENG


def test_gcj02_input_is_stored_as_wgs84(towns):
    g_lng, g_lat = convert_point(*IN_SHISHAN, "wgs84", "gcj02")
    draft = validate_records(records([row(lng=g_lng, lat=g_lat)]), crs="gcj02", towns=towns).drafts[0]
    assert draft.lng == pytest.approx(IN_SHISHAN[0], abs=1e-8)
    assert draft.lat == pytest.approx(IN_SHISHAN[1], abs=1e-8)
    assert draft.town_code == SHISHAN


def test_chinese_and_english_names_of_types_and_statuses():
    types, statuses = type_lookup(), status_lookup()
    assert types["职工书屋"] == "book_room" and types["worker book room"] == "book_room"
    assert types["爱心妈妈小屋"] == "nursing_room" and types["文化宫"] == "cultural_palace"
    assert statuses["规划中"] == "planned" and statuses["under construction"] == "under_construction"
    assert statuses["关闭"] == "closed"


def test_every_problem_of_a_record_at_once(towns):
    bad = row(name=" ", type="食堂", lng="abc", lat=23.0, status="半开", opened_on="2021-02-30")
    result = validate_records(records([bad]), crs="wgs84", towns=towns)
    codes = {(p.code, p.field) for p in result.problems}
    assert codes == {("sites.name_missing", "name"), ("sites.type_unknown", "type"),
                     ("sites.status_unknown", "status"), ("sites.not_number", "经度"),
                     ("sites.date_bad", "opened_on")}
    assert result.rejected == [0] and result.drafts == []
    assert all(p.row == 2 and p.file == "sites.csv" for p in result.problems)


def test_messages_in_chinese_and_english(towns):
    result = validate_records(records([row(type="食堂")]), crs="wgs84", towns=towns)
    problem = result.problems[0]
    assert problem.message("zh").startswith("文件 sites.csv，第 2 行，字段“type”：未知的站点类型“食堂”")
    assert problem.message("en").startswith("file sites.csv, line 2, field 'type': unknown site type '食堂'")


def test_swapped_coordinates_are_detected(towns):
    result = validate_records(records([row(lng=IN_GUICHENG[1], lat=IN_GUICHENG[0])]), crs="wgs84", towns=towns)
    [problem] = result.problems
    assert problem.code == "sites.swapped" and problem.field == "经度/纬度"
    assert "经纬度似乎填反了" in problem.message("zh") and "桂城街道" in problem.message("zh")
    assert "look swapped" in problem.message("en") and "Guicheng Subdistrict" in problem.message("en")


@pytest.mark.parametrize(("lng", "lat", "code"), [(113.1, 95, "sites.lat_range"), (200, 23, "sites.lng_range")])
def test_out_of_range_coordinates(towns, lng, lat, code):
    [problem] = validate_records(records([row(lng=lng, lat=lat)]), crs="wgs84", towns=towns).problems
    assert problem.code == code


def test_missing_coordinates(towns):
    problems = validate_records(records([row(lng=None, lat="")]), crs="wgs84", towns=towns).problems
    assert [p.code for p in problems] == ["sites.lng_missing", "sites.lat_missing"]


def test_point_outside_every_town_says_how_far(towns):
    # Tianhe, Guangzhou: about 9.5 km east of Dali.
    result = validate_records(records([row(lng=113.30, lat=23.13)]), crs="wgs84", towns=towns)
    [problem] = result.problems
    assert problem.code == "sites.outside" and problem.level == "error"
    assert problem.params["km"] == "9.5" and problem.params["town"] == "大沥镇"
    assert "不在任何已加载的镇街内" in problem.message("zh")
    assert "outside every loaded town, 9.5 km from the nearest, Dali Town" in problem.message("en")


def test_outside_allowed_is_a_warning_without_town(towns):
    result = validate_records(records([row(lng=113.30, lat=23.13)]), crs="wgs84", towns=towns, allow_outside=True)
    assert [p.level for p in result.problems] == ["warning"]
    assert result.drafts[0].town_code is None


def test_outside_hints_at_the_right_coordinate_system(towns):
    # A point just inside Guicheng's western border, given in GCJ-02 but declared WGS84,
    # lies ~500 m off: outside; read as GCJ-02 it is inside.
    towns_frame = towns.region.towns.set_index("code")
    border = towns_frame.geometry[GUICHENG]
    inside = None
    for lng in [x / 10000 for x in range(1130000, 1133000, 5)]:
        w_lng, w_lat = lng, 23.0
        if not border.contains(shapely.Point(w_lng, w_lat)):
            continue
        g = convert_point(w_lng, w_lat, "wgs84", "gcj02")
        if towns.assign([g[0]], [g[1]])[0] is None:
            inside = g
            break
    if inside is None:
        pytest.skip("no border point whose GCJ-02 shift leaves the region")
    [problem] = validate_records(records([row(lng=inside[0], lat=inside[1])]), crs="wgs84", towns=towns).problems
    assert problem.code == "sites.outside_hint" and problem.params["other_crs"] == "GCJ-02"
    assert "请检查坐标系" in problem.message("zh")


def test_dates_parse_or_fail_and_closed_before_opened(towns):
    assert parse_date("2020年3月1日") == datetime.date(2020, 3, 1)
    assert parse_date("2020-03-01 00:00:00") == datetime.date(2020, 3, 1)
    assert parse_date(datetime.datetime(2020, 3, 1, 9)) == datetime.date(2020, 3, 1)
    assert parse_date("3/1/2020") is None
    [problem] = validate_records(records([row(opened_on="2022-01-01", closed_on="2021-12-31")]), crs="wgs84",
                                 towns=towns).problems
    assert problem.code == "sites.closed_before_opened" and problem.field == "closed_on"
    assert "2021-12-31" in problem.message("en")


def test_duplicate_of_existing_site_within_30_m(towns):
    x, y = towns.to_metric(*IN_GUICHENG)
    # 20 m north (and 40 m south), back to WGS84 through the region's UTM zone.
    back = pyproj.Transformer.from_crs(towns.metric_crs, "EPSG:4326", always_xy=True)
    lng20, lat20 = back.transform(x, y + 20)
    lng40, lat40 = back.transform(x, y - 40)
    existing = [site(7, "甲书屋", "book_room", *IN_GUICHENG)]
    result = validate_records(records([row(name="乙", lng=lng20, lat=lat20), row(name="丙", lng=lng40, lat=lat40),
                                       row(name="丁", type="rest_station", lng=lng20, lat=lat20)]),
                              crs="wgs84", towns=towns, existing=existing)
    [problem] = result.problems
    assert problem.code == "sites.duplicate_near_site" and problem.row == 2
    assert problem.params["m"] == "20.0" and problem.params["id"] == 7
    assert result.rejected == [0]
    as_warning = validate_records(records([row(name="乙", lng=lng20, lat=lat20)]), crs="wgs84", towns=towns,
                                  existing=existing, duplicates="warning")
    assert [p.level for p in as_warning.problems] == ["warning"] and len(as_warning.drafts) == 1


def test_duplicate_within_the_file_flags_the_later_line(towns):
    result = validate_records(records([row(name="甲"), row(name="乙"), row(name="甲", lng=IN_SHISHAN[0],
                                                                          lat=IN_SHISHAN[1])]),
                              crs="wgs84", towns=towns)
    [problem] = result.problems
    assert problem.code == "sites.duplicate_near_row" and problem.row == 3 and problem.params["row"] == 2
    assert result.rejected == [1]


def test_same_name_type_and_town_is_a_duplicate(towns):
    existing = [site(3, "桂城书屋", "book_room", 113.14, 23.03)]
    result = validate_records(records([row(name="桂城书屋 "), row(name="桂城书屋", type="nursing_room")]),
                              crs="wgs84", towns=towns, existing=existing)
    [problem] = result.problems
    assert problem.code == "sites.duplicate_name_site" and problem.row == 2
    assert "同名、同类型，且都在桂城街道" in problem.message("zh")


def test_shared_border_point_goes_to_the_smaller_code(towns):
    geoms = towns.region.towns.set_index("code").geometry
    border = geoms[GUICHENG].intersection(geoms[DALI])
    x, y = shapely.get_coordinates(border)[3]
    assert towns.assign([x], [y])[0] == GUICHENG


def test_text_is_kept_as_given(towns):
    draft = validate_records(records([row(name="<b>书屋</b> ", address="=1+1", notes="a\nb")]), crs="wgs84",
                             towns=towns).drafts[0]
    assert (draft.name, draft.address, draft.notes) == ("<b>书屋</b> ", "=1+1", "a\nb")


def test_one_record_rejects_unknown_fields():
    with pytest.raises(ValueError, match="unknown site fields: colour"):
        RawRecords.one({"name": "x", "colour": "red"})
