"""Geodata: where things are, and in which coordinate system.

* :mod:`geodata.crs`: the one module that knows coordinate systems (WGS84, GCJ-02, BD-09 conversions; the
  metric CRS chosen from the data; guards that refuse degrees where metres are needed).
* :mod:`geodata.boundaries`: a region's town (or county) outlines read from a boundary file, checked and repaired.
* :mod:`geodata.tables`: the one reader of lon/lat tables (UTF-8/BOM/GB18030, Chinese and English headers).
* :mod:`geodata.towns`: the one point-in-town rule (a point on a shared border goes to the smallest town code).
* :mod:`geodata.convert`: ``python -m geodata convert`` between the three systems.
* :mod:`geodata.network`: street networks (OpenStreetMap extracts or line files) as plain arrays.

Never imports streamlit or folium.
"""
