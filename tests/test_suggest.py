"""Site suggestions: the MCLP core on hand-built matrices, and the geo adapter."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_fixtures import (
    UTM49N,
    progress_words,
    sites_frame,
    suggest_of,
    to_lnglat,
    towns_frame,
)

from errors import RecordError
from scoring.demand import point_demand
from scoring.mclp import coverage_matrix, solve_mclp
from settings import get_settings

pytestmark = pytest.mark.usefixtures("english")  # messages in English for match= (tests/conftest.py)


def matrix(rows: list[list[int]], n_points: int) -> sp.csr_matrix:
    dense = np.zeros((len(rows), n_points), dtype=bool)
    for i, row in enumerate(rows):
        dense[i, row] = True
    return sp.csr_matrix(dense)


# Greedy trap: c0 reaches the two heavy points (5), so greedy takes it and then
# adds 2; the optimum takes c1 and c2 for 9.
TRAP = matrix([[1, 2], [0, 1], [2, 3]], 4)
TRAP_W = np.array([2.0, 2.5, 2.5, 2.0])


def test_swaps_escape_the_greedy_trap_and_the_exact_solve_proves_it():
    heur = solve_mclp(TRAP, TRAP_W, 2, method="heuristic")
    assert sorted(heur.selected.tolist()) == [1, 2]
    assert heur.objective == 9.0 and heur.gap is None
    exact = solve_mclp(TRAP, TRAP_W, 2, method="exact")
    assert exact.objective == 9.0
    assert exact.gap == pytest.approx(0.0, abs=1e-9)
    assert exact.method == "milp (HiGHS)"
    assert exact.covered_before == 0 and exact.covered_after == 9.0 and exact.total == 9.0


def test_existing_coverage_adds_nothing_and_is_reported():
    covered = np.array([False, True, True, False])  # an existing site reaches p1 and p2
    res = solve_mclp(TRAP, TRAP_W, 1, covered=covered, method="exact")
    assert res.selected.tolist() in ([1], [2])
    assert res.objective == 2.0
    assert res.covered_before == 5.0 and res.covered_after == 7.0
    assert res.newly_covered.tolist() == [2.0] and res.sole_covered.tolist() == [2.0]


def test_at_least_one_per_group_is_honoured():
    # groups: c0, c1 in town 0; c2 in town 1 (reaches only a light point)
    cover = matrix([[0, 1], [1, 2], [3]], 4)
    w = np.array([5.0, 5.0, 5.0, 1.0])
    free = solve_mclp(cover, w, 2, method="exact")
    assert sorted(free.selected.tolist()) == [0, 1]
    for method in ("heuristic", "exact"):
        res = solve_mclp(cover, w, 2, group=np.array([0, 0, 1]), min_per_group=1, method=method)
        assert 2 in res.selected.tolist()
        assert res.objective == 11.0


def test_progress_is_reported_from_zero_to_one():
    report, seen = progress_words("en")  # events from the core, worded as the edge words them
    solve_mclp(TRAP, TRAP_W, 2, method="exact", progress=report)
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert seen[-1][1] == "done"


def test_coverage_matrix_includes_the_radius():
    cand = np.array([[0.0, 0.0], [10_000.0, 0.0]])
    dem = np.array([[300.0, 400.0], [300.0, 400.5], [10_000.0, 1000.0]])
    got = coverage_matrix(cand, dem, 500).toarray()
    assert got.tolist() == [[True, False, False], [False, False, False]]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 3))
def test_exact_matches_brute_force_and_heuristic_never_beats_it(seed, k):
    rng = np.random.default_rng(seed)
    cover = sp.csr_matrix(rng.random((7, 12)) < 0.3)
    w = rng.integers(1, 10, 12).astype(float)
    best = max(
        w[np.asarray(cover[list(s)].sum(axis=0)).ravel() > 0].sum() for s in itertools.combinations(range(7), k)
    )
    exact = solve_mclp(cover, w, k, method="exact")
    heur = solve_mclp(cover, w, k, method="heuristic")
    assert exact.objective == pytest.approx(best)
    assert heur.objective <= best + 1e-9
    assert heur.objective >= (1 - 1 / np.e) * best - 1e-9


def test_bad_inputs_are_named():
    with pytest.raises(RecordError, match="number of new sites 0 is not valid"):
        solve_mclp(TRAP, TRAP_W, 0)
    with pytest.raises(RecordError, match="only 3 candidate points for 4 new sites"):
        solve_mclp(TRAP, TRAP_W, 4)
    with pytest.raises(RecordError, match="solving method 'fast' is not valid"):
        solve_mclp(TRAP, TRAP_W, 1, method="fast")
    with pytest.raises(RecordError, match="at least 2 per town needs 4 new sites"):
        solve_mclp(TRAP, TRAP_W, 3, group=np.array([0, 0, 1]), min_per_group=2)
    with pytest.raises(RecordError, match="no usable candidate points"):
        solve_mclp(sp.csr_matrix((0, 4), dtype=bool), TRAP_W, 1)


# ------------------------------------------------------------------------ adapter

TWO = [(0, 0, 2000, 2000), (2000, 0, 4000, 2000)]


def _cluster_demand(towns):
    # 100 people at (3500, 1500) in town 1, 10 at (500, 500) in town 0
    lng, lat = to_lnglat([3500, 500], [1500, 500])
    return point_demand(lng, lat, [100, 10], towns=towns, crs=UTM49N)


def test_suggest_puts_the_site_where_the_demand_is():
    towns = towns_frame(TWO)
    sites = sites_frame([{"type": "book_room", "x": 0, "y": 2000, "status": "open"}])
    cand_lng, cand_lat = to_lnglat([500, 3400, 3900], [500, 1500, 100])
    res = suggest_of(towns, sites, site_type="book_room", count=1, radius_m=500, demand=_cluster_demand(towns),
                  candidates=(cand_lng, cand_lat))
    row = res.selected.iloc[0]
    assert row["town_code"] == towns.code[1]
    assert (row["lng"], row["lat"]) == pytest.approx((cand_lng[1], cand_lat[1]), abs=1e-6)
    assert row["newly_covered"] == 100.0
    summary = res.summary()
    assert summary["objective"] == 100.0 and summary["covered_after"] == 100.0 and summary["unit"] == "demand"
    assert summary["gap"] == pytest.approx(0.0, abs=1e-9)  # small: auto solved it exactly


def test_existing_site_already_covering_the_cluster_moves_the_suggestion():
    towns = towns_frame(TWO)
    sites = sites_frame([{"type": "book_room", "x": 3500, "y": 1400}])
    cand_lng, cand_lat = to_lnglat([500, 3400], [500, 1500])
    res = suggest_of(towns, sites, site_type="book_room", count=1, radius_m=500, demand=_cluster_demand(towns),
                  candidates=(cand_lng, cand_lat))
    assert res.selected["town_code"].tolist() == [towns.code[0]]
    assert res.mclp.covered_before == 100.0 and res.mclp.objective == 10.0


def test_without_demand_the_objective_is_area_in_km2():
    towns = towns_frame([(0, 0, 4000, 4000)])
    sites = sites_frame([{"type": "book_room", "x": 0, "y": 0, "status": "closed"}])
    res = suggest_of(towns, sites, site_type="book_room", count=1, radius_m=1000, sample_m=20,
                  grid_spacing_m=500)
    assert res.unit == "km2"
    # a grid candidate away from the edges covers a whole disk: π km² to sampling accuracy
    assert res.mclp.objective == pytest.approx(np.pi, rel=0.01)
    assert res.mclp.total == pytest.approx(16.0, rel=1e-6)


def test_suggest_with_candidates_outside_the_region_refuses():
    towns = towns_frame(TWO)
    lng, lat = to_lnglat([-5000], [-5000])
    with pytest.raises(RecordError, match="no usable candidate points"):
        suggest_of(towns, sites_frame([{"type": "book_room", "x": 0, "y": 0}]), site_type="book_room", count=1,
                candidates=(lng, lat))
    assert get_settings().default_radius_m("book_room") == 500.0
