"""Admin page: accounts (add, role, town grants, disable/enable, unlock) and the security log.

Listed in the navigation for admins only; every action still goes through
:class:`accounts.store.AccountStore`, which refuses non-admins itself.
Widget keys: ``admin_new_*``, ``admin_pick``, ``admin_role``, ``admin_towns``,
``admin_save``, ``admin_disable``, ``admin_enable``, ``admin_unlock``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from accounts.permissions import ROLES
from accounts.store import AccountStore
from app_pages.auth import current_actor, current_principal
from app_pages.loaders import current_store
from app_pages.plain import md_escape
from app_pages.ui_text import current_lang, tr
from errors import ProductError
from geodata.boundaries import unit_words

lang = current_lang()
if not current_principal().is_admin:  # not in the navigation for others; refused here too
    st.error(tr("ui.admin.only"))
    st.stop()
store = current_store()
accounts = AccountStore(store)
towns = store.towns()
codes = [str(c) for c in towns.codes]
granted = tr("ui.admin.col.towns", **unit_words(towns.region.level, lang))  # 授权镇街 or 授权区县


def _town(code: str) -> str:
    return f"{towns.town_name(code, lang)} ({code})"


def _run(action, *args, **kwargs) -> None:  # noqa: ANN001  (an AccountStore method)
    try:
        account = action(*args, actor=current_actor(), **kwargs)
    except ProductError as exc:
        st.session_state["admin_flash"] = ("error", md_escape(exc.message(lang)))
        return
    st.session_state["admin_flash"] = ("success", tr("ui.admin.done", user=md_escape(account.username)))


def _save(name: str) -> None:
    wanted = set(st.session_state.get("admin_towns", []))
    current = set(accounts.get(name).towns)
    if st.session_state.get("admin_role") != accounts.get(name).role:
        _run(accounts.set_role, name, st.session_state["admin_role"])
    if wanted - current:
        _run(accounts.grant, name, sorted(wanted - current))
    if current - wanted:
        _run(accounts.revoke, name, sorted(current - wanted))


st.header(tr("ui.page.admin"))
flash = st.session_state.pop("admin_flash", None)
if flash:
    (st.success if flash[0] == "success" else st.error)(flash[1])

listing = accounts.list_accounts()
st.subheader(tr("ui.admin.accounts"))
st.dataframe(pd.DataFrame({
    tr("ui.admin.col.user"): [a.username for a in listing],
    tr("ui.admin.col.role"): [tr(f"ui.role.{a.role}") for a in listing],
    granted: ["、".join(_town(c) for c in a.towns) for a in listing],
    tr("ui.admin.col.state"): [tr("account.state." + ("disabled" if a.disabled else
                                                      "locked" if a.locked_until else "active")) for a in listing],
}), hide_index=True)

with st.expander(tr("ui.admin.add")):
    with st.form("admin_new", clear_on_submit=True):
        new_name = st.text_input(tr("ui.admin.col.user"), key="admin_new_user")
        new_role = st.selectbox(tr("ui.admin.col.role"), ROLES, key="admin_new_role",
                                format_func=lambda r: tr(f"ui.role.{r}"))
        new_towns = st.multiselect(granted, codes, key="admin_new_towns", format_func=_town)
        new_password = st.text_input(tr("ui.admin.password"), type="password", key="admin_new_password")
        if st.form_submit_button(tr("ui.admin.create"), key="admin_create"):
            _run(accounts.add, new_name, role=new_role, password=new_password, towns=new_towns)
            st.rerun()

if listing:
    st.subheader(tr("ui.admin.edit"))
    names = [a.username for a in listing]
    if st.session_state.get("admin_pick") not in names:
        st.session_state["admin_pick"] = names[0]
    picked = accounts.get(st.selectbox(tr("ui.admin.pick"), names, key="admin_pick"))
    if st.session_state.get("admin_loaded") != picked.username:
        st.session_state["admin_loaded"] = picked.username
        st.session_state["admin_role"] = picked.role
        st.session_state["admin_towns"] = list(picked.towns)
    st.selectbox(tr("ui.admin.col.role"), ROLES, key="admin_role", format_func=lambda r: tr(f"ui.role.{r}"))
    st.multiselect(granted, codes, key="admin_towns", format_func=_town)
    buttons = st.columns(4)
    buttons[0].button(tr("ui.admin.save"), key="admin_save", on_click=_save, args=(picked.username,))
    if picked.disabled:
        buttons[1].button(tr("ui.admin.enable"), key="admin_enable", on_click=_run,
                          args=(accounts.enable, picked.username))
    else:
        buttons[1].button(tr("ui.admin.disable"), key="admin_disable", on_click=_run,
                          args=(accounts.disable, picked.username))
    buttons[2].button(tr("ui.admin.unlock"), key="admin_unlock", on_click=_run, args=(accounts.unlock, picked.username),
                      disabled=not picked.locked_until)

st.subheader(tr("ui.admin.log"))
events = accounts.security_events(limit=200)
st.dataframe(pd.DataFrame({
    tr("ui.admin.col.at"): [e.at for e in events],
    tr("ui.admin.col.user"): [e.actor for e in events],
    tr("ui.admin.col.action"): [e.action for e in events],
    tr("ui.admin.col.target"): [e.target for e in events],
    tr("ui.admin.col.outcome"): [e.outcome for e in events],
    tr("ui.admin.col.detail"): [e.detail for e in events],
}), hide_index=True)
