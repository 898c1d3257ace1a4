"""The coverage engine: numbers in, tables out.

No settings, environment, language, database or rendering in here (a test
checks the imports): callers pass arrays, frames and plain parameters, and
word the results themselves.

* :mod:`scoring.query` — :class:`~scoring.query.CoverageQuery`, what is asked
  (types, radius per type in metres, statuses, date, demand layer, distance
  mode), built and validated once at the edge; the cache key of the app.
* :mod:`scoring.selection` — which sites count (status, dates).
* :mod:`scoring.areas` — covered area per town (disks, unions, clips; metres).
* :mod:`scoring.demand` — demand layers (points, grids, town totals) behind one
  protocol, and the within-reach cores.
* :mod:`scoring.coverage` — the geo adapter: towns × types table for a query.
* :mod:`scoring.gaps` — uncovered parts of each town, ranked.
* :mod:`scoring.mclp` / :mod:`scoring.suggest` — maximal covering location core
  (sparse matrix, greedy + swaps + ILS, HiGHS) and its geo adapter.
* :mod:`scoring.progress` — progress events (:class:`~scoring.progress.Progress`)
  the command line and the app word.
* :mod:`scoring.network` / :mod:`scoring.service_area` — walking-network reach.

``python -m scoring`` is the command line (:mod:`cli.scoring`), not part of the engine.
"""
