"""The target editor of the leadership page: add a target, or change or delete one (audited by the store)."""

from __future__ import annotations

import datetime

import streamlit as st

from app_pages.auth import current_actor
from app_pages.plain import md_escape
from app_pages.ui_text import current_lang, tr
from app_pages.widgets import translated_radio, translated_select, widget_key
from errors import AccessDenied, NotFound, Problem, RecordError, StaleEdit
from geodata.boundaries import unit_words
from i18n import t
from settings import load_site_types, site_type
from sites.models import STATUSES, status_name
from targets.model import MEASURES, SCOPES, Target
from targets.store import TargetStore

#: The target picker's value for "a new target".
NEW = 0


def _load(target: Target | None) -> None:
    state = st.session_state
    state["target_name"] = target.name if target else ""
    state["target_site_type"] = target.site_type if target else load_site_types()[0].key
    state["target_scope"] = target.scope if target else "each_town"
    state["target_towns"] = list(target.towns) if target else []
    state["target_measure"] = target.measure if target else "site_count"
    state["target_threshold"] = float(target.threshold) if target else 1.0
    state["target_radius_m"] = float(target.radius_m or 0) if target else 0.0
    state["target_statuses"] = list(target.statuses) if target else ["open"]
    state["target_deadline"] = target.deadline if target else datetime.date(datetime.date.today().year, 12, 31)
    state["target_notes"] = target.notes if target else ""
    state["target_new_only"] = bool(target and target.new_since)
    state["target_new_since"] = (target.new_since if target and target.new_since
                                 else datetime.date(datetime.date.today().year, 1, 1))
    state["target_demand_layer"] = (target.demand_layer or "") if target else ""
    state["target_problems"] = []
    state["target_version"] = target.version if target else None  # a save is refused if changed since
    state["target_stale"] = False


def _values() -> dict[str, object]:
    state = st.session_state
    radius = float(state.get("target_radius_m") or 0)
    return {
        "name": state.get("target_name", ""), "site_type": state.get("target_site_type"),
        "scope": state.get("target_scope"), "towns": list(state.get("target_towns", [])),
        "measure": state.get("target_measure"), "threshold": state.get("target_threshold"),
        "radius_m": radius if radius > 0 else None, "statuses": list(state.get("target_statuses", [])),
        "deadline": state.get("target_deadline"), "notes": state.get("target_notes", ""),
        "new_since": state.get("target_new_since") if state.get("target_new_only") else None,
        "demand_layer": (state.get("target_demand_layer") or "").strip() or None
        if state.get("target_measure") == "demand_share" else None,
    }


def _save(targets: TargetStore, target_id: int) -> None:
    actor = current_actor()
    values = _values()
    if values["scope"] != "towns":
        values["towns"] = []
    try:
        if target_id == NEW:
            saved = targets.add(values, actor=actor)
        else:
            saved = targets.update(target_id, values, actor=actor,
                                   if_version=st.session_state.get("target_version"))
    except StaleEdit as exc:  # someone saved since the editor was loaded: keep the draft, offer to reload
        st.session_state["target_problems"] = list(exc.problems)
        st.session_state["target_stale"] = True
        return
    except (RecordError, NotFound, AccessDenied) as exc:
        st.session_state["target_problems"] = list(exc.problems)
        return
    st.session_state["target_pick"] = saved.id
    st.session_state["target_loaded"] = saved.id
    _load(saved)
    st.session_state["target_flash"] = tr("ui.targets.saved", name=md_escape(saved.name))


def _delete(targets: TargetStore, target_id: int) -> None:
    try:
        gone = targets.delete(target_id, actor=current_actor(),
                              if_version=st.session_state.get("target_version"))
    except StaleEdit as exc:
        st.session_state["target_problems"] = list(exc.problems)
        st.session_state["target_stale"] = True
        return
    except (NotFound, AccessDenied) as exc:
        st.session_state["target_problems"] = list(exc.problems)
        return
    st.session_state["target_pick"] = NEW
    st.session_state["target_loaded"] = None
    st.session_state["target_flash"] = tr("ui.targets.deleted", name=md_escape(gone.name))


def _reload(targets: TargetStore, target_id: int) -> None:
    """Reload button callback (after a stale save): the editor takes the target's current values, saying so."""
    try:
        target = targets.get_target(target_id)
    except NotFound:
        st.session_state["target_pick"] = NEW
        st.session_state["target_loaded"] = None
        st.session_state["target_flash"] = tr("ui.targets.gone", id=target_id)
        return
    _load(target)
    st.session_state["target_flash"] = tr("ui.targets.reloaded", id=target.id, version=target.version)


def _problems_under(name: str) -> None:
    lang = current_lang()
    for problem in st.session_state.get("target_problems", []):
        if isinstance(problem, Problem) and (problem.field or "") == name:
            st.error(md_escape(t(problem.code, lang, **problem.params)), icon="⚠️")


def render_target_editor(targets: TargetStore, town_codes: list[str], town_name) -> None:
    """Pick a target (or a new one), edit its fields, save or delete it; problems show under their fields."""
    lang = current_lang()
    existing = {tg.id: tg for tg in targets.list_targets()}
    options = [NEW, *existing]
    if st.session_state.get("target_pick") not in options:
        st.session_state["target_pick"] = NEW
    pick = st.selectbox(tr("ui.targets.pick"), options, key="target_pick",
                        format_func=lambda i: t("ui.targets.new", lang) if i == NEW else f"#{i} {existing[i].name}")
    if st.session_state.get("target_loaded", -1) != pick or "target_name" not in st.session_state:
        _load(existing.get(pick))
        st.session_state["target_loaded"] = pick

    st.text_input(tr("ui.targets.field.name"), key="target_name")
    _problems_under("name")
    types = [tp.key for tp in load_site_types()]
    translated_select(tr("ui.targets.field.site_type"), types, key="target_site_type", default=types[0],
                      format_func=lambda k: site_type(k).name(lang))
    units = unit_words(targets.sites.towns().region.level, lang)  # 镇街 or 区县
    scopes = {"each_town": tr("ui.targets.scope.each_town", **units), "region": t("scope.region", lang),
              "towns": tr("ui.targets.scope.towns", **units)}
    scope = translated_radio(tr("ui.targets.field.scope"), list(SCOPES), key="target_scope", default="each_town",
                             format_func=lambda s: scopes.get(s) or t(f"scope.{s}", lang))
    if scope == "towns":
        wkey = widget_key("target_towns")
        st.session_state[wkey] = [c for c in st.session_state.get("target_towns", []) if c in town_codes]

        def _keep() -> None:
            st.session_state["target_towns"] = st.session_state[wkey]

        st.multiselect(tr("ui.targets.field.towns", **units), town_codes, key=wkey, on_change=_keep, format_func=town_name)
        _problems_under("towns")
    measure = translated_radio(tr("ui.targets.field.measure"), list(MEASURES), key="target_measure",
                               default="site_count", format_func=lambda m: t(f"measure.{m}", lang))
    cols = st.columns(3)
    with cols[0]:
        st.number_input(tr("ui.targets.field.threshold_count" if measure == "site_count"
                           else "ui.targets.field.threshold_pct"), key="target_threshold", min_value=0.0,
                        step=1.0)
        _problems_under("threshold")
    with cols[1]:
        st.number_input(tr("ui.targets.field.radius_m"), key="target_radius_m", min_value=0.0, step=100.0,
                        disabled=measure == "site_count")
        _problems_under("radius_m")
    with cols[2]:
        st.date_input(tr("ui.targets.field.deadline"), key="target_deadline", format="YYYY-MM-DD")
        _problems_under("deadline")
    wkey = widget_key("target_statuses")
    st.session_state[wkey] = list(st.session_state.get("target_statuses", ["open"]))

    def _keep_statuses() -> None:
        st.session_state["target_statuses"] = st.session_state[wkey]

    st.multiselect(tr("ui.targets.field.statuses"), list(STATUSES), key=wkey, on_change=_keep_statuses,
                   format_func=lambda s: status_name(s, lang))
    _problems_under("statuses")
    since_cols = st.columns([1, 1])
    with since_cols[0]:
        new_only = st.checkbox(tr("ui.targets.field.new_only"), key="target_new_only",
                               help=tr("ui.targets.field.new_only_help"))
    with since_cols[1]:
        st.date_input(tr("ui.targets.field.new_since"), key="target_new_since", format="YYYY-MM-DD",
                      disabled=not new_only)
        _problems_under("new_since")
    if measure == "demand_share":
        st.text_input(tr("ui.targets.field.demand_layer"), key="target_demand_layer",
                      help=tr("ui.targets.field.demand_layer_help"))
        _problems_under("demand_layer")
    st.text_area(tr("ui.targets.field.notes"), key="target_notes", height=70)
    for problem in st.session_state.get("target_problems", []):
        if not problem.field:
            st.error(md_escape(problem.message(lang)))
    buttons = st.columns([1, 1, 3])
    with buttons[0]:
        st.button(tr("ui.targets.save"), key="target_save", type="primary", on_click=_save, args=(targets, pick))
    with buttons[1]:
        st.button(tr("ui.targets.delete"), key="target_delete", disabled=pick == NEW, on_click=_delete,
                  args=(targets, pick))
    if pick != NEW and st.session_state.get("target_stale"):
        st.button(tr("ui.targets.reload"), key="target_reload", on_click=_reload, args=(targets, pick))
    flash = st.session_state.pop("target_flash", None)
    if flash:
        st.success(flash)


def render_target_import(targets: TargetStore) -> None:
    """Per-town targets from a sheet (:mod:`targets.sheet`): upload, defaults, check every row, then store
    all in one transaction — or show every row's problem and store nothing."""
    from app_pages.data_files import safe_name
    from app_pages.data_import import problems_table, upload_allowed
    from app_pages.widgets import uploader_words
    from errors import ImportRejected
    from sites.uploads import stored_upload
    from targets.sheet import parse_target_sheet

    lang = current_lang()
    uploader_words()  # 选择文件 / 单个文件不超过 20 MB in the Chinese UI, as on the data page
    units = unit_words(targets.sites.towns().region.level, lang)  # 镇街 or 区县
    with st.expander(tr("ui.targets.import", **units), expanded=False):
        st.caption(tr("ui.targets.import_hint", **units))
        upload = st.file_uploader(tr("ui.targets.import_file"), type=["csv", "xlsx"], key="target_import_file")
        types = [tp.key for tp in load_site_types()]
        cols = st.columns(3)
        with cols[0]:
            kind = translated_select(tr("ui.targets.field.site_type"), types, key="target_import_type",
                                     default=types[0], format_func=lambda k: site_type(k).name(lang))
        with cols[1]:
            st.date_input(tr("ui.targets.field.deadline"), key="target_import_deadline", format="YYYY-MM-DD",
                          value=datetime.date(datetime.date.today().year, 12, 31))
        with cols[2]:
            st.text_input(tr("ui.targets.import_prefix"), key="target_import_prefix")
        if upload is None:
            return
        if not upload_allowed(targets.sites, roles=("admin",), action="target_import", target="target_import_file"):
            return
        defaults = {"site_type": kind,
                    "deadline": st.session_state.get("target_import_deadline"),
                    "name": st.session_state.get("target_import_prefix") or None}
        defaults = {k: v for k, v in defaults.items() if v}
        name = safe_name(upload.name)
        try:
            with stored_upload(name, upload.getvalue(), ("csv", "xlsx")) as stored:
                sheet = parse_target_sheet(stored.path, targets.sites.towns(), defaults=defaults, file=name)
        except ImportRejected as exc:
            st.error(tr("ui.targets.import_rejected", file=md_escape(name)))
            st.dataframe(problems_table(exc.problems), hide_index=True, key="target_import_problems")
            return
        st.markdown(tr("ui.targets.import_preview", file=md_escape(name), n=len(sheet.targets)))
        st.dataframe({tr("ui.data.col.line"): sheet.lines,
                      tr("ui.targets.field.name"): [tg.name for tg in sheet.targets],
                      tr("ui.targets.import_describe"): [tg.describe(lang) for tg in sheet.targets]},
                     hide_index=True, key="target_import_preview")
        if st.button(tr("ui.targets.import_commit"), key="target_import_commit", type="primary"):
            try:
                stored_targets = targets.add_many(sheet.targets, actor=current_actor())
            except (RecordError, AccessDenied) as exc:
                st.error(md_escape(exc.problems[0].message(lang)))
                return
            st.success(tr("ui.targets.import_done", n=len(stored_targets), file=md_escape(name)))
