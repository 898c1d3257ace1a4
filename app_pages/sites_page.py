"""Staff page: add a site, or find one to edit, close, and read its history."""

from __future__ import annotations

import datetime

import pandas as pd
import streamlit as st

from app_pages.auth import current_actor
from app_pages.form_site import load_site, render_form
from app_pages.form_text import audit_table, local_time, zone_params
from app_pages.form_widgets import actor_input, actor_missing
from app_pages.loaders import load_sites, site_store
from app_pages.plain import md_escape
from app_pages.ui_text import current_lang, tr
from app_pages.widgets import translated_radio, translated_select
from errors import AccessDenied, NotFound, RecordError, StaleEdit
from geodata.boundaries import unit_words
from i18n import t
from settings import get_settings, load_site_types, site_type
from sites.models import source_name

#: Session keys of the page's own state.
MODE_KEY = "sites_mode"
LOADED_KEY = "edit_loaded"
#: Sites listed in the picker at most (the first by number); the search and the filters narrow the rest.
PICK_LIMIT = 200

lang = current_lang()
store = site_store(str(get_settings().db))
towns = store.towns()
units = unit_words(towns.region.level, lang)  # 镇街 or 区县 in every label

st.header(tr("ui.page.sites"))
actor_input()
mode = translated_radio(tr("ui.sites.mode"), ["add", "edit"], key=MODE_KEY, default="add",
                        format_func=lambda m: t(f"ui.sites.mode.{m}", lang))

if mode == "add":
    st.subheader(tr("ui.sites.add"))
    render_form("add", store)
    st.stop()

# ----------------------------------------------------------------- edit / close


def _close(site_id: int) -> None:
    if actor_missing():
        st.session_state["close_flash"] = ("error", tr("ui.form.actor_first"))
        return
    actor = current_actor()
    try:
        site = store.close(site_id, actor=actor, closed_on=st.session_state.get("edit_close_date"),
                           if_version=st.session_state.get("edit_version"))
    except StaleEdit as exc:  # changed since the form was loaded: offer to reload (the form's button)
        st.session_state["edit_stale"] = True
        st.session_state["close_flash"] = ("error", "\n\n".join(md_escape(p.message(current_lang()))
                                                                for p in exc.problems))
        return
    except (RecordError, NotFound, AccessDenied) as exc:
        st.session_state["close_flash"] = ("error", md_escape(exc.message(current_lang())))
        return
    load_site("edit", site)
    st.session_state["close_flash"] = ("success", tr("ui.sites.closed", id=site.id, name=md_escape(site.name)))


st.subheader(tr("ui.sites.edit"))
codes = ["", *[str(c) for c in towns.codes]]
types = ["", *[tp.key for tp in load_site_types()]]
filters = st.columns([2, 1, 1])
with filters[0]:
    search = st.text_input(tr("ui.sites.search"), key="edit_filter_search").strip().casefold()
with filters[1]:
    town = translated_select(units["Unit"], codes, key="edit_filter_town", default="",
                             format_func=lambda c: towns.town_name(c, lang) if c else t("ui.all", lang))
with filters[2]:
    kind = translated_select(tr("ui.form.field.type"), types, key="edit_filter_type", default="",
                             format_func=lambda k: site_type(k).name(lang) if k else t("ui.all", lang))
frame = load_sites(str(get_settings().db), store.revision())  # cached per revision, shared with the map page
keep = pd.Series(True, index=frame.index)
if town:
    keep &= frame["town_code"].astype(str) == town
if kind:
    keep &= frame["type"] == kind
if search:  # a part of the name or address, or the site's number (#12 or 12)
    words = frame["name"].str.casefold().str.contains(search, regex=False)
    words |= frame["address"].fillna("").str.casefold().str.contains(search, regex=False)
    number = search.removeprefix("#")
    if number.isdigit():
        words |= frame["id"] == int(number)
    keep &= words
found = frame.loc[keep, ["id", "name", "source"]].sort_values("id")
if found.empty:
    st.info(tr("ui.sites.none_found"))
    st.stop()
if len(found) > PICK_LIMIT:  # the list stays short at any scale: the search and filters narrow it
    st.caption(tr("ui.sites.pick_first", n=f"{len(found):,}", shown=PICK_LIMIT, **units))
shown = found.head(PICK_LIMIT)
demo = tr("ui.demo_mark")
labels = {int(i): f"#{i} {name}{demo if source == 'demo' else ''}"
          for i, name, source in shown.itertuples(index=False)}
site_id = st.selectbox(tr("ui.sites.pick"), list(labels), key="edit_pick", format_func=labels.__getitem__)
site = store.get_site(site_id)
if st.session_state.get(LOADED_KEY) != site.id or "edit_version" not in st.session_state:
    load_site("edit", site)
    st.session_state[LOADED_KEY] = site.id
st.caption(tr("ui.sites.current", id=site.id, **units, town=md_escape(towns.town_name(site.town_code, lang) or "—"),
              source=md_escape(source_name(site.source, lang) or "—"), by=md_escape(site.updated_by),
              at=local_time(site.updated_at, get_settings().timezone), **zone_params(get_settings().timezone))
           + " · " + tr("ui.sites.version", version=st.session_state["edit_version"]))
render_form("edit", store, site.id)

st.subheader(tr("ui.sites.close"))
close_cols = st.columns([1, 1, 2])
with close_cols[0]:
    st.date_input(tr("ui.form.field.closed_on"), key="edit_close_date", value=datetime.date.today(),
                  format="YYYY-MM-DD")
with close_cols[1]:
    st.button(tr("ui.sites.close_button"), key="edit_close", on_click=_close, args=(site.id,),
              disabled=site.status == "closed")
flash = st.session_state.pop("close_flash", None)  # its own key: the form above pops edit_flash
if flash:
    (st.success if flash[0] == "success" else st.error)(flash[1])

st.subheader(tr("ui.sites.history"))
history = pd.DataFrame(audit_table(store.history(site.id), lang, zone=get_settings().timezone))
st.dataframe(history, hide_index=True, key="edit_history")
