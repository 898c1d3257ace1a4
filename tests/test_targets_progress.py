"""Monthly progress towards a target, the projection at the present rate, and red/amber/green."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from sites.frame import sites_frame
from sites.models import Site
from targets.evaluate import evaluate_targets, shared_evaluation
from targets.model import Target
from targets.progress import month_ends, monthly_series, project
from targets.rag import add_rag, rag_status

JIUJIANG, DANZAO, SHISHAN, DALI = "440605121000", "440605123000", "440605124000", "440605125000"
AS_OF = datetime.date(2025, 6, 30)
PALACE = Target("每镇一宫", "cultural_palace", "each_town", "site_count", 1, datetime.date(2025, 12, 31), id=1)
D = datetime.date


def _site(i: int, town: str, *, status: str = "open", opened: str | None = None) -> Site:
    return Site(i, f"palace {i}", "cultural_palace", status, 113.0, 23.0, town,
                opened_on=D.fromisoformat(opened) if opened else None)


@pytest.fixture()
def sites():
    # Jiujiang always open (no date), Shishan opened 2024-09-15, Danzao 2025-03-10, Dali under construction
    return sites_frame([_site(1, JIUJIANG), _site(2, SHISHAN, opened="2024-09-15"),
                        _site(3, DANZAO, opened="2025-03-10"), _site(4, DALI, status="under_construction")])


def test_month_ends() -> None:
    assert month_ends(D(2025, 1, 20), D(2025, 3, 31)) == [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31)]
    assert month_ends(D(2025, 1, 1), D(2025, 2, 10)) == [D(2025, 1, 31), D(2025, 2, 10)]
    assert month_ends(D(2025, 2, 3), D(2025, 2, 10)) == [D(2025, 2, 10)]


def test_monthly_series_follows_opening_dates(region, sites) -> None:
    series = monthly_series(PALACE, sites, region, as_of=AS_OF)
    # starts 12 months back (June 2024), earlier than the first opening (September 2024)
    assert list(series["month"]) == [f"2024-{m:02d}" for m in range(6, 13)] + [f"2025-{m:02d}" for m in range(1, 7)]
    assert list(series["shortfall"]) == [6] * 3 + [5] * 6 + [4] * 4
    assert list(series["towns_met"]) == [1] * 3 + [2] * 6 + [3] * 4
    assert set(series["towns_total"]) == {7} and not series["met"].any()
    assert series["date"].iloc[-1] == AS_OF


def test_series_starts_at_the_first_opening_when_that_is_earlier(region) -> None:
    frame = sites_frame([_site(1, JIUJIANG, opened="2023-11-02")])
    series = monthly_series(PALACE, frame, region, as_of=AS_OF)
    assert series["month"].iloc[0] == "2023-11"
    assert series["shortfall"].iloc[0] == 6


def test_projection_at_the_present_rate(region, sites) -> None:
    projection = project(PALACE, monthly_series(PALACE, sites, region, as_of=AS_OF))
    # window 2024-06-30 … 2025-06-30 (365 days): the shortfall fell from 6 to 4, 2 sites a year;
    # 4 more sites take 2 years: 730 days after 2025-06-30
    assert projection.window_start == D(2024, 6, 30)
    assert projection.rate_per_month == pytest.approx(2 / (365 / (365.25 / 12)))
    assert projection.shortfall == 4
    assert projection.met_on == D(2027, 6, 30)
    assert not projection.on_track and not projection.met
    assert projection.to_dict()["met_on"] == "2027-06-30"


def test_no_progress_means_not_at_this_rate(region) -> None:
    frame = sites_frame([_site(1, JIUJIANG)])
    projection = project(PALACE, monthly_series(PALACE, frame, region, as_of=AS_OF))
    assert projection.rate_per_month == 0 and projection.met_on is None and not projection.on_track


def test_a_met_target_is_met_on_the_date(region) -> None:
    region_target = Target("全区1宫", "cultural_palace", "region", "site_count", 1, D(2025, 12, 31), id=2)
    projection = project(region_target, monthly_series(region_target, sites_frame([_site(1, JIUJIANG)]), region,
                                                       as_of=AS_OF))
    assert projection.met and projection.met_on == AS_OF and projection.on_track


def test_a_fast_rollout_is_on_track(region) -> None:
    # five palaces opened in the last 12 months, two to go: 2 × 365 / 5 = 146 days, before the deadline
    frame = sites_frame([_site(i, code, opened=day) for i, (code, day) in enumerate([
        (JIUJIANG, "2024-08-01"), (SHISHAN, "2024-11-01"), (DANZAO, "2025-02-01"), (DALI, "2025-04-01"),
        ("440605126000", "2025-06-15")], start=1)])
    projection = project(PALACE, monthly_series(PALACE, frame, region, as_of=AS_OF))
    assert projection.shortfall == 2
    assert projection.met_on == D(2025, 11, 23) and projection.on_track


def test_red_amber_green(region, sites) -> None:
    table = evaluate_targets([PALACE], sites, region, as_of=AS_OF)
    projection = project(PALACE, monthly_series(PALACE, sites, region, as_of=AS_OF))
    colours = add_rag(table, {1: projection}).set_index("town_code")["rag"]
    # met: green; Dali has a palace under construction: amber; the others: red (not on track)
    assert colours[JIUJIANG] == colours[SHISHAN] == colours[DANZAO] == "green"
    assert colours[DALI] == "amber"
    assert (colours == "red").sum() == 3
    on_track = replace(projection, met_on=D(2025, 12, 1))
    short = table.set_index("town_code").loc["440605011000"].to_dict()
    assert rag_status(short, on_track) == "amber"
    assert rag_status({**short, "days_left": -1}, on_track) == "red"
    assert rag_status({**short, "met": True, "days_left": -1}, None) == "green"


def test_series_inside_a_shared_evaluation_is_each_month_evaluated_afresh(region) -> None:
    # openings and closings on and around month ends (a site counts on its opening day, not on its closing day);
    # inside a shared evaluation the months between dates take the sums of an evaluation on the same sites
    frame = sites_frame([
        replace(_site(1, JIUJIANG, opened="2024-08-31"), closed_on=D(2025, 1, 31)),
        _site(2, SHISHAN, opened="2024-11-15"), replace(_site(3, DANZAO), closed_on=D(2025, 3, 1)),
        _site(4, DALI, opened="2025-05-31"), replace(_site(5, DALI, opened="2024-10-01"), closed_on=D(2024, 12, 31)),
    ])
    whole = Target("全区三宫", "cultural_palace", "region", "site_count", 3, D(2025, 12, 31), id=2)
    for target in (PALACE, whole):
        with shared_evaluation():
            evaluate_targets([target], frame, region, as_of=AS_OF)
            series = monthly_series(target, frame, region, as_of=AS_OF)
        afresh = []
        for day in series["date"]:
            table = evaluate_targets([target], frame, region, as_of=day)
            afresh.append((float(table["shortfall"].sum()), int(table["met"].sum()), float(table["actual"].sum())))
        assert list(zip(series["shortfall"], series["towns_met"], series["actual"], strict=True)) == afresh
    assert list(series["actual"]) == [1, 1, 2, 2, 3, 4, 3, 2, 2, 1, 1, 2, 2]  # the region target, June 2024 on


def test_a_shared_evaluation_selects_again_for_another_frame(region, sites) -> None:
    # the counted sites are selected once per frame, type, statuses and date: a second frame (even one made
    # and dropped in between) is selected afresh
    with shared_evaluation():
        first = evaluate_targets([PALACE], sites, region, as_of=AS_OF)
        for _ in range(3):
            fewer = evaluate_targets([PALACE], sites.iloc[:1].copy(), region, as_of=AS_OF)
            assert int(fewer["met"].sum()) == 1
        again = evaluate_targets([PALACE], sites, region, as_of=AS_OF)
    assert int(first["met"].sum()) == int(again["met"].sum()) == 3
