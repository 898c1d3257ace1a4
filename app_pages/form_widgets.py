"""Widgets shared by the staff, leadership and data pages."""

from __future__ import annotations

import os

import streamlit as st

from app_pages.auth import ACTOR_KEY, current_principal
from app_pages.ui_text import tr
from settings import get_settings


def actor_input() -> str:
    """The "your name" field (a required field: empty unless ``SITES_USER`` names someone, never the server's OS
    user); the name every write is recorded under.

    Widget key ``actor_input``; the value is kept under :data:`ACTOR_KEY` so it
    survives moving between pages. In ``shared`` mode there is no such field:
    writes are recorded under the signed-in account (:mod:`app_pages.auth`).
    """
    if get_settings().mode == "shared":
        return current_principal().username
    st.session_state.setdefault(ACTOR_KEY, os.environ.get("SITES_USER", "").strip())
    st.session_state["actor_input"] = st.session_state[ACTOR_KEY]

    def _keep() -> None:
        st.session_state[ACTOR_KEY] = st.session_state["actor_input"].strip()

    st.text_input(tr("ui.form.actor") + " *", key="actor_input", on_change=_keep, help=tr("ui.form.actor_help"),
                  placeholder=tr("ui.form.actor_placeholder"))
    if not st.session_state[ACTOR_KEY]:
        st.caption(tr("ui.form.actor_required"))
    return str(st.session_state[ACTOR_KEY])


def actor_missing() -> bool:
    """Local mode with the "your name" field empty: a write must wait for a name (shared mode: the account)."""
    return get_settings().mode != "shared" and not st.session_state.get(ACTOR_KEY)
