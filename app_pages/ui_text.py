"""The session's language and :func:`tr`, the app's way to word a message key.

The language lives in ``st.session_state[LANG_KEY]``, set by the sidebar switch
in ``app.py`` (first: the ``language`` setting, :func:`i18n.default_language`);
:func:`tr` words a key of the catalogue (:mod:`i18n`, tables ``app*.py``) in it.
"""

from __future__ import annotations

import streamlit as st

from i18n import default_language, t
from settings import LANGUAGES, Language

#: Session-state key (and widget key) of the language switch.
LANG_KEY = "lang"
LANGUAGE_NAMES: dict[str, str] = {"zh": "中文", "en": "English"}


def current_lang() -> Language:
    """The session's UI language (at first the ``language`` setting, ``SITES_LANGUAGE``)."""
    lang = st.session_state.get(LANG_KEY)
    return lang if lang in LANGUAGES else default_language()


def tr(key: str, /, **params: object) -> str:
    """The text for ``key`` in the session's language."""
    return t(key, current_lang(), **params)
