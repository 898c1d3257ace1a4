"""Thin cached loaders between the pages and the Streamlit-free packages."""

from __future__ import annotations

import streamlit as st

from geodata.boundaries import Region, bundled_region
from sites.storage import SiteStore


@st.cache_resource(show_spinner=False)
def load_region() -> Region:
    """The region whose towns the app shows (shared by all sessions; do not mutate).

    For now the bundled Nanhai towns (OpenStreetMap, ODbL).
    """
    return bundled_region()


@st.cache_resource(show_spinner=False)
def site_store(db_path: str) -> SiteStore:
    """The registry at ``db_path`` (``SITES_DB``), one connection shared by all sessions.

    Every write goes through it (or another process's store): pages read sites
    from it on each run, so a write in one session shows in every other.
    """
    return SiteStore(db_path)
