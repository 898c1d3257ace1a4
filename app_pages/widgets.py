"""Widgets that keep their value when the UI language changes.

Streamlit's frontend remembers a radio's or selectbox's choice by its displayed
label, so translating the labels in place loses the choice. These widgets use
one widget key per language and hold the value itself under ``key`` in
``st.session_state``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from app_pages.ui_text import current_lang


def widget_key(key: str) -> str:
    """The widget key behind ``key`` in the session's language (what AppTest looks up)."""
    return f"{key}_{current_lang()}"


def _translated(widget: Callable[..., object], label: str, options: Sequence[str], *, key: str, default: str,
                format_func: Callable[[str], str], **kwargs: object) -> str:
    """Draw ``widget`` (st.radio or st.selectbox) over ``options``, holding its value under ``key``."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    wkey = widget_key(key)
    st.session_state[wkey] = st.session_state[key]

    def _keep() -> None:
        st.session_state[key] = st.session_state[wkey]

    widget(label, options, format_func=format_func, key=wkey, on_change=_keep, **kwargs)
    return st.session_state[key]


def translated_radio(label: str, options: Sequence[str], *, key: str, default: str,
                     format_func: Callable[[str], str], horizontal: bool = True) -> str:
    """A radio over ``options`` whose value survives language switches; returns the chosen option.

    ``default`` is used when ``st.session_state[key]`` holds no valid option.
    """
    return _translated(st.radio, label, options, key=key, default=default, format_func=format_func,
                       horizontal=horizontal)


def translated_select(label: str, options: Sequence[str], *, key: str, default: str,
                      format_func: Callable[[str], str]) -> str:
    """A selectbox over ``options`` whose value survives language switches; returns the chosen option."""
    return _translated(st.selectbox, label, options, key=key, default=default, format_func=format_func)
