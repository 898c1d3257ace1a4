"""Chinese-first user-facing text, with English as the second language.

Each package keeps its own message table (``messages.py``) and registers it
here; :func:`t` looks a key up in the merged tables. Keys are stable; texts are
``str.format`` templates.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from settings import LANGUAGES, Language

_MESSAGES: dict[str, tuple[str, str]] = {}


def register(table: Mapping[str, tuple[str, str]]) -> None:
    """Add ``{key: (chinese, english)}`` texts; a key may be registered once."""
    for key, pair in table.items():
        if key in _MESSAGES and _MESSAGES[key] != pair:
            raise ValueError(f"message key {key!r} registered twice with different texts")
        _MESSAGES[key] = pair


def default_language() -> Language:
    """The language for text outside a UI session (``SITES_LANGUAGE``, default ``zh``)."""
    lang = os.environ.get("SITES_LANGUAGE", "zh").strip().lower()
    return lang if lang in LANGUAGES else "zh"  # type: ignore[return-value]


def t(key: str, lang: Language | None = None, /, **params: object) -> str:
    """The text for ``key`` in ``lang`` (default: :func:`default_language`).

    An unknown key is returned as is, so a missing translation shows up as the
    key instead of crashing a page.
    """
    lang = lang or default_language()
    pair = _MESSAGES.get(key)
    if pair is None:
        return key
    template = pair[0] if lang == "zh" else pair[1]
    return template.format(**params) if params else template


def keys() -> frozenset[str]:
    return frozenset(_MESSAGES)


register(
    {
        "where.file": ("文件 {file}", "file {file}"),
        "where.row": ("第 {row} 行", "line {row}"),
        "where.field": ("字段“{field}”", "field '{field}'"),
        "sep": ("：", ": "),
        "list_sep": ("；", "; "),
    }
)
