"""The last resort: an unexpected error becomes an incident id for the user and a traceback in a log file.

No traceback ever reaches a user. :func:`record_incident` appends the traceback
of an unexpected exception to the incident log and returns a short id;
:func:`incident_message` is what the user sees instead ("内部错误，编号 XXXX，详情已记录在
<path>"). The log is ``incidents.log`` in the user's log directory
(``platformdirs.user_log_dir("worker-sites")``), or ``SITES_INCIDENT_LOG``
(:attr:`settings.Settings.incident_log`); when neither can be written, the
system's temporary directory.

:func:`cli_failure` is the one error handler of the three command lines
(``python -m sites``, ``-m scoring``, ``-m geodata``): it turns any exception
into a message in the user's language and an exit code. Exit 1 means "an import
rejected rows" and nothing else; every other failure is exit 2:

* a named error of :mod:`errors` → its problems (file, row, field);
* an input file that cannot be read (missing, a folder, no permission, corrupt
  zip, undecodable text, malformed content) → which file and why;
* anything else → an incident id and where its details were logged.
"""

from __future__ import annotations

import datetime
import os
import secrets
import sys
import tempfile
import traceback
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import platformdirs

from errors import ImportRejected, Problem, ProductError, UnreadableFile
from i18n import t
from settings import APP_NAME, Language

LOG_NAME = "incidents.log"


@dataclass(frozen=True, slots=True)
class Incident:
    """An unexpected error that was logged: its ``id`` and the log file (``None`` if it could not be written)."""

    id: str
    path: Path | None
    reason: str = ""

    def message(self, lang: Language | None = None) -> str:
        if self.path is None:
            return t("incident.message_unlogged", lang, id=self.id, reason=self.reason)
        return t("incident.message", lang, id=self.id, path=self.path)


def log_path() -> Path:
    """The incident log: ``SITES_INCIDENT_LOG``, else ``incidents.log`` in the user's log directory.

    Never fails: settings that cannot be read (the error being logged may be one) fall back to the default.
    """
    try:
        from settings import get_settings

        configured = get_settings().incident_log
    except Exception:  # noqa: BLE001  (broken settings must not stop the incident from being logged)
        configured = None
    if configured is not None:
        return Path(os.path.expanduser(str(configured)))
    return Path(platformdirs.user_log_dir(APP_NAME)) / LOG_NAME


def new_id() -> str:
    """A short id a user can read out on the phone: 8 characters, 0-9 and A-F."""
    return secrets.token_hex(4).upper()


def record_incident(exc: BaseException, *, context: str = "", path: Path | None = None) -> Incident:
    """Append ``exc`` with its traceback, the time and ``context`` to the incident log; return its id.

    ``path``: the log file (default :func:`log_path`). When it cannot be written, the temporary directory's
    ``worker-sites-incidents.log`` is tried; when that fails too, the incident has no path and its message
    says why.
    """
    incident_id = new_id()
    now = datetime.datetime.now(datetime.UTC).astimezone().isoformat(timespec="seconds")
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    entry = f"=== incident {incident_id} at {now} pid {os.getpid()} {context}\n{text}\n"
    reason = ""
    for candidate in (path or log_path(), Path(tempfile.gettempdir()) / f"{APP_NAME}-{LOG_NAME}"):
        try:
            candidate.parent.mkdir(parents=True, exist_ok=True)
            with open(candidate, "a", encoding="utf-8", errors="backslashreplace") as fh:
                fh.write(entry)
            return Incident(incident_id, candidate)
        except OSError as err:
            reason = err.strerror or type(err).__name__
    return Incident(incident_id, None, reason)


def input_problem(exc: BaseException, file: str | None = None) -> Problem | None:
    """Why a user's file could not be read, as a :class:`errors.Problem` naming ``file`` (default: the
    exception's own file name); ``None`` when ``exc`` is not about reading a file."""
    file = file or getattr(exc, "filename", None)
    if isinstance(exc, FileNotFoundError):
        return Problem("input.not_found", file=file)
    if isinstance(exc, IsADirectoryError):
        return Problem("input.is_directory", file=file)
    if isinstance(exc, PermissionError):
        return Problem("input.no_permission", file=file)
    if isinstance(exc, OSError):
        return Problem("input.os_error", {"reason": exc.strerror or type(exc).__name__}, file=file)
    if isinstance(exc, UnicodeError):
        return Problem("input.encoding", file=file)
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        return Problem("input.bad_zip", file=file)
    if isinstance(exc, ValueError):
        reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        return Problem("input.malformed", {"reason": reason}, file=file)
    return None


def cli_failure(exc: BaseException, lang: Language | None = None, *, files: Sequence[str | None] = (),
                context: str = "", out: TextIO | None = None) -> int:
    """Print why a command failed (in ``lang``, no traceback) and return its exit code.

    ``files``: the user's input files of the command (``None`` entries ignored): an ``OSError``,
    ``UnicodeError``, ``ValueError`` or corrupt zip that names no file is reported against them.
    Exit 1 only for :class:`errors.ImportRejected` (rows were rejected; :class:`errors.UnreadableFile` is 2),
    else 2. An error that is not about the user's input is logged by :func:`record_incident`.
    """
    out = out or sys.stderr
    given = [str(f) for f in files if f]
    if isinstance(exc, ProductError):  # one line per problem (file, row, field), as an import reports them
        for problem in exc.problems:
            print(terminal_text(problem.message(lang)), file=out)
        return 1 if isinstance(exc, ImportRejected) and not isinstance(exc, UnreadableFile) else 2
    if _is_settings_error(exc):
        print(terminal_text(t("input.settings", lang, reason=str(exc).strip())), file=out)
        return 2
    problem = input_problem(exc, getattr(exc, "filename", None) or ", ".join(given) or None)
    if problem is not None and problem.file:
        line = problem.message(lang)
        if problem.code == "input.malformed":
            # A bare ValueError may be a fault of ours met while reading the file: keep its traceback too.
            line += t("list_sep", lang) + record_incident(exc, context=context).message(lang)
        print(terminal_text(line), file=out)
        return 2
    print(terminal_text(record_incident(exc, context=context).message(lang)), file=out)
    return 2


def _is_settings_error(exc: BaseException) -> bool:
    try:
        from pydantic import ValidationError
    except ImportError:  # pragma: no cover - pydantic is a requirement
        return False
    return isinstance(exc, ValidationError)


def terminal_text(text: str) -> str:
    """Text for a terminal: every non-printable character but newline (escape sequences, bells, tabs)
    shown as its escape. The one rule, used by :func:`cli_failure` and :func:`cli.output.clean`."""
    return "".join(ch if ch.isprintable() or ch == "\n" else ch.encode("unicode_escape", "backslashreplace").decode()
                   for ch in text)
