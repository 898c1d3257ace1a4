"""The site form of the staff page: every registry field, the point from a paste or a map click,
the registry's own validation shown next to each field before saving, and the duplicate check.

One form serves adding (``prefix="add"``) and editing (``prefix="edit"``); its
values live in ``st.session_state`` under ``{prefix}_<field>`` so the save
callback reads, checks and writes them before the page is drawn again.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import streamlit as st
from streamlit_folium import st_folium

from app_pages.auth import current_actor, current_principal
from app_pages.form_coords import PastedPoint, parse_pasted
from app_pages.form_widgets import actor_missing
from app_pages.plain import md_escape
from app_pages.ui_text import current_lang, tr
from app_pages.widgets import translated_radio
from errors import AccessDenied, NotFound, Problem, RecordError, StaleEdit
from geodata.boundaries import unit_words
from geodata.crs import CoordSystem, convert_point
from i18n import t
from maps.webmap import build_map, fit_view, text_circle
from settings import load_site_types, site_type
from sites.models import STATUSES, Site, status_name
from sites.store import SiteStore
from sites.validation import RawRecords

#: Coordinate systems offered for a pasted point; GCJ-02 first: staff copy from Amap.
CRS_OPTIONS: tuple[str, ...] = ("gcj02", "wgs84", "bd09")
_COORD_FIELDS = {"lng", "lat", "lng/lat"}
#: The registry's "longitude missing" and "latitude missing": the form has one coordinates field for both.
_MISSING_COORDS = {"sites.lng_missing", "sites.lat_missing"}
_DRAFT_COLOUR = "#1f77b4"
_DUPLICATE_COLOUR = "#d62728"
#: Metres of margin around the new point and its likely duplicates when the form's map opens on them.
DUPLICATE_MARGIN_M = 25.0
_METRES_PER_DEGREE = 111_320.0
#: What the form's map returns: a click on the background, or on a town.
_CLICKS: tuple[str, ...] = ("last_clicked", "last_object_clicked")


@dataclass
class Check:
    """The draft's validation, sorted by form field (``dup``: likely duplicates)."""

    point: PastedPoint | None
    crs: CoordSystem
    by_field: dict[str, list[Problem]] = field(default_factory=dict)
    duplicates: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for ps in self.by_field.values() for p in ps if p.level == "error"]


def field_label(name: str) -> str:
    return tr(f"ui.form.field.{name}")


def problem_text(problem: Problem) -> str:
    """The problem's message without its location (it is shown next to its field)."""
    return t(problem.code, current_lang(), **problem.params)


#: Fields of the add form kept while the user visits other pages (a draft is never lost).
DRAFT_FIELDS: tuple[str, ...] = ("name", "coords", "address", "host_org", "notes", "source", "opened_on",
                                 "closed_on")


def keep_drafts() -> None:
    """Keep the add form's draft across pages (``app.py`` calls this on every run).

    Streamlit drops a widget's value after a run that does not draw it; writing
    the value back marks it as the app's own, so it survives until the form is back.
    """
    for name in DRAFT_FIELDS:
        key = f"add_{name}"
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def form_values(prefix: str) -> tuple[dict[str, object], PastedPoint | None, CoordSystem]:
    """The draft as raw registry values, the pasted point and its coordinate system."""
    state = st.session_state
    point = parse_pasted(str(state.get(f"{prefix}_coords", "")))
    crs = CoordSystem.parse(state.get(f"{prefix}_crs", CRS_OPTIONS[0]))
    values: dict[str, object] = {
        "name": str(state.get(f"{prefix}_name", "")).strip(),
        "type": state.get(f"{prefix}_type", load_site_types()[0].key),
        "status": state.get(f"{prefix}_status", "open"),
        "lng": point.lng if point else None,
        "lat": point.lat if point else None,
        "address": str(state.get(f"{prefix}_address", "")).strip(),
        "host_org": str(state.get(f"{prefix}_host_org", "")).strip(),
        "opened_on": state.get(f"{prefix}_opened_on"),
        "closed_on": state.get(f"{prefix}_closed_on"),
        "notes": str(state.get(f"{prefix}_notes", "")).strip(),
        "source": str(state.get(f"{prefix}_source", "")).strip(),
    }
    return values, point, crs


def check_draft(prefix: str, store: SiteStore, site_id: int | None) -> Check:
    """Run the registry's validation on the draft (writing nothing); problems sorted by field."""
    values, point, crs = form_values(prefix)
    check = Check(point, crs)
    text = str(st.session_state.get(f"{prefix}_coords", "")).strip()
    if text and point is None:
        check.by_field["coords"] = [Problem("ui.form.coords_unreadable", {"value": text}, field="coords")]
    result = store.validate(RawRecords.one(values), crs=crs, allow_duplicates=True, exclude_id=site_id)
    for problem in result.problems:
        if problem.code.startswith("sites.duplicate_"):
            check.duplicates.append(problem)
            continue
        name = "coords" if problem.field in _COORD_FIELDS or problem.field is None else problem.field
        if name == "coords" and problem.code in _MISSING_COORDS:
            if "coords" not in check.by_field:  # one field holds both numbers: ask for it once
                check.by_field["coords"] = [Problem("ui.form.coords_missing", {}, field="coords")]
            continue  # (an unreadable paste already says what is wrong)
        check.by_field.setdefault(name, []).append(problem)
    wgs = _wgs84(check)
    if wgs is not None:  # a point in a town this account may not write: say so now, whatever else is missing
        outside = _not_granted(store, store.towns().assign([wgs[0]], [wgs[1]])[0])
        if outside is not None:
            check.by_field.setdefault("coords", []).append(outside)
    return check


def _not_granted(store: SiteStore, town_code: str | None) -> Problem | None:
    """A warning when the signed-in editor may not write sites in ``town_code`` (the registry refuses such a save
    and logs it; the warning only says so early), naming that town and the account's own by name."""
    principal = current_principal()
    if principal.role != "editor" or town_code is None or principal.may_write_town(town_code):
        return None
    towns = store.towns()
    return Problem("ui.form.town_not_yours", {
        "town": towns.town_name(town_code, "zh"), "town_en": towns.town_name(town_code, "en"), "code": town_code,
        "yours": "、".join(towns.town_name(c, "zh") for c in sorted(principal.towns)) or "—",
        "yours_en": ", ".join(towns.town_name(c, "en") for c in sorted(principal.towns)) or "—"},
        field="coords", level="warning")


def _your_towns(store: SiteStore) -> None:
    """Shared mode, before anything is typed: which towns this account may register sites in, by name."""
    principal = current_principal()
    if principal.role == "viewer":
        st.info(tr("ui.form.viewer_only"))
    elif principal.role == "editor":
        towns = store.towns()
        names = [md_escape(towns.town_name(c, current_lang())) for c in sorted(principal.towns)]
        st.info(tr("ui.form.your_towns", towns=("、" if current_lang() == "zh" else ", ").join(names))
                if names else tr("ui.form.no_towns"))


def reset_form(prefix: str) -> None:
    """Empty the form (after a save)."""
    for name in ("name", "coords", "address", "host_org", "notes", "source"):
        st.session_state[f"{prefix}_{name}"] = ""
    for name in ("opened_on", "closed_on"):
        st.session_state[f"{prefix}_{name}"] = None
    st.session_state[f"{prefix}_dup_ok"] = False
    st.session_state[f"{prefix}_tried"] = False


def load_site(prefix: str, site: Site) -> None:
    """Fill the form with a stored site (its point as stored: WGS84)."""
    state = st.session_state
    for name in ("name", "address", "host_org", "notes", "source"):
        state[f"{prefix}_{name}"] = getattr(site, name)
    state[f"{prefix}_type"] = site.type
    state[f"{prefix}_status"] = site.status
    state[f"{prefix}_crs"] = "wgs84"
    state[f"{prefix}_coords"] = stored_coords(site)
    state[f"{prefix}_opened_on"] = site.opened_on
    state[f"{prefix}_closed_on"] = site.closed_on
    state[f"{prefix}_dup_ok"] = False
    state[f"{prefix}_tried"] = False
    state[f"{prefix}_version"] = site.version  # a save is refused if the site has changed since
    state[f"{prefix}_stale"] = False


def reload_site(prefix: str, store: SiteStore, site_id: int) -> None:
    """Reload button callback (after a stale save): the form takes the site's current values, saying so."""
    state = st.session_state
    try:
        site = store.get_site(site_id)
    except NotFound as exc:
        state[f"{prefix}_flash"] = ("error", md_escape(exc.message(current_lang())))
        return
    load_site(prefix, site)
    state[f"{prefix}_flash"] = ("info", tr("ui.form.reloaded", id=site.id, version=site.version))


def stored_coords(site: Site) -> str:
    return f"{site.lng:.6f},{site.lat:.6f}"


def save(prefix: str, store: SiteStore, site_id: int | None) -> None:
    """Save button callback: validate again, refuse with the reasons, or write with the actor."""
    state = st.session_state
    lang = current_lang()
    if actor_missing():
        state[f"{prefix}_flash"] = ("error", tr("ui.form.actor_first"))
        return
    check = check_draft(prefix, store, site_id)
    if check.errors:
        state[f"{prefix}_tried"] = True
        state[f"{prefix}_flash"] = ("error", tr("ui.form.not_saved", n=len(check.errors)))
        return
    if check.duplicates and not state.get(f"{prefix}_dup_ok"):
        state[f"{prefix}_tried"] = True
        state[f"{prefix}_flash"] = ("error", tr("ui.form.confirm_duplicate_first"))
        return
    values, _, crs = form_values(prefix)
    actor = current_actor()
    if not values["source"]:
        values["source"] = tr("ui.form.source_default", actor=actor.username)
    try:
        if site_id is None:
            site, _ = store.add(values, actor=actor, crs=crs)
            reset_form(prefix)
            message = "ui.form.added"
        else:
            current = store.get_site(site_id)
            if state.get(f"{prefix}_coords") == stored_coords(current) and crs == CoordSystem.WGS84:
                values.pop("lng"), values.pop("lat")  # unchanged point: keep the stored WGS84 value exactly
            site, _ = store.update(site_id, values, actor=actor, crs=crs,
                                   if_version=state.get(f"{prefix}_version"))
            load_site(prefix, site)
            message = "ui.form.updated"
    except StaleEdit as exc:  # someone saved since the form was loaded: keep the draft, offer to reload
        state[f"{prefix}_tried"] = True
        state[f"{prefix}_stale"] = True
        state[f"{prefix}_flash"] = ("error", "\n\n".join(md_escape(p.message(lang)) for p in exc.problems))
        return
    except (RecordError, NotFound, AccessDenied) as exc:
        state[f"{prefix}_tried"] = True
        state[f"{prefix}_flash"] = ("error", md_escape(exc.message(lang)))
        return
    town = store.towns().town_name(site.town_code, lang) or tr("ui.form.no_town")
    state[f"{prefix}_flash"] = ("success", tr(message, id=site.id, name=md_escape(site.name), town=md_escape(town)))


def _errors_under(check: Check, name: str, tried: bool) -> None:
    """The draft's problems with one field, right under it (the point's as soon as one is pasted)."""
    problems = check.by_field.get(name, [])
    pasted = name == "coords" and (check.point is not None
                                   or any(p.code == "ui.form.coords_unreadable" for p in problems))
    if not (tried or pasted):
        return
    for problem in problems:
        show = st.error if problem.level == "error" else st.warning
        show(md_escape(problem_text(problem)), icon="⚠️")


def render_form(prefix: str, store: SiteStore, site_id: int | None = None) -> None:
    """Draw the form; the save button (key ``{prefix}_save``) writes through :func:`save`."""
    lang = current_lang()
    state = st.session_state
    for name in ("name", "coords", "address", "host_org", "notes", "source"):
        state.setdefault(f"{prefix}_{name}", "")
    for name in ("opened_on", "closed_on"):
        state.setdefault(f"{prefix}_{name}", None)
    _take_click(prefix)
    check = check_draft(prefix, store, site_id)
    tried = bool(state.get(f"{prefix}_tried"))
    types = [tp.key for tp in load_site_types()]

    _your_towns(store)
    left, right = st.columns([1, 1], gap="medium")
    with left:
        st.text_input(field_label("name") + " *", key=f"{prefix}_name", max_chars=200)
        _errors_under(check, "name", tried)
        translated_radio(field_label("type") + " *", types, key=f"{prefix}_type", default=types[0],
                         format_func=lambda k: site_type(k).name(lang))
        _errors_under(check, "type", tried)
        translated_radio(field_label("status"), list(STATUSES), key=f"{prefix}_status", default="open",
                         format_func=lambda s: status_name(s, lang))
        st.text_input(field_label("address"), key=f"{prefix}_address")
        st.text_input(field_label("host_org"), key=f"{prefix}_host_org")
        dates = st.columns(2)
        with dates[0]:
            st.date_input(field_label("opened_on"), key=f"{prefix}_opened_on", value=None,
                          min_value=datetime.date(1950, 1, 1), format="YYYY-MM-DD")
            _errors_under(check, "opened_on", tried)
        with dates[1]:
            st.date_input(field_label("closed_on"), key=f"{prefix}_closed_on", value=None,
                          min_value=datetime.date(1950, 1, 1), format="YYYY-MM-DD")
            _errors_under(check, "closed_on", tried)
        st.text_area(field_label("notes"), key=f"{prefix}_notes", height=80)
        st.text_input(field_label("source"), key=f"{prefix}_source", placeholder=tr("ui.form.source_hint"))
    with right:
        translated_radio(tr("ui.form.crs"), list(CRS_OPTIONS), key=f"{prefix}_crs", default=CRS_OPTIONS[0],
                         format_func=lambda c: t(f"ui.crs.{c}", lang))
        st.text_input(field_label("coords") + " *", key=f"{prefix}_coords", placeholder="113.14,23.03",
                      help=tr("ui.form.coords_help"))
        with st.container():  # one slot whatever it holds, so the map below is never re-mounted
            _point_summary(check, store, lang)
            _errors_under(check, "coords", tried)
        _pick_map(prefix, store, check)
        _duplicates(prefix, check)

    flash = state.pop(f"{prefix}_flash", None)
    st.button(tr("ui.form.save" if site_id is None else "ui.form.save_changes"), key=f"{prefix}_save",
              type="primary", on_click=save, args=(prefix, store, site_id))
    if flash:
        {"success": st.success, "info": st.info}.get(flash[0], st.error)(flash[1])
    if site_id is not None and state.get(f"{prefix}_stale"):
        st.button(tr("ui.form.reload"), key=f"{prefix}_reload", on_click=reload_site, args=(prefix, store, site_id))


def _wgs84(check: Check) -> tuple[float, float] | None:
    if check.point is None or abs(check.point.lng) > 180 or abs(check.point.lat) > 90:
        return None
    return convert_point(check.point.lng, check.point.lat, check.crs, CoordSystem.WGS84)


def _point_summary(check: Check, store: SiteStore, lang: str) -> None:
    """The converted WGS84 point and its town, before saving."""
    if check.point is None:
        return
    if check.point.swapped:
        st.info(tr("ui.form.swapped", lng=check.point.lng, lat=check.point.lat))
    wgs = _wgs84(check)
    if wgs is None:
        return
    towns = store.towns()
    code = towns.assign([wgs[0]], [wgs[1]])[0]
    town = towns.town_name(code, lang) if code else tr("ui.form.no_town")
    st.caption(tr("ui.form.point", crs=check.crs.label(), lng=f"{wgs[0]:.6f}", lat=f"{wgs[1]:.6f}",
                  town=md_escape(town), **unit_words(towns.region.level, lang)))


def duplicate_view(point: tuple[float, float], others: Sequence[tuple[float, float]], *,
                   margin_m: float = DUPLICATE_MARGIN_M) -> list[list[float]]:
    """``[[south, west], [north, east]]`` (WGS84 degrees) around the new ``point`` and its likely duplicates
    ``others`` (each ``(lng, lat)``), ``margin_m`` metres wider on every side (a spherical degree length: a view,
    not a measurement). The form's map opens there, so two points 15 m apart can be told apart."""
    lngs = [point[0], *(o[0] for o in others)]
    lats = [point[1], *(o[1] for o in others)]
    dlat = margin_m / _METRES_PER_DEGREE
    dlng = margin_m / (_METRES_PER_DEGREE * math.cos(math.radians(sum(lats) / len(lats))))
    return [[min(lats) - dlat, min(lngs) - dlng], [max(lats) + dlat, max(lngs) + dlng]]


def _pick_map(prefix: str, store: SiteStore, check: Check) -> None:
    """A small towns map: a click sets the point (in WGS84: the map draws no shifted tiles). With likely
    duplicates it opens on the new point and them, and says how far apart they are."""
    lang = current_lang()
    fmap = build_map(store.region(), lang=lang)
    wgs = _wgs84(check)
    if wgs is not None:
        text_circle([wgs[1], wgs[0]], tr("ui.form.new_point"), colour=_DRAFT_COLOUR).add_to(fmap)
    duplicates = _duplicate_sites(store, check)
    for site in duplicates:
        text_circle([site.lat, site.lng], f"#{site.id} {site.name}", colour=_DUPLICATE_COLOUR).add_to(fmap)
    if wgs is not None and duplicates:
        fit_view(fmap, duplicate_view(wgs, [(s.lng, s.lat) for s in duplicates]))
        x, y = store.towns().to_metric([wgs[0], *(s.lng for s in duplicates)], [wgs[1], *(s.lat for s in duplicates)])
        for site, dx, dy in zip(duplicates, x[1:] - x[0], y[1:] - y[0], strict=True):
            st.caption(tr("ui.form.duplicate_zoom", id=site.id, name=md_escape(site.name), m=f"{math.hypot(dx, dy):.1f}"))
    st.caption(tr("ui.form.map_hint"))
    st_folium(fmap, key=f"{prefix}_map", height=360, use_container_width=True, returned_objects=list(_CLICKS))


def _take_click(prefix: str) -> None:
    """A new click on the form's map becomes the form's point, in WGS84.

    A click on the background comes back as ``last_clicked``, a click on a town
    as ``last_object_clicked`` (streamlit-folium); whichever is new wins.
    """
    state = st.session_state
    value = state.get(f"{prefix}_map") or {}
    for kind in _CLICKS:
        click = value.get(kind)
        if click and click != state.get(f"{prefix}_{kind}_taken"):
            state[f"{prefix}_{kind}_taken"] = click
            state[f"{prefix}_coords"] = f"{float(click['lng']):.6f},{float(click['lat']):.6f}"
            state[f"{prefix}_crs"] = "wgs84"


def _duplicate_sites(store: SiteStore, check: Check) -> list[Site]:
    """The stored sites the draft may duplicate, by number (each read alone: never the whole registry)."""
    ids = sorted({int(p.params["id"]) for p in check.duplicates if "id" in p.params})
    return [store.get_site(i) for i in ids]


def _duplicates(prefix: str, check: Check) -> None:
    if not check.duplicates:
        st.session_state[f"{prefix}_dup_ok"] = False
        return
    for problem in check.duplicates:
        st.warning(md_escape(problem_text(problem)), icon="👯")
    st.checkbox(tr("ui.form.confirm_duplicate"), key=f"{prefix}_dup_ok")
