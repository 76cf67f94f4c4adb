"""Rulesets: the versioned, per-city (or per-district) documents of everything a city may set.

Below the catalogue in the layers: it knows city and district ids, never the catalogue's tables. Other
domains read a ruleset through `backend.rulesets.queries`.
"""
