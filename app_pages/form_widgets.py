"""Widgets of the staff, leadership and data pages that keep their value across language switches and pages.

Same idea as :func:`app_pages.widgets.translated_radio`: the value lives under
``key`` in ``st.session_state``; the widget itself has one key per language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from app_pages import form_text  # noqa: F401  (registers the texts)
from app_pages.ui_text import tr
from app_pages.widgets import widget_key
from settings import get_settings
from sites.storage import default_actor

#: Session key of the name written to the audit trail (the "填报人" field).
ACTOR_KEY = "actor_name"


def translated_select(label: str, options: Sequence[str], *, key: str, default: str,
                      format_func: Callable[[str], str]) -> str:
    """A selectbox over ``options`` whose value survives language switches; returns the chosen option."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    wkey = widget_key(key)
    st.session_state[wkey] = st.session_state[key]

    def _keep() -> None:
        st.session_state[key] = st.session_state[wkey]

    st.selectbox(label, options, format_func=format_func, key=wkey, on_change=_keep)
    return st.session_state[key]


def actor_input() -> str:
    """The "your name" field (default ``SITES_USER`` or the OS user); the name every write is recorded under.

    Widget key ``actor_input``; the value is kept under :data:`ACTOR_KEY` so it
    survives moving between pages. In ``shared`` mode there is no such field:
    writes are recorded under the signed-in account (:mod:`app_pages.auth`).
    """
    if get_settings().mode == "shared":
        from app_pages.auth import current_principal  # auth imports this module

        return current_principal().username
    st.session_state.setdefault(ACTOR_KEY, default_actor())
    st.session_state["actor_input"] = st.session_state[ACTOR_KEY]

    def _keep() -> None:
        st.session_state[ACTOR_KEY] = st.session_state["actor_input"].strip()

    st.text_input(tr("ui.form.actor"), key="actor_input", on_change=_keep, help=tr("ui.form.actor_help"))
    return st.session_state[ACTOR_KEY] or default_actor()
