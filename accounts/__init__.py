"""Accounts of a shared deployment: the account store, roles and town grants (the one authoriser), the security log."""
