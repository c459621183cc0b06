"""Keyword catalogue, Japanese normalisation, matching and query packing."""
