"""Who is using the app: the sign-in form of ``shared`` mode and the actor every write passes on.

``local`` mode (settings ``mode``): nobody signs in; the actor is the name typed
in the sidebar (:func:`app_pages.form_widgets.actor_input`), the local admin.
``shared`` mode: ``app.py`` shows :func:`sign_in_form` until an account signs
in; the session keeps only a session token (``st.session_state[TOKEN_KEY]``),
and every run resumes it through :meth:`accounts.store.AccountStore.resume_session`,
so an expired session, a disabled account or a changed grant takes effect on
the next click. Pages hide write controls from viewers, but the registry is
what refuses (every write checks the principal in the package layer).

Streamlit's OpenID Connect sign-in (``st.login``) is not offered: its code
path could not be covered by tests without an identity provider.
"""

from __future__ import annotations

import streamlit as st

from accounts.permissions import Actor, Principal, write_problem
from accounts.store import AccountStore
from app_pages.loaders import current_store
from app_pages.plain import md_escape
from app_pages.ui_text import current_lang, tr
from errors import AccessDenied, DatabaseError, Problem
from settings import get_settings
from sites.store import SiteStore, default_actor
from sites.validation import SiteDraft

#: Session keys: the session token of a signed-in account, and a sign-in message to show once.
TOKEN_KEY = "session_token"
NOTICE_KEY = "sign_in_notice"
#: Session key: this session was told where the app made a new database.
DB_NOTICE_KEY = "database_created_notice"
#: Session key of the name written to the audit trail in local mode (the "填报人" field of the forms).
ACTOR_KEY = "actor_name"
_ANNOUNCED: set[str] = set()  # databases whose creation a session of this server has been told


def shared_mode() -> bool:
    return get_settings().mode == "shared"


def open_database() -> SiteStore:
    """The registry of ``SITES_DB``, checked before any page runs (``app.py``).

    The app's first start makes the database and says where (in the sidebar, for that session).
    A database that cannot be used (a URL, not SQLite, damaged, read-only,
    another program's) stops the app with the reason. In ``local`` mode a
    database that has accounts stops it too, saying how to sign in: it belongs
    to a shared deployment, which no one reads or writes without signing in.
    """
    try:
        store = current_store()
    except DatabaseError as exc:
        st.error(md_escape(exc.message(current_lang())))
        st.stop()
    if store.created and str(store.path) not in _ANNOUNCED:  # the store is shared by every session: tell the first
        _ANNOUNCED.add(str(store.path))
        st.session_state[DB_NOTICE_KEY] = True
    if st.session_state.get(DB_NOTICE_KEY):
        # in the sidebar, on every run of this session: a notice in the page body on the first run only would
        # shift every element under it on the next run, and the map below would be mounted anew
        st.sidebar.info(md_escape(tr("sites.db_created", db=store.path.resolve())))
    if not shared_mode() and store.authoriser.has_accounts():
        st.error(md_escape(tr("access.local_mode_has_accounts", db=store.path)))
        st.stop()
    return store


def signed_in() -> Principal | None:
    """The signed-in principal of this session with its current role and towns (shared mode), or ``None``."""
    token = st.session_state.get(TOKEN_KEY)
    if not token:
        return None
    try:
        return AccountStore(current_store()).resume_session(token)
    except AccessDenied as exc:
        del st.session_state[TOKEN_KEY]
        st.session_state[NOTICE_KEY] = exc.message(current_lang())
        return None


def current_principal() -> Principal:
    """Who is using the app: the signed-in account (shared) or the local user, an admin (local)."""
    if shared_mode():
        principal = signed_in()
        if principal is None:
            st.stop()
        return principal
    return Principal.local_user(st.session_state.get(ACTOR_KEY) or default_actor())


def current_actor() -> Actor:
    """What the pages pass to the registry's writes as ``actor``."""
    return current_principal()


def write_refusals(store: SiteStore, drafts: list[SiteDraft], file: str | None = None) -> list[Problem]:
    """Why this session's account may not write each of ``drafts`` (new sites, each with its ``row``): an editor's
    rows in towns not granted, by the registry's own rule (:func:`accounts.permissions.write_problem`), so an
    import preview marks them before the registry refuses the commit. Admins (and the local user): none."""
    principal = current_principal()
    if principal.is_admin:
        return []
    towns = store.towns()
    names = {c: (towns.town_name(c, "zh"), towns.town_name(c, "en")) for c in {d.town_code for d in drafts} if c}
    return [p for d in drafts
            if (p := write_problem(principal, None, d, town_names=names, file=file, row=d.row)) is not None]


def sign_in_form() -> None:
    """The sign-in form (widget keys ``sign_in_user``, ``sign_in_password``, ``sign_in_submit``)."""
    st.subheader(tr("ui.auth.title"))
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.warning(md_escape(notice))
    accounts = AccountStore(current_store())
    if not accounts.list_accounts():
        st.info(tr("ui.auth.no_accounts"))
        return
    with st.form("sign_in"):
        username = st.text_input(tr("ui.auth.username"), key="sign_in_user")
        password = st.text_input(tr("ui.auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(tr("ui.auth.submit"), key="sign_in_submit")
    if submitted:
        try:
            principal = accounts.authenticate(username, password)
        except AccessDenied as exc:
            st.error(md_escape(exc.message(current_lang())))
            return
        st.session_state[TOKEN_KEY] = accounts.start_session(principal)
        st.rerun()


def sign_out_button(principal: Principal) -> None:
    """Who is signed in, and a sign-out button (sidebar)."""
    st.caption(tr("ui.auth.who", user=md_escape(principal.username), role=tr(f"ui.role.{principal.role}")))
    if st.button(tr("ui.auth.sign_out"), key="sign_out"):
        token = st.session_state.pop(TOKEN_KEY, None)
        if token:
            AccountStore(current_store()).end_session(token)
        st.rerun()
