"""``python -m scoring`` end to end on a registry database in a temporary folder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cli.scoring import main
from geodata.boundaries import bundled_region

# two sites well inside 狮山镇 and 西樵镇 (more than 1 km from any town line)
SITES = [
    {"name": "狮山书屋", "type": "book_room", "status": "open", "lng": 113.0, "lat": 23.12},
    {"name": "西樵书屋", "type": "book_room", "status": "planned", "lng": 112.95, "lat": 22.93},
]


@pytest.fixture()
def db(store, english):
    """conftest's ``store`` holding SITES; its path as the CLI takes it. Messages in English."""
    for values in SITES:
        store.add(values, actor="test")
    return str(store.path)


def test_coverage_json_has_the_contract_columns(db, capsys):
    assert main(["coverage", "--db", db, "--type", "book_room", "--radius-m", "500", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(bundled_region().towns)
    assert {"town_code", "town_name", "site_type", "sites", "area_km2", "covered_km2", "covered_share"} <= set(rows[0])
    assert sum(r["covered_km2"] for r in rows) == pytest.approx(np.pi * 0.25, abs=1e-5)  # only the open one
    assert sum(r["sites"] for r in rows) == 1


def test_statuses_csv_and_demand(db, tmp_path, capsys):
    demand = tmp_path / "workers.csv"
    demand.write_text("lng,lat,workers\n113.0,23.12,40\n112.95,22.93,60\n", encoding="utf-8")
    code = main(["coverage", "--db", db, "--type", "book_room", "--radius-m", "500", "--status", "open,planned",
                 "--demand", str(demand), "--weight-field", "workers", "--format", "csv"])
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    header = lines[0].split(",")
    assert {"demand", "covered_demand"} <= set(header)
    rows = [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]]
    assert sum(float(r["covered_demand"]) for r in rows) == 100.0
    assert sum(float(r["covered_km2"]) for r in rows) == pytest.approx(2 * np.pi * 0.25, abs=1e-5)


def test_gaps_geojson(db, capsys):
    assert main(["gaps", "--db", db, "--type", "book_room", "--radius-m", "500", "--min-area-km2", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["type"] == "FeatureCollection"
    props = [f["properties"] for f in data["features"]]
    assert [p["rank"] for p in props] == list(range(1, len(props) + 1))
    assert sum(p["area_km2"] for p in props) == pytest.approx(
        float(bundled_region().towns["area_km2"].sum()) - np.pi * 0.25, rel=1e-3)


def test_suggest_json_and_progress(db, tmp_path, capsys):
    candidates = tmp_path / "cand.csv"
    candidates.write_text("lng,lat\n113.0,23.12\n113.05,23.15\n112.95,22.93\n", encoding="utf-8")
    code = main(["suggest", "--db", db, "--type", "book_room", "--count", "2", "--radius-m", "500",
                 "--candidates", str(candidates), "--format", "json"])
    assert code == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert {"selected", "objective", "covered_before", "covered_after", "method", "gap"} <= set(out)
    assert len(out["selected"]) == 2
    assert {"lng", "lat", "town_code", "newly_covered"} <= set(out["selected"][0])
    # the candidate on the open site adds nothing; the two others each add a disk (in km²)
    assert sorted((s["lng"], s["lat"]) for s in out["selected"]) == [(112.95, 22.93), (113.05, 23.15)]
    assert "[100%] done" in captured.err


def test_errors_exit_2_with_the_message(db, capsys):
    assert main(["coverage", "--db", db, "--type", "library"]) == 2
    assert "unknown site type 'library'" in capsys.readouterr().err
    assert main(["coverage", "--db", db, "--demand", "/nonexistent/pop.csv", "--weight-field", "w"]) == 2
    assert "file not found" in capsys.readouterr().err
    assert main(["suggest", "--db", db, "--type", "book_room", "--count", "0"]) == 2
    assert "number of new sites 0 is not valid" in capsys.readouterr().err


def test_exact_suggest_json_is_parseable_from_a_real_process(db):
    """HiGHS prints a banner on the C-level stdout when constructed; it must not reach ``--format json``."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "scoring", "suggest", "--db", db, "--type", "book_room",
                          "--count", "2", "--radius-m", "500", "--method", "exact", "--grid-spacing-m", "2000", "--time-limit-s", "5", "--format", "json"],
                         capture_output=True, text=True, check=True, timeout=120)
    result = json.loads(out.stdout)
    assert len(result["selected"]) == 2
    assert "Running HiGHS" not in out.stdout and "Copyright" not in out.stdout


# ------------------------------------------------------------------ the one command line (click)


def _every_type_but_rest_stations(path) -> str:
    """One site of every type but ``rest_station`` at one point of 狮山镇: rest stations cover nothing."""
    from sites.store import SiteStore

    with SiteStore(path) as store:
        for key in ("service_centre", "book_room", "nursing_room", "cultural_palace"):
            store.add({"name": f"{key} 1", "type": key, "status": "open", "lng": 113.0, "lat": 23.12}, actor="test")
    return str(path)


def test_suggest_defaults_the_most_uncovered_type_five_sites_and_a_coarse_exact_grid(tmp_path, english, capsys):
    db = _every_type_but_rest_stations(tmp_path / "types.db")
    assert main(["suggest", "--db", db, "--method", "exact", "--time-limit-s", "20", "--format", "json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["site_type"] == "rest_station" and "--type rest_station" in captured.err
    assert len(out["selected"]) == 5 and out["radius_m"] == 500.0
    # the exact method's default grid is 2 x the radius apart: the same candidates as asking for 1,000 m
    assert main(["suggest", "--db", db, "--type", "rest_station", "--method", "exact", "--grid-spacing-m", "1000",
                 "--time-limit-s", "20", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["candidates"] == out["candidates"]


def test_lang_on_every_scoring_command_and_usage_errors_exit_2(db, capsys, monkeypatch):
    import i18n

    monkeypatch.setenv("SITES_LANGUAGE", "zh")
    i18n.reload_settings()
    assert main(["coverage", "--db", db, "--type", "library", "--lang", "en"]) == 2
    assert "unknown site type 'library'" in capsys.readouterr().err
    assert main(["coverage", "--db", db, "--type", "library"]) == 2
    assert "未知的站点类型“library”" in capsys.readouterr().err
    assert main(["coverage", "--db", db, "--type", "book_room", "--radius-m", "500", "--lang", "en"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == len(bundled_region().towns)
    assert main(["coverage", "--db", db, "--bogus"]) == 2
    assert "No such option '--bogus'" in capsys.readouterr().err
    assert main(["suggest", "--db", db, "--method", "fast"]) == 2
    assert "'fast' is not one of 'auto', 'heuristic', 'exact'" in capsys.readouterr().err
    assert main(["coverage", "--db", db, "--as-of", "2025-13-01"]) == 2
    assert "'2025-13-01' is not a date (YYYY-MM-DD)" in capsys.readouterr().err
    assert main(["-h"]) == 0 and "target-history" in capsys.readouterr().out


def test_town_totals_demand_says_it_is_spread_evenly_in_every_output(db, tmp_path, capsys):
    """Per-town totals are spread evenly over each town: coverage, gaps and suggest say so in words."""
    totals = tmp_path / "totals.csv"
    totals.write_text("town_code,workers\n440605124000,1000\n", encoding="utf-8")
    note = "demand is per-town totals assumed to be spread evenly over each town"
    demand = ["--demand", str(totals), "--weight-field", "workers"]
    assert main(["coverage", "--db", db, "--type", "book_room", "--radius-m", "500", *demand]) == 0
    captured = capsys.readouterr()
    assert {row["demand_note"] for row in json.loads(captured.out)} == {note} and note in captured.err
    assert main(["gaps", "--db", db, "--type", "book_room", "--radius-m", "500", *demand]) == 0
    features = json.loads(capsys.readouterr().out)["features"]
    assert features and {f["properties"]["demand_note"] for f in features} == {note}
    assert main(["suggest", "--db", db, "--type", "book_room", "--count", "1", "--radius-m", "500",
                 "--method", "heuristic", *demand]) == 0
    assert json.loads(capsys.readouterr().out)["note"] == note
