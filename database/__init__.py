"""The database layer under every store: the registry file, transactions, migrations, the clock and the audit trail.

:mod:`database.connection` (:class:`~database.connection.Database`) is the only
module of the program that imports :mod:`sqlite3`; :mod:`database.audit` holds
the one audit table of sites, targets and accounts; :mod:`database.migrations`
the numbered schema steps of each component. The stores (:mod:`sites.store`,
:mod:`targets.store`, :mod:`accounts.store`) sit side by side above it, and
:class:`accounts.permissions.Authoriser` is their one authoriser.
"""
