"""Map-page widgets whose choices survive language switches (like :func:`app_pages.widgets.translated_radio`).

A multiselect's frontend remembers its choices by their displayed labels, so
it gets one widget key per language and the value itself lives under ``key``
in ``st.session_state``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

import streamlit as st

from app_pages.widgets import widget_key


def translated_multiselect(label: str, options: Sequence[str], *, key: str, default: Sequence[str],
                           format_func: Callable[[str], str], placeholder: str | None = None) -> list[str]:
    """A multiselect over ``options`` whose value survives language switches; returns the chosen options.

    ``default`` is used the first time; options no longer offered are dropped.
    """
    if key not in st.session_state:
        st.session_state[key] = list(default)
    st.session_state[key] = [v for v in st.session_state[key] if v in options]
    wkey = widget_key(key)
    st.session_state[wkey] = st.session_state[key]

    def _keep() -> None:
        st.session_state[key] = list(st.session_state[wkey])

    st.multiselect(label, options, format_func=format_func, key=wkey, on_change=_keep, placeholder=placeholder)
    return list(st.session_state[key])


#: Session key of the map page's message (text, kind and the controls' state when it was first shown).
FLASH_KEY = "map_flash"
#: Session keys of the map page that change without the user acting on a control (the map's own state).
_NOT_ACTIONS = frozenset({"map_selected_town", "map_export_html"})
_PLAIN = (bool, int, float, str, datetime.date, type(None))


def set_flash(text: str, kind: str = "success") -> None:
    """Show ``text`` at the top of the map page until the user's next action (see :func:`show_flash`)."""
    st.session_state[FLASH_KEY] = {"text": text, "kind": kind, "seen": None}


def _controls() -> dict[str, object]:
    """The state of the page's controls: every plain ``map_*`` value and the language. The map's own
    reports (view, clicks) are not plain values and are left out, so a pan or a map rerun is no action."""
    state = st.session_state
    controls: dict[str, object] = {}
    for key in (str(k) for k in state):
        if (key.startswith("map_") or key == "lang") and key not in _NOT_ACTIONS and key != FLASH_KEY:
            value = state[key]
            if isinstance(value, (list, tuple)) and all(isinstance(v, _PLAIN) for v in value):
                controls[key] = tuple(value)
            elif isinstance(value, _PLAIN):
                controls[key] = value
    return controls


def _acted(seen: dict[str, object], now: dict[str, object]) -> bool:
    """Whether the user acted between two states of the controls: a control changed its value, or a button
    came in pressed. A control that only appeared or vanished (a button no longer drawn) is no action."""
    return (any(now[k] != seen[k] for k in seen.keys() & now.keys())
            or any(v is True for k, v in now.items() if k not in seen))


def show_flash() -> None:
    """The message set by :func:`set_flash`, shown on every run until the user acts (a pan, a zoom or
    the map's own rerun is not an action: the message stays; the next click of a button or widget change
    clears it). Call at the top of the page, before any control is drawn."""
    flash = st.session_state.get(FLASH_KEY)
    if not flash:
        return
    now = _controls()
    if flash["seen"] is None:
        flash["seen"] = now
    elif _acted(flash["seen"], now):
        st.session_state.pop(FLASH_KEY, None)
        return
    getattr(st, flash["kind"])(flash["text"])
