"""Worker Service Site Planner (职工服务阵地规划): the Streamlit app.

Run with ``bash scripts/run-app.sh`` (or ``streamlit run app.py``). This file
holds what every page shares (page config, product title, the language switch)
and the list of pages; each page is a script in ``app_pages/``. To add a page,
add a line to :data:`PAGES` and its title to :mod:`app_pages.ui_text`.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from app_pages.auth import open_database, shared_mode, sign_in_form, sign_out_button, signed_in
from app_pages.form_site import keep_drafts
from app_pages.ui_text import LANG_KEY, LANGUAGE_NAMES, current_lang, tr
from i18n import t
from settings import LANGUAGES

#: (script, title key, icon, URL path) of each page; the first is the default page.
#: Icons are emoji: a ":material/...:" favicon would be fetched from fonts.gstatic.com.
PAGES: list[tuple[str, str, str, str]] = [
    ("app_pages/map_page.py", "ui.page.map", "🗺️", "map"),
    ("app_pages/sites_page.py", "ui.page.sites", "📝", "sites"),
    ("app_pages/targets_page.py", "ui.page.targets", "🎯", "targets"),
    ("app_pages/data_page.py", "ui.page.data", "🗂️", "data"),
]
#: Listed for admins only (the local user of ``local`` mode is one).
ADMIN_PAGES: list[tuple[str, str, str, str]] = [("app_pages/admin_page.py", "ui.page.admin", "🔐", "admin")]

st.set_page_config(page_title=t("ui.app.title", current_lang()), page_icon="🗺️", layout="wide")
# Streamlit's table toolbar offers "Download as CSV" of every st.dataframe, cells written raw (a site named
# =HYPERLINK(...) came out a live formula); the product's downloads go through sites.sheets, so that button is hidden.
st.html('<style>[data-testid="stElementToolbarButton"]:has(button[aria-label="Download as CSV"])'
        "{display: none !important;}</style>")

with st.sidebar:
    st.session_state.setdefault(LANG_KEY, current_lang())
    st.radio(t("ui.app.language"), LANGUAGES, format_func=LANGUAGE_NAMES.__getitem__, key=LANG_KEY,
             horizontal=True)

st.title(tr("ui.app.title"))
open_database()  # made on the first start (says where); refused with the reason if unusable or mode-mismatched
# Shared mode: nothing but the sign-in form until an account signs in (the session is re-checked every run).
principal = signed_in() if shared_mode() else None
if shared_mode():
    if principal is None:
        sign_in_form()
        st.stop()
    with st.sidebar:
        sign_out_button(principal)
pages = PAGES + (ADMIN_PAGES if principal is None or principal.is_admin else [])
navigation = st.navigation(
    [st.Page(script, title=tr(title_key), icon=icon, url_path=url_path, default=index == 0)
     for index, (script, title_key, icon, url_path) in enumerate(pages)]
)


def run_page(page: StreamlitPage) -> None:
    """Run the chosen page. An unexpected error shows an incident id and where its traceback was logged
    (:mod:`incidents`), never the traceback itself; ``st.stop()``/reruns pass through (not ``Exception``)."""
    try:
        page.run()
    except Exception as exc:  # noqa: BLE001  (the last resort of every page)
        from app_pages.plain import md_escape
        from incidents import record_incident

        incident = record_incident(exc, context=f"app page {getattr(page, 'url_path', '')}")
        st.error(md_escape(incident.message(current_lang())), icon="⚠️")


keep_drafts()
run_page(navigation)
