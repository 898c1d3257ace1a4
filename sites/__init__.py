"""The site registry: worker service sites, stored in WGS84, assigned to the region's towns.

* :mod:`sites.models`: :class:`~sites.models.Site`, statuses, accepted type/status names.
* :mod:`sites.validation`: every check of a record, in one place (form, import, CLI).
* :mod:`sites.store`: :class:`~sites.store.SiteStore`, the sites and the region on the registry database (:mod:`database`).
* :mod:`sites.region`: the database's region and vectorised point-in-polygon.
* :mod:`sites.io`: CSV/XLSX/GeoJSON/GeoPackage import and export (CSV and XLSX through :mod:`sites.sheets`).
* :mod:`sites.sheets`: the one formula-safe writer of every CSV and XLSX cell the product writes.
* :mod:`sites.uploads`: checks of an uploaded file before it is read (size, kind, zip and XML safety).
* :mod:`sites.frame`: sites as a GeoDataFrame (EPSG:4326).
* :mod:`sites.demo`: the Nanhai sample (``python -m sites seed-demo``, see :mod:`cli.sites`).

Never imports streamlit.
"""
