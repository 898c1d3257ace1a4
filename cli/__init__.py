"""The one command line: ``python -m sites``, ``python -m scoring``, ``python -m geodata`` (click).

Every command shares the same ``--db``, ``--lang``, ``--crs`` and region options and one error handler;
exit status 0 ok, 1 rows rejected, 2 bad input or usage, 130 interrupted.

* :mod:`cli.common` — the options (defined once), opening the registry, and :func:`cli.common.run`, the one
  error handler (usage errors from click, everything else through :func:`incidents.cli_failure`);
* :mod:`cli.output` — everything printed: text cleaned of terminal controls, JSON, CSV (formula-safe), progress;
* :mod:`cli.sites` — ``python -m sites``: the site registry;
* :mod:`cli.accounts` — ``python -m sites user ...`` and sign-in for the command line;
* :mod:`cli.scoring` — ``python -m scoring``: coverage, gaps, suggest, map (the engine's inputs built once);
* :mod:`cli.targets` — ``python -m scoring targets|report|target-*``: rollout targets;
* :mod:`cli.geodata` — ``python -m geodata``: convert, info, assets.

Imports run one way: ``output`` ← ``common`` ← ``accounts`` ← ``sites``/``targets`` ← ``scoring``;
``geodata`` uses ``common`` and ``output`` only.
"""
