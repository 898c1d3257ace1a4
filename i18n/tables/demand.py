"""Demand layers stored in the database (``demand/store.py``) and their use by targets."""

MESSAGES: dict[str, tuple[str, str]] = {
}
