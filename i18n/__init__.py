"""Chinese-first user-facing text, with English as the second language.

One catalogue, loaded once, explicitly: every text table is plain data in
:mod:`i18n.tables` (one module per domain, listed in :data:`DOMAINS`), each a
``MESSAGES`` dict of ``{key: (chinese, english)}``. Keys are stable; texts are
``str.format`` templates with the same ``{placeholders}`` in both languages.
Nothing registers texts by being imported.

To add a text: add one line to the ``MESSAGES`` of the fitting
``i18n/tables/<domain>.py``; a new domain is a new module plus its name in
:data:`DOMAINS`. A key defined in two tables is an error at load time, and
``tests/test_i18n.py`` checks that every key the code uses exists in both
languages with the same placeholders.

A key that is not in the catalogue raises :class:`KeyError` when the
``strict_i18n`` setting is on (``SITES_STRICT_I18N=1``; the test suite runs
strict), and otherwise shows as ``⟦key⟧`` on the page (and is logged once), so a
missing text is visible but never crashes a page for a user.

The language of text outside a UI session (command lines, library errors) is
the ``language`` setting (``SITES_LANGUAGE``), read once, unless a command sets
its own with :func:`use_language`: see :func:`default_language`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from settings import Language, get_settings

#: The catalogue's tables, in load order: ``i18n/tables/<domain>.py``.
DOMAINS: tuple[str, ...] = (
    "common",
    "sites",
    "accounts",
    "targets",
    "scoring",
    "geodata",
    "network",
    "region",
    "demand",
    "maps",
    "incidents",
    "cli",
    "cli_help",
    "app",
    "app_form",
    "app_map",
    "app_auth",
    "app_admin",
)

#: How a missing key shows outside strict mode: ``⟦key⟧``.
MISSING_MARK = "⟦{key}⟧"

_log = logging.getLogger(__name__)


@cache
def catalogue() -> dict[str, tuple[str, str]]:
    """Every ``{key: (chinese, english)}`` text, loaded once from :data:`DOMAINS`.

    Raises :class:`ValueError` if two tables define the same key or an entry is
    not a pair of strings.
    """
    merged: dict[str, tuple[str, str]] = {}
    where: dict[str, str] = {}
    for domain in DOMAINS:
        table = importlib.import_module(f"i18n.tables.{domain}").MESSAGES
        for key, pair in table.items():
            if key in merged:
                raise ValueError(f"message key {key!r} is defined in i18n/tables/{where[key]}.py and {domain}.py")
            if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(s, str) for s in pair)):
                raise ValueError(f"message key {key!r} in i18n/tables/{domain}.py is not a (chinese, english) pair")
            merged[key] = pair
            where[key] = domain
    return merged


_chosen: ContextVar[Language | None] = ContextVar("i18n_language", default=None)


def default_language() -> Language:
    """The language of text worded without an explicit ``lang``.

    Inside :func:`use_language` (a command's ``--lang``), that language; otherwise
    the ``language`` setting (``SITES_LANGUAGE``, default ``zh``), read once (see
    :func:`reload_settings`).
    """
    return _chosen.get() or _settings()[0]


@contextmanager
def use_language(lang: Language) -> Iterator[None]:
    """Word every text without an explicit ``lang`` in ``lang`` while the block runs (one command's ``--lang``)."""
    token = _chosen.set(lang)
    try:
        yield
    finally:
        _chosen.reset(token)


@cache
def _settings() -> tuple[Language, bool]:
    """``(language, strict_i18n)`` from the settings, read once."""
    settings = get_settings()
    return settings.language, settings.strict_i18n


def reload_settings() -> None:
    """Read ``SITES_LANGUAGE`` and ``SITES_STRICT_I18N`` again on next use (tests call it around every test)."""
    _settings.cache_clear()


def _strict() -> bool:
    return _settings()[1]


def t(key: str, lang: Language | None = None, /, **params: object) -> str:
    """The text for ``key`` in ``lang`` (default: :func:`default_language`), formatted with ``params``.

    A key missing from the catalogue raises :class:`KeyError` in strict mode
    (``SITES_STRICT_I18N=1``, as in the tests) and otherwise returns ``⟦key⟧``.
    """
    lang = lang or default_language()
    pair = catalogue().get(key)
    if pair is None:
        if _strict():
            raise KeyError(f"no text for message key {key!r}: add it to a table in i18n/tables/")
        _missing(key)
        return MISSING_MARK.format(key=key)
    template = pair[0] if lang == "zh" else pair[1]
    return template.format(**params) if params else template


def keys() -> frozenset[str]:
    """Every key of the catalogue."""
    return frozenset(catalogue())


@cache
def _missing(key: str) -> None:
    _log.warning("no text for message key %r (shown as %s)", key, MISSING_MARK.format(key=key))
