"""Thin cached loaders between the pages and the Streamlit-free packages."""

from __future__ import annotations

import streamlit as st

from geodata.boundaries import Region, bundled_region


@st.cache_resource(show_spinner=False)
def load_region() -> Region:
    """The region whose towns the app shows (shared by all sessions; do not mutate).

    For now the bundled Nanhai towns (OpenStreetMap, ODbL).
    """
    return bundled_region()
