"""The app's own UI text (Chinese first, English second) and the session's language.

The language lives in ``st.session_state[LANG_KEY]``, set by the sidebar switch
in ``app.py``; :func:`tr` translates a key into it.
"""

from __future__ import annotations

import streamlit as st

from i18n import t
from settings import LANGUAGES, Language, get_settings

#: Session-state key (and widget key) of the language switch.
LANG_KEY = "lang"
LANGUAGE_NAMES: dict[str, str] = {"zh": "中文", "en": "English"}


def current_lang() -> Language:
    """The session's UI language (default from ``SITES_LANGUAGE``)."""
    lang = st.session_state.get(LANG_KEY)
    return lang if lang in LANGUAGES else get_settings().language


def tr(key: str, /, **params: object) -> str:
    """The text for ``key`` in the session's language."""
    return t(key, current_lang(), **params)
