"""Map rendering, the only room that imports folium and branca.

* :mod:`maps.webmap`: map elements rendered in one template pass; user text reaches the page only as data.
* :mod:`maps.export`: the planner's map composed (towns, sites, catchments, gaps, legend) and the standalone HTML.
* :mod:`maps.assets`: Leaflet and friends, pinned npm tarballs checked by hash, served offline.
"""
