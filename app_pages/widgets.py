"""Widgets that keep their value when the UI language changes.

Streamlit's frontend remembers a radio's or selectbox's choice by its displayed
label, so translating the labels in place loses the choice. These widgets use
one widget key per language and hold the value itself under ``key`` in
``st.session_state``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import streamlit as st

from app_pages.ui_text import current_lang, tr
from settings import get_settings


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

    labels = {option: format_func(option) for option in options}  # worded in this run's language, not later
    widget(label, options, format_func=labels.__getitem__, key=wkey, on_change=_keep, **kwargs)
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


#: Streamlit's own words on every uploader (its button and its size line), which it writes in English only.
_UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
    content: {button}; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: {limit}; font-size: 0.875rem; }}
</style>"""


def uploader_words() -> None:
    """In the Chinese UI, word the uploaders' button and size line in Chinese (选择文件; 单个文件不超过 20 MB):
    Streamlit writes them in English ("Upload", "20MB per file • CSV, …") whatever the page's language. The
    limit is the product's (``upload_max_mb``, which ``.streamlit/config.toml`` and ``scripts/run-app.sh`` give
    Streamlit); each uploader's label names the file types. English keeps Streamlit's own words."""
    if current_lang() != "zh":
        return
    limit = f"{get_settings().upload_max_mb:g}"
    st.html(_UPLOADER_CSS.format(button=json.dumps(tr("ui.upload.button"), ensure_ascii=False),
                                 limit=json.dumps(tr("ui.upload.limit", mb=limit), ensure_ascii=False)))
