"""Demand layers kept in the registry database: people (or workers) as points, town totals or rasters
clipped to the region, named, with source, CRS, unit and load date (:mod:`demand.store`).

The numeric side (how a layer counts as within reach) is :mod:`scoring.demand`; this room only stores
layers and hands them to the engine by name, so coverage queries and targets can name a layer instead of
a file.
"""
