"""The product's named errors, all in one place.

Each error is a subclass of a built-in exception (so callers can catch
``ValueError`` or ``LookupError`` as usual) and carries one or more
:class:`Problem` records: what is wrong and where (file, row, field), as a
message key translated by :mod:`i18n` into the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from i18n import default_language, t
from settings import Language


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, and where it is.

    ``row`` is the line number in the user's file (header = line 1) when the
    input came from a file; ``level`` is ``error`` or ``warning``.
    """

    code: str
    params: dict[str, object] = field(default_factory=dict)
    file: str | None = None
    row: int | None = None
    field: str | None = None
    level: str = "error"

    def where(self, lang: Language | None = None) -> str:
        lang = lang or default_language()
        parts = []
        if self.file:
            parts.append(t("where.file", lang, file=self.file))
        if self.row is not None:
            parts.append(t("where.row", lang, row=self.row))
        if self.field:
            parts.append(t("where.field", lang, field=self.field))
        return ", ".join(parts) if lang == "en" else "，".join(parts)

    def message(self, lang: Language | None = None) -> str:
        text = t(self.code, lang, **self.params)
        where = self.where(lang)
        return f"{where}{t('sep', lang)}{text}" if where else text


class ProductError(Exception):
    """Mixin for the errors below: a list of problems, shown in one language."""

    def __init__(self, problems: Problem | list[Problem], *, lang: Language | None = None):
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else list(problems)
        self.lang = lang
        super().__init__(self.message(lang))

    def message(self, lang: Language | None = None) -> str:
        return t("list_sep", lang).join(p.message(lang) for p in self.problems)

    def __str__(self) -> str:
        return self.message(self.lang)


class CRSError(ProductError, ValueError):
    """A coordinate system is missing, unknown, or wrong for the operation."""


class BoundaryError(ProductError, ValueError):
    """A boundary file cannot be used as a set of towns."""


class RecordError(ProductError, ValueError):
    """One or more records (sites, targets, rows of an import) are invalid."""


class ImportRejected(ProductError, ValueError):
    """An import wrote nothing because rows were invalid (see ``problems``)."""


class NotFound(ProductError, LookupError):
    """A site, target or account with that id does not exist."""


class AccessDenied(ProductError, PermissionError):
    """The signed-in account may not do this."""


class StaleEdit(ProductError, RuntimeError):
    """A write expected a record at one version, but someone changed it since: nothing was written.

    ``problems`` say what changed since the expected version, by whom and when
    (read from the audit trail); ``current_version`` is the record's version now
    (``None`` when it has been deleted).
    """

    def __init__(self, problems: Problem | list[Problem], *, current_version: int | None = None,
                 lang: Language | None = None):
        self.current_version = current_version
        super().__init__(problems, lang=lang)


class MapError(ProductError, RuntimeError):
    """The web map cannot be built: an asset is missing or unverified, or a base map lacks its key."""


class UnreadableFile(ImportRejected):
    """A user's input file as a whole cannot be used (malformed, corrupt, empty, not a file): nothing was
    read from it. An :class:`ImportRejected` (so an import's callers handle it), but the command line exits
    with 2 for it, keeping exit 1 for "rows were rejected"."""


class DatabaseError(ProductError, OSError):
    """The database cannot be used: missing (for a read), a URL, not SQLite, damaged, read-only, or another
    program's. Raised before anything is written to the file."""
