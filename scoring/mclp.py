"""Maximal covering location problem (MCLP): the numeric core of site suggestions.

Everything here works on a sparse coverage matrix and weights, never on
geometry: ``cover`` is a boolean CSR matrix, candidates × demand points, with
``cover[c, d]`` true when candidate ``c`` is within the radius of demand point
``d``; ``weight`` the demand of each point; ``covered`` marks points already
within reach of an existing site (they add nothing). Choose ``count``
candidates maximising the newly covered weight, optionally with at least
``min_per_group`` of them in every group (town).

Two solvers:

* ``heuristic``: greedy with exact incremental gains (when a point becomes
  covered its weight is taken off every candidate that reaches it, so each
  step's gains are exact and the whole greedy costs O(nnz + count × candidates);
  this is what lazy evaluation of upper bounds approximates, without the heap),
  then best-improvement 1-swaps (drop one chosen site, add one other) until no
  swap improves, each round a handful of sparse products; then an iterated
  local search escapes that local optimum: drop a few sites at random, refill
  with a randomised greedy, swap again, keep the best (seeded; bounded by a
  number of rounds and a time budget).
* ``exact``: the MILP (binary x per candidate, y ≤ Σ x per point, Σ x = count)
  solved by HiGHS (``highspy``), warm-started with the heuristic's answer,
  with a time limit; points with identical candidate sets are merged first.
  The relative optimality gap HiGHS proves is reported.

``auto`` runs the heuristic and then the exact solve when the matrix has at
most ``exact_max_nnz`` nonzeros. ``progress(event)`` is called with a
:class:`scoring.progress.Progress` as work proceeds (HiGHS reports its best
objective, bound and gap as it goes); the caller words it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from errors import Problem, RecordError
from scoring.progress import Progress, ProgressCallback, quiet

METHODS = ("auto", "heuristic", "exact")
#: Largest coverage matrix (nonzeros after merging points) that ``auto`` also solves exactly.
EXACT_MAX_NNZ = 200_000
_EPS = 1e-9


@dataclass(frozen=True)
class MCLPResult:
    """The chosen candidates and what they achieve (weights in the demand's unit).

    ``selected``: candidate indices in the order chosen. ``newly_covered``:
    per selected candidate, the weight within its reach not covered before;
    ``sole_covered``: the part of it no other site (old or new) reaches.
    ``objective``: weight newly covered by all of them; ``covered_before`` /
    ``covered_after``: covered weight without / with them; ``total``: all
    weight. ``gap``: proven relative optimality gap (``None`` when no exact
    solve ran); ``bound``: the proven upper bound of ``objective``.
    """

    selected: NDArray[np.int64]
    newly_covered: NDArray[np.float64]
    sole_covered: NDArray[np.float64]
    objective: float
    covered_before: float
    covered_after: float
    total: float
    method: str
    gap: float | None = None
    bound: float | None = None
    status: str = ""
    seconds: float = 0.0


def solve_mclp(
    cover: sp.csr_matrix,
    weight: NDArray[np.float64],
    count: int,
    *,
    covered: NDArray[np.bool_] | None = None,
    group: NDArray[np.int64] | None = None,
    min_per_group: int = 0,
    method: str = "auto",
    time_limit_s: float = 60.0,
    exact_max_nnz: int = EXACT_MAX_NNZ,
    perturb_rounds: int = 12,
    perturb_budget_s: float = 0.5,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> MCLPResult:
    """Choose ``count`` rows of ``cover`` maximising newly covered ``weight``.

    ``group``: group (town) index per candidate, ``-1`` for none; with
    ``min_per_group`` ≥ 1 every group ``0..group.max()`` gets at least that many.
    ``perturb_rounds``/``perturb_budget_s``/``seed``: the iterated local search
    after the first greedy + swaps (at most that many rounds or seconds; seeded,
    so a run is repeatable unless the time budget cuts it short).
    Raises :class:`errors.RecordError` for a bad count, method or infeasible minimum.
    """
    started = time.perf_counter()
    progress = progress or quiet
    cover = sp.csr_matrix(cover, dtype=bool)
    cover.sum_duplicates()
    n_cand, n_dem = cover.shape
    weight = np.asarray(weight, dtype=float)
    covered = np.zeros(n_dem, dtype=bool) if covered is None else np.asarray(covered, dtype=bool)
    if method not in METHODS:
        raise RecordError(Problem("scoring.bad_method", {"value": method, "known": ", ".join(METHODS)}))
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
        raise RecordError(Problem("scoring.bad_count", {"value": count}))
    if n_cand == 0:
        raise RecordError(Problem("scoring.no_candidates"))
    if n_cand < count:
        raise RecordError(Problem("scoring.too_few_candidates", {"available": n_cand, "count": count}))
    group = np.full(n_cand, -1, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    need = _group_needs(group, min_per_group, count)
    w = np.where(covered, 0.0, weight)
    progress(Progress("greedy", 0.0, done=0, total=count))
    chosen = _greedy(cover, w, count, group, need, progress)
    chosen = _swap(cover, w, chosen, group, need)
    chosen = _perturb(cover, w, chosen, group, need, progress, rounds=perturb_rounds,
                      budget_s=perturb_budget_s, seed=seed)
    name, gap, bound, status = "greedy+swap+ils", None, None, "heuristic"
    if method == "exact" or (method == "auto" and cover.nnz <= exact_max_nnz):
        exact = _milp(cover, w, count, group, need, chosen, time_limit_s, progress)
        if exact is not None:
            x, gap, bound, status = exact
            if _value(cover, w, x) >= _value(cover, w, chosen) - _EPS:
                chosen = x
            name = "milp (HiGHS)"
    progress(Progress("done", 1.0))
    return _result(cover, weight, covered, chosen, name, gap, bound, status, time.perf_counter() - started)


def _group_needs(group: NDArray[np.int64], min_per_group: int, count: int) -> NDArray[np.int64]:
    """Minimum new sites per group (array over groups 0..max); checks feasibility."""
    n_groups = int(group.max()) + 1 if len(group) else 0
    if min_per_group <= 0 or n_groups == 0:
        return np.zeros(0, dtype=np.int64)
    need = np.full(n_groups, int(min_per_group), dtype=np.int64)
    available = np.bincount(group[group >= 0], minlength=n_groups)
    short = np.flatnonzero(available < need)
    if need.sum() > count or len(short):
        raise RecordError(Problem("scoring.min_per_town_infeasible", {
            "minimum": min_per_group, "needed": int(need.sum()), "count": count,
            "towns": ", ".join(map(str, short)) or "-"}))
    return need


def _value(cover: sp.csr_matrix, w: NDArray[np.float64], chosen: NDArray[np.int64]) -> float:
    hit = np.zeros(cover.shape[1], dtype=bool)
    hit[cover[chosen].indices] = True
    return float(w[hit].sum())


def _greedy(cover, w, count, group, need, progress, *, start: NDArray[np.int64] | None = None,
            rng: np.random.Generator | None = None, top: int = 3, coverT=None) -> NDArray[np.int64]:
    """Greedy completion of ``start`` (default: empty) to ``count`` candidates.

    With ``rng``, each pick is drawn from the ``top`` best instead of the best
    (the randomised refill of the perturbation phase).
    """
    coverT = cover.T.tocsr() if coverT is None else coverT
    start = np.zeros(0, dtype=np.int64) if start is None else np.asarray(start, dtype=np.int64)
    open_ = w > 0
    if len(start):
        open_[cover[start].indices] = False
    gain = cover @ np.where(open_, w, 0.0)
    chosen: list[int] = list(start)
    placed = np.zeros(len(need), dtype=np.int64)
    if len(need):
        placed += np.bincount(group[start][group[start] >= 0], minlength=len(need))
    blocked = np.zeros(cover.shape[0], dtype=bool)
    blocked[start] = True
    for step in range(len(start), count):
        score = np.where(blocked, -np.inf, gain)
        if len(need):
            deficit = np.maximum(need - placed, 0)
            if deficit.sum() >= count - step:  # remaining picks must go to short groups
                in_short = (group >= 0) & (deficit[np.maximum(group, 0)] > 0)
                score = np.where(in_short, score, -np.inf)
        if rng is None:
            j = int(np.argmax(score))
        else:
            best = np.argpartition(-score, top)[:top] if len(score) > top else np.arange(len(score))
            best = best[np.isfinite(score[best])]
            j = int(best[rng.integers(0, len(best))]) if len(best) else int(np.argmax(score))
        chosen.append(j)
        blocked[j] = True
        if len(need) and group[j] >= 0:
            placed[group[j]] += 1
        row = cover.indices[cover.indptr[j]:cover.indptr[j + 1]]
        newly = row[open_[row]]
        if len(newly):
            open_[newly] = False
            idx, which = _rows(coverT.indptr, coverT.indices, newly)
            gain -= np.bincount(idx, weights=w[newly][which], minlength=cover.shape[0])
        if rng is None and step % 10 == 9:
            progress(Progress("greedy", 0.3 * (step + 1) / count, done=step + 1, total=count))
    return np.asarray(chosen, dtype=np.int64)


def _perturb(cover, w, chosen, group, need, progress, *, rounds: int, budget_s: float,
             seed: int) -> NDArray[np.int64]:
    """Iterated local search: drop a few chosen sites at random, refill with a randomised
    greedy, improve by swaps; keep the best. Stops after ``rounds`` or ``budget_s`` seconds."""
    rng = np.random.default_rng(seed)
    coverT = cover.T.tocsr()
    best, best_value = chosen, _value(cover, w, chosen)
    k = len(chosen)
    started = time.perf_counter()
    for round_ in range(1, rounds + 1):
        if k < 2 or time.perf_counter() - started > budget_s:
            break
        drop = rng.choice(k, min(k, int(rng.integers(2, max(2, k // 3) + 1))), replace=False)
        trial = _greedy(cover, w, k, group, need, progress, start=np.delete(best, drop), rng=rng,
                        coverT=coverT)
        trial = _swap(cover, w, trial, group, need, coverT=coverT)
        value = _value(cover, w, trial)
        if value > best_value + _EPS:
            best, best_value = trial, value
        progress(Progress("perturb", 0.3 + 0.3 * round_ / rounds, done=round_, total=rounds))
    return best


def _rows(indptr: NDArray, indices: NDArray, rows: NDArray[np.int64]) -> tuple[NDArray, NDArray]:
    """Column indices of CSR ``rows`` concatenated, and the position in ``rows`` of each."""
    starts, lens = indptr[rows], indptr[rows + 1] - indptr[rows]
    offsets = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(lens.sum())
    return indices[offsets], np.repeat(np.arange(len(rows)), lens)


def _swap(cover, w, chosen, group, need, *, coverT=None, max_rounds: int = 200) -> NDArray[np.int64]:
    """Best-improvement 1-swaps until no swap gains more than a relative 1e-9.

    For every candidate c and chosen site s at once: gain of adding c once s is
    dropped = weight nobody chosen reaches within c's reach + weight only s
    reaches within c's reach; minus the weight only s reaches. Computed from
    the rows of the chosen sites and of the points only one site reaches.
    """
    coverT = cover.T.tocsr() if coverT is None else coverT
    chosen = chosen.copy()
    n_cand, k = cover.shape[0], len(chosen)
    tol = _EPS * max(1.0, float(w.sum()))
    for _ in range(max_rounds):
        pts, slot = _rows(cover.indptr, cover.indices, chosen)
        cnt = np.bincount(pts, minlength=cover.shape[1])
        owner = np.full(cover.shape[1], -1, dtype=np.int64)
        owner[pts] = slot
        lonely = np.flatnonzero((cnt == 1) & (w > 0))
        loss = np.bincount(owner[lonely], weights=w[lonely], minlength=k)
        gain0 = cover @ np.where(cnt == 0, w, 0.0)
        cands, which = _rows(coverT.indptr, coverT.indices, lonely)
        back = np.bincount(cands * k + owner[lonely][which], weights=w[lonely][which],
                           minlength=n_cand * k).reshape(n_cand, k)
        delta = gain0[:, None] + back - loss[None, :]
        delta[chosen, :] = -np.inf
        if len(need):
            placed = np.bincount(group[chosen][group[chosen] >= 0], minlength=len(need))
            gs = group[chosen]
            tight = (gs >= 0) & (placed[np.maximum(gs, 0)] <= need[np.maximum(gs, 0)])
            same = group[:, None] == gs[None, :]
            delta[:, tight] = np.where(same[:, tight], delta[:, tight], -np.inf)
        c, s_ = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if not delta[c, s_] > tol:
            break
        chosen[s_] = c
    return chosen


def _merge_points(cover: sp.csr_matrix, w: NDArray[np.float64]) -> tuple[sp.csr_matrix, NDArray[np.float64]]:
    """Drop points of zero weight or no candidate; merge points with equal candidate sets.

    Returns the points × candidates matrix of the distinct sets and their summed weights.
    """
    coverT = cover.T.tocsr()
    coverT.sort_indices()
    keep = (w > 0) & (np.diff(coverT.indptr) > 0)
    coverT, w = coverT[keep], w[keep]
    if coverT.shape[0] == 0:
        return coverT, w
    salt = np.random.default_rng(0).integers(1, 2**63, size=cover.shape[0], dtype=np.uint64)
    hashes = np.add.reduceat(salt[coverT.indices] * np.uint64(0x9E3779B97F4A7C15), coverT.indptr[:-1])
    hashes ^= np.diff(coverT.indptr).astype(np.uint64)
    _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    return coverT[first], np.bincount(inverse.ravel(), weights=w)


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send whatever C code writes to file descriptor 1 to descriptor 2 meanwhile.

    Solver chatter must never reach stdout: ``--format json`` output is read by programs.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _milp(cover, w, count, group, need, start, time_limit_s, progress):
    """Exact solve with HiGHS; returns (chosen, gap, bound, status) or None if no solution."""
    import highspy

    pts, pw = _merge_points(cover, w)
    n_cand, n_pts = cover.shape[0], pts.shape[0]
    # columns: x (candidates, binary) then y (points, continuous in [0, 1]); rows: y_d - Σ x_c ≤ 0
    rows = sp.hstack([-pts.astype(float), sp.identity(n_pts, format="csr")], format="csr")
    extra = [sp.csr_matrix((np.ones(n_cand), (np.zeros(n_cand), np.arange(n_cand))), shape=(1, n_cand + n_pts))]
    lower, upper = [np.full(n_pts, -np.inf)], [np.zeros(n_pts)]
    lower.append(np.array([float(count)]))
    upper.append(np.array([float(count)]))
    for g in np.flatnonzero(need):
        members = np.flatnonzero(group == g)
        extra.append(sp.csr_matrix((np.ones(len(members)), (np.zeros(len(members)), members)),
                                   shape=(1, n_cand + n_pts)))
        lower.append(np.array([float(need[g])]))
        upper.append(np.array([np.inf]))
    matrix = sp.vstack([rows, *extra], format="csr")
    with _stdout_to_stderr():  # HiGHS ≥ 1.16 prints its banner on the C stdout when constructed
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", 1e-6)
    inf = highspy.kHighsInf
    col_cost = np.concatenate([np.zeros(n_cand), pw])
    col_lo = np.zeros(n_cand + n_pts)
    col_hi = np.ones(n_cand + n_pts)
    row_lo = np.where(np.isinf(np.concatenate(lower)), -inf, np.concatenate(lower))
    row_hi = np.where(np.isinf(np.concatenate(upper)), inf, np.concatenate(upper))
    integrality = np.concatenate([np.ones(n_cand, dtype=np.int32), np.zeros(n_pts, dtype=np.int32)])
    h.passModel(
        n_cand + n_pts, matrix.shape[0], matrix.nnz, int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMaximize), 0.0, col_cost, col_lo, col_hi, row_lo, row_hi,
        matrix.indptr.astype(np.int32), matrix.indices.astype(np.int32), matrix.data.astype(float), integrality,
    )
    hit = np.zeros(n_cand, dtype=bool)
    hit[start] = True
    y0 = (pts @ hit.astype(float) > 0).astype(float)
    h.setSolution(n_cand + n_pts, np.arange(n_cand + n_pts, dtype=np.int32), np.concatenate([hit.astype(float), y0]))
    last = [0.0]

    def report(event) -> None:
        now = time.perf_counter()
        if now - last[0] < 0.5:
            return
        last[0] = now
        out = event.data_out
        primal, dual = float(out.mip_primal_bound), float(out.mip_dual_bound)
        gap = float(out.mip_gap) if np.isfinite(out.mip_gap) else 1.0
        progress(Progress("milp", 0.6 + 0.4 * (1 - min(gap, 1.0)), primal=primal, bound=dual, gap=gap))

    h.cbMipInterrupt.subscribe(report)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    values = np.asarray(h.getSolution().col_value)
    if len(values) < n_cand:
        return None
    chosen = np.flatnonzero(values[:n_cand] > 0.5)
    if len(chosen) != count:
        return None
    info = h.getInfo()
    gap = float(info.mip_gap) if np.isfinite(info.mip_gap) else None
    return chosen.astype(np.int64), gap, float(info.mip_dual_bound), status


def _result(cover, weight, covered, chosen, name, gap, bound, status, seconds) -> MCLPResult:
    sel = cover[chosen]
    fresh = np.where(covered, 0.0, weight)
    hit_count = np.asarray(sel.sum(axis=0)).ravel()
    newly = np.asarray(sel @ fresh).ravel()
    sole = np.asarray(sel @ np.where(hit_count == 1, fresh, 0.0)).ravel()
    before = float(weight[covered].sum())
    objective = float(fresh[hit_count > 0].sum())
    return MCLPResult(
        selected=np.asarray(chosen, dtype=np.int64), newly_covered=newly, sole_covered=sole,
        objective=objective, covered_before=before, covered_after=before + objective,
        total=float(weight.sum()), method=name, gap=gap, bound=bound, status=status, seconds=seconds,
    )


def coverage_matrix(cand_xy: NDArray[np.float64], dem_xy: NDArray[np.float64], radius_m: float) -> sp.csr_matrix:
    """Boolean CSR, candidates × demand points: within ``radius_m`` (≤), coordinates in metres."""
    from scipy.spatial import cKDTree

    radius_m = float(radius_m)
    cand_xy = np.asarray(cand_xy, dtype=float).reshape(-1, 2)
    dem_xy = np.asarray(dem_xy, dtype=float).reshape(-1, 2)
    if len(cand_xy) == 0 or len(dem_xy) == 0:
        return sp.csr_matrix((len(cand_xy), len(dem_xy)), dtype=bool)
    pairs = cKDTree(cand_xy).sparse_distance_matrix(cKDTree(dem_xy), radius_m, output_type="ndarray")
    return sp.csr_matrix(
        (np.ones(len(pairs), dtype=bool), (pairs["i"], pairs["j"])), shape=(len(cand_xy), len(dem_xy))
    )
