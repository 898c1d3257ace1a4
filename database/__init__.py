"""The database layer under every store: connection, transactions, migrations and the audit trail."""
