"""The database layer under every store: the registry file, transactions, migrations, the clock and the audit trail.

:mod:`database.connection` (:class:`~database.connection.Database`) opens a SQLite
file or a PostgreSQL + PostGIS database (:mod:`database.dialect` translates the
stores' one SQL text for it; :mod:`database.postgis` its geometry columns;
:mod:`database.copy` moves a registry between the two); only this package
imports :mod:`sqlite3` and :mod:`psycopg`; :mod:`database.audit` holds
the one audit table of sites, targets and accounts; :mod:`database.migrations`
the numbered schema steps of each component. The stores (:mod:`sites.store`,
:mod:`targets.store`, :mod:`accounts.store`) sit side by side above it, and
:class:`accounts.permissions.Authoriser` is their one authoriser.
"""
