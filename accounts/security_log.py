"""The security log: sign-ins, refused writes and account changes, in the registry database.

One row per event in the ``security_log`` table (created by the ``accounts``
component, :data:`accounts.schema.ACCOUNT_MIGRATIONS`): when (UTC ISO 8601), who
(the account name, or the name typed at a failed sign-in), what was attempted,
on what, the outcome and why. Passwords and session tokens are never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from database.connection import Connection

Outcome = Literal["ok", "denied", "failed"]

#: Longest stored text of one field (a typed user name could be anything).
MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    id: int
    at: str
    actor: str
    action: str
    target: str
    outcome: Outcome
    detail: str


def record(conn: Connection, *, at: str, actor: str, action: str, target: str, outcome: Outcome,
           detail: str = "") -> None:
    """Append one event (inside the caller's transaction)."""
    conn.execute("INSERT INTO security_log (at, actor, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)",
                 (at, actor[:MAX_TEXT], action[:MAX_TEXT], target[:MAX_TEXT], outcome, detail[:MAX_TEXT]))


def events(conn: Connection, *, actor: str | None = None, outcome: Outcome | None = None,
           limit: int = 1000) -> list[SecurityEvent]:
    """The newest ``limit`` events, newest first, optionally of one actor or outcome."""
    clauses, params = [], []
    if actor is not None:
        clauses.append("actor = ?")
        params.append(actor)
    if outcome is not None:
        clauses.append("outcome = ?")
        params.append(outcome)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(f"SELECT id, at, actor, action, target, outcome, detail FROM security_log {where} "
                        "ORDER BY id DESC LIMIT ?", (*params, int(limit))).fetchall()
    return [SecurityEvent(*row) for row in rows]
