"""The import part of the data page: upload, preview with a status per row and every error, then commit.

Also the role check every upload on the pages runs before it reads a byte
(:func:`upload_allowed`): the import and the demand layer need an editor or an
admin (:data:`UPLOAD_ROLES`), the region an admin.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from accounts.permissions import Role
from app_pages.auth import current_actor, current_principal, write_refusals
from app_pages.data_files import safe_name, uploaded_records
from app_pages.form_site import CRS_OPTIONS
from app_pages.form_widgets import actor_missing
from app_pages.plain import md_escape
from app_pages.ui_text import current_lang, tr
from app_pages.widgets import translated_radio
from errors import AccessDenied, ImportRejected, Problem
from i18n import t
from sites.io import IMPORT_EXTENSIONS, template_bytes
from sites.store import SiteStore
from sites.validation import RawRecords, swap_lnglat, swapped_lines

#: MIME type of the XLSX template download.
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Who may upload a file to be read on the server (import, demand layer): an editor or an admin. A viewer
#: "reads everything, writes nothing" (accounts.permissions); an upload is stored and parsed on the server, a write.
UPLOAD_ROLES: tuple[Role, ...] = ("editor", "admin")
#: Who may upload a boundary file and preview or switch the region.
REGION_ROLES: tuple[Role, ...] = ("admin",)


def may_upload(roles: tuple[Role, ...]) -> bool:
    """Whether this session's account has one of ``roles`` (to say so by an uploader; local mode: yes).

    Only a hint: the uploader stays, so that an attempt is refused by :func:`upload_allowed` and logged.
    """
    return current_principal().role in roles


def upload_allowed(store: SiteStore, *, roles: tuple[Role, ...], action: str, target: str) -> bool:
    """Check the account's role before an uploaded file is read; refuse, log and say why if it has none of ``roles``.

    The registry's authoriser (:meth:`accounts.permissions.Authoriser.check_role`)
    reads the role again, so a role taken away a moment ago counts, and writes a
    refusal to the security log (``denied``, ``action`` on ``target``); it is
    shown here as an error. Local mode: the local user is an admin, always allowed.
    """
    try:
        store.authoriser.check_role(current_actor(), roles, action, target)
    except AccessDenied as exc:
        st.error(md_escape(exc.message(current_lang())))
        return False
    return True


def problems_table(problems: list[Problem]) -> pd.DataFrame:
    """Line, field, level and reason of each problem, in the session's language."""
    lang = current_lang()
    return pd.DataFrame({
        tr("ui.data.col.line"): [p.row if p.row is not None else "" for p in problems],
        tr("ui.data.col.field"): [p.field or "" for p in problems],
        tr("ui.data.col.level"): [tr(f"ui.data.level.{p.level}") for p in problems],
        tr("ui.data.col.reason"): [t(p.code, lang, **p.params) for p in problems],
    })


#: Rows of an upload's preview, and of its problems, shown at most (the counts above them are of the whole file).
PREVIEW_ROWS = 1000
#: Where the session keeps the check of the file on screen, with what it was made from.
CHECK_KEY = "data_import_check"


def _preview(records: RawRecords, problems: list[Problem]) -> pd.DataFrame:
    """The uploaded rows under the file's own headers, after a line column and a check column.

    The file's headers are data: a sheet may well have a column called 状态 or 行号 (the import asks for
    状态). The two columns of the page come first and a file column of the same name is shown as
    ``状态 (2)``, so no header of a file can clash with them (pandas refuses two columns of one name).
    """
    bad = {p.row for p in problems if p.level == "error"}
    warned = {p.row for p in problems if p.level == "warning"}
    checks = [tr("ui.data.row_bad") if line in bad else tr("ui.data.row_warn") if line in warned
              else tr("ui.data.row_ok") for line in records.lines]
    columns: dict[str, list[object]] = {tr("ui.data.col.line"): list(records.lines),
                                        tr("ui.data.col.check"): checks}
    for field_name in records.frame.columns:
        label = str(records.headers.get(field_name, field_name))
        unique, n = label, 1
        while unique in columns:
            n += 1
            unique = f"{label} ({n})"
        columns[unique] = records.frame[field_name].tolist()
    return pd.DataFrame(columns).astype(str)


def render_import(store: SiteStore) -> None:
    """Upload → preview (per-row status, errors table) → commit (all or nothing, or skip invalid rows)."""
    lang = current_lang()
    allowed = may_upload(UPLOAD_ROLES)
    upload = st.file_uploader(tr("ui.data.upload"), type=[e[1:] for e in IMPORT_EXTENSIONS], key="data_upload",
                              help=None if allowed else tr("ui.data.upload_role"))
    crs = translated_radio(tr("ui.form.crs"), list(CRS_OPTIONS), key="data_crs", default=CRS_OPTIONS[0],
                           format_func=lambda c: t(f"ui.crs.{c}", lang))
    options = st.columns(2)
    skip = options[0].checkbox(tr("ui.data.skip_invalid"), key="data_skip_invalid")
    allow_dup = options[1].checkbox(tr("ui.data.allow_duplicates"), key="data_allow_duplicates")
    st.download_button(tr("ui.data.template"), data=lambda: template_bytes(lang), file_name=tr("ui.data.template_file"),
                       mime=XLSX_MIME, key="data_template", on_click="ignore", help=tr("ui.data.template_help"))
    if upload is None:
        st.caption(tr("ui.data.upload_hint") if allowed else tr("ui.data.upload_role"))
        return
    if not upload_allowed(store, roles=UPLOAD_ROLES, action="import_preview", target="data_upload"):
        return  # before the file is read or checked
    name = safe_name(upload.name)
    data = upload.getvalue()
    swap_key = (name, len(data), crs)
    swapped = st.session_state.get("data_swap")
    fixes = tuple(swapped[1]) if swapped and swapped[0] == swap_key else ()
    # The check of this file as it stands (its bytes, the options, the swaps asked, the registry's revision and
    # who asks) is kept for the session: a click that changes none of them (the skip box, the language, a
    # table) does not read and check every row again (1.4 s of CPU at 50,000 rows).
    check_key = (hashlib.sha256(data).hexdigest(), name, crs, allow_dup, fixes, store.revision(),
                 current_principal().username)
    kept = st.session_state.get(CHECK_KEY)
    if kept is not None and kept[0] == check_key:
        records, result, denied = kept[1]
    else:
        try:
            records = uploaded_records(name, data)
        except ImportRejected as exc:
            st.error(tr("ui.data.unreadable", file=md_escape(name)))
            st.dataframe(problems_table(exc.problems), hide_index=True)
            return
        if fixes:  # the user asked for the one-step fix of the swapped rows
            records = swap_lnglat(records, list(fixes))
        with st.spinner(tr("ui.data.checking", n=len(records))):
            result = store.validate(records, crs=crs, allow_duplicates=allow_dup, default_source=name)
        denied = write_refusals(store, result.drafts, name)  # rows in a town this account may not write
        st.session_state[CHECK_KEY] = (check_key, (records, result, denied))
    problems = [*result.problems, *denied]
    to_swap = swapped_lines(problems)
    if to_swap:
        st.warning(tr("ui.data.swap_found", n=len(to_swap), lines=("、" if lang == "zh" else ", ").join(str(x) for x in to_swap[:20])))
        st.button(tr("ui.data.swap", n=len(to_swap)), key="data_swap_button", on_click=_ask_swap,
                  args=(swap_key, [*fixes, *to_swap]))
    n_bad = len(result.rejected) + len(denied)
    st.markdown(tr("ui.data.preview", file=md_escape(name), n=len(records), ok=len(records) - n_bad, bad=n_bad))
    preview = _preview(records, problems)
    if len(preview) > PREVIEW_ROWS:  # a page of rows, those with a problem first: never 50,000 rows to the browser
        flagged = preview[tr("ui.data.col.check")] != tr("ui.data.row_ok")
        preview = pd.concat([preview[flagged], preview[~flagged]]).head(PREVIEW_ROWS)
        st.caption(tr("ui.data.preview_first", shown=f"{PREVIEW_ROWS:,}", n=f"{len(records):,}"))
    st.dataframe(preview, hide_index=True)
    if problems:
        st.subheader(tr("ui.data.problems"))
        if len(problems) > PREVIEW_ROWS:
            st.caption(tr("ui.data.problems_first", shown=f"{PREVIEW_ROWS:,}", n=f"{len(problems):,}"))
        st.dataframe(problems_table(problems[:PREVIEW_ROWS]), hide_index=True)
    if st.button(tr("ui.data.commit"), key="data_commit", type="primary"):
        if actor_missing():
            st.error(tr("ui.data.actor_first"))
            return
        _commit(store, records, crs, skip=skip, allow_dup=allow_dup, source=name)


def _skip_hint(ok: int) -> None:
    """After a refused import: the way to import the ``ok`` rows without errors (the skip-invalid checkbox)."""
    if ok > 0:
        st.info(tr("ui.data.rejected_skip", n=ok, option=tr("ui.data.skip_invalid"), commit=tr("ui.data.commit")))
    else:
        st.info(tr("ui.data.rejected_none"))


def _ask_swap(key: tuple, lines: list[int | None]) -> None:
    """Button callback: exchange longitude and latitude on ``lines`` of the upload ``key`` from now on."""
    st.session_state["data_swap"] = (key, lines)


def _commit(store: SiteStore, records: RawRecords, crs: str, *, skip: bool, allow_dup: bool, source: str) -> None:
    actor = current_actor()
    with st.status(tr("ui.data.importing", n=len(records)), expanded=True) as status:
        st.write(tr("ui.data.step_validate"))
        progress = st.progress(0.3)
        try:
            report = store.import_records(records, actor=actor, crs=crs, skip_invalid=skip,
                                          allow_duplicates=allow_dup, source=source)
        except (ImportRejected, AccessDenied) as exc:
            progress.progress(1.0)
            status.update(label=tr("ui.data.rejected"), state="error")
            st.error(md_escape(exc.problems[0].message(current_lang())))
            summary = exc.problems[0].params if isinstance(exc, ImportRejected) else {}
            if "total" in summary and "bad" in summary:
                _skip_hint(int(str(summary["total"])) - int(str(summary["bad"])))
            return
        progress.progress(1.0)
        status.update(label=tr("ui.data.imported", written=len(report.written),
                               rejected=len(report.rejected_lines)), state="complete")
    st.success(tr("ui.data.imported", written=len(report.written), rejected=len(report.rejected_lines)))
