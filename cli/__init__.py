"""The one command line: ``python -m sites``, ``python -m scoring``, ``python -m geodata``.

Every command shares the same ``--db``, ``--lang``, ``--crs`` and region options and one error handler;
exit status 0 ok, 1 rows rejected, 2 bad input or usage.
"""
