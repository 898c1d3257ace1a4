"""Map-page widgets whose choices survive language switches (like :func:`app_pages.widgets.translated_radio`).

A multiselect's frontend remembers its choices by their displayed labels, so
it gets one widget key per language and the value itself lives under ``key``
in ``st.session_state``.
"""

from __future__ import annotations

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
