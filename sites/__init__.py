"""The site registry: worker service sites, stored in WGS84, assigned to the region's towns.

* :mod:`sites.models`: :class:`~sites.models.Site`, statuses, accepted type/status names.
* :mod:`sites.validation`: every check of a record, in one place (form, import, CLI).
* :mod:`sites.store`: :class:`~sites.store.SiteStore`, the sites and the region on the registry database (:mod:`database`).
* :mod:`sites.region`: the database's region and vectorised point-in-polygon.
* :mod:`sites.io`: CSV/XLSX/GeoJSON import, CSV/XLSX/GeoJSON/GeoPackage export.
* :mod:`sites.frame`: sites as a GeoDataFrame (EPSG:4326).
* :mod:`sites.demo`, :mod:`cli.sites`: ``python -m sites seed-demo`` and the other commands.

Never imports streamlit.
"""
