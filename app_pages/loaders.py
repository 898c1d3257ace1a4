"""Thin cached loaders between the pages and the Streamlit-free packages.

Cache contract: site data changes only through :class:`sites.store.SiteStore`
writes, so loaders of derived data take the store's :meth:`~SiteStore.revision`
as an argument, and the :class:`scoring.query.CoverageQuery` (frozen, hashable,
validated once in the sidebar) as the whole of what is asked: the cache key is
(database, revision, query). A write in any session (or process) raises the revision and the
next run recomputes; an unchanged revision recomputes nothing. Cached objects
are shared by all sessions: never mutate them.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import geopandas as gpd
import streamlit as st

from geodata.boundaries import Region
from scoring.coverage import CoverageResult, coverage
from scoring.demand import Demand, load_demand
from scoring.gaps import gaps
from scoring.query import CoverageQuery, DemandRef
from settings import get_settings
from sites.store import SiteStore
from sites.uploads import KINDS, check_upload

#: Where uploaded demand layers are kept (by content hash) for the loaders below.
DEMAND_DIR = Path(tempfile.gettempdir()) / "worker-sites-demand"


def current_store() -> SiteStore:
    """The registry of ``SITES_DB`` (one shared connection, see :func:`site_store`)."""
    return site_store(str(get_settings().db))


def load_region() -> Region:
    """The region the database remembers (towns in EPSG:4326; cached per region file by the registry)."""
    return current_store().region()


@st.cache_resource(show_spinner=False, max_entries=4)
def load_sites(db_path: str, revision: int) -> gpd.GeoDataFrame:
    """Every site of the registry at ``db_path`` as a frame (:meth:`SiteStore.sites_frame`: read straight from the
    table), per revision."""
    return site_store(db_path).sites_frame()


#: What a demand layer upload may be, judged from its content.
DEMAND_KINDS = ("csv", "geojson", "gpkg", "geotiff")


def save_upload(data: bytes, name: str) -> Path:
    """Check an uploaded demand layer (:func:`sites.uploads.check_upload`: size, content; ``ImportRejected``
    if refused), keep it under :data:`DEMAND_DIR` named by its SHA-256 and detected kind, return its path."""
    kind = check_upload(name, data, DEMAND_KINDS)
    DEMAND_DIR.mkdir(parents=True, exist_ok=True)
    path = DEMAND_DIR / f"{hashlib.sha256(data).hexdigest()}{KINDS[kind][2]}"
    if not path.exists():
        path.write_bytes(data)
    return path


def load_demand_layer(db_path: str, ref: DemandRef) -> Demand:
    """The demand layer ``ref``: a layer stored by name (cached by :mod:`demand.store` per load), or a file."""
    if ref.layer:
        from demand.store import DemandStore

        return DemandStore(site_store(db_path)).load(ref.layer)
    return _file_demand(db_path, ref)


@st.cache_resource(show_spinner=False, max_entries=4)
def _file_demand(db_path: str, ref: DemandRef) -> Demand:
    """The demand file of ``ref`` (named by content hash, so the reference is the cache key) for the region."""
    region = site_store(db_path).region()
    return load_demand(ref.path, weight_field=ref.weight_field, towns=region.towns, metric_crs=region.metric_crs,
                       coords=ref.coords)


@st.cache_resource(show_spinner=False, max_entries=16)
def load_coverage(db_path: str, revision: int, query: CoverageQuery) -> CoverageResult:
    """Coverage per town × type (:func:`scoring.coverage.coverage`), once per registry revision and query.

    Straight-line coverage is computed and cached one type at a time (:func:`_type_coverage`), so a
    change to one type's radius recomputes that type only; walking coverage (one street join for all
    types) is computed whole. Each town's uncovered rest is kept for :func:`load_gaps`."""
    if query.walking or len(query.types) <= 1:
        return _type_coverage(db_path, revision, query)
    parts = [_type_coverage(db_path, revision, query.replace(types=(key,), radii_m=((key, query.radius_m(key)),)))
             for key in query.types]
    return CoverageResult.merged(parts, query)


@st.cache_resource(show_spinner=False, max_entries=32)
def _type_coverage(db_path: str, revision: int, query: CoverageQuery) -> CoverageResult:
    """:func:`scoring.coverage.coverage` of ``query`` (one type, or a walking query), with the uncovered rest.
    32 entries (a type's covered part and rest hold about 8 MB of vertices each at 50,000 sites), about what
    the 16 whole queries of :func:`load_coverage` held before (5 covered parts each), which share these."""
    demand = load_demand_layer(db_path, query.demand) if query.demand is not None else None
    network = load_street_network(db_path, query.network_ref) if query.walking else None
    return coverage(site_store(db_path).region().towns, load_sites(db_path, revision), query, demand=demand,
                    network=network, uncovered=True)


@st.cache_resource(show_spinner=False, max_entries=2)
def load_street_network(db_path: str, network_ref: str):
    """The street network stored with the region (:mod:`sites.network_store`), once per ``network_ref``
    (the sidebar's ``walk@<loaded_at>``: a newly stored network is a new key); ``None`` if none is stored."""
    from sites.network_store import NetworkStore

    return NetworkStore(site_store(db_path)).load("walk")


@st.cache_resource(show_spinner=False, max_entries=16)
def load_gaps(db_path: str, revision: int, query: CoverageQuery) -> gpd.GeoDataFrame:
    """Ranked gap polygons (:func:`scoring.gaps.gaps`) of the same coverage (slivers below
    ``settings.min_gap_km2`` dropped), split from the rest the coverage kept, in its metric CRS (the map
    simplifies them in metres before projecting: reprojecting every vertex first cost 0.8 s at 50,000 sites)."""
    return gaps(load_coverage(db_path, revision, query), min_area_km2=get_settings().min_gap_km2, crs=None)


@st.cache_resource(show_spinner=False)
def site_store(db_path: str) -> SiteStore:
    """The registry at ``db_path`` (``SITES_DB``), one connection shared by all sessions.

    Every write goes through it (or another process's store): pages read sites
    from it on each run, so a write in one session shows in every other.
    """
    return SiteStore(db_path)
