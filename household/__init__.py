"""The household: domain model, loading and validation, drift, trades, reports, command line.

``household`` composes ``lots`` (tax-lot primitives, wash sales, gains) and
``location`` (the asset-location LP); neither imports it back.
"""
