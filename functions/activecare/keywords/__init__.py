"""Keyword catalogue, Japanese normalisation, matching and query packing."""

from activecare.keywords.catalogue import (
    Catalogue,
    CatalogueError,
    Topic,
    default_catalogue,
    load_catalogue,
)
from activecare.keywords.matcher import Match, Matcher, strip_entities
from activecare.keywords.normalize import normalize
from activecare.keywords.packing import (
    PackedQuery,
    PackingError,
    optimum_queries,
    pack_queries,
    packing_report,
    synthetic_catalogue,
)
from activecare.keywords.query import (
    DEFAULT_BASE_OPERATORS,
    ENTERPRISE_QUERY_LIMIT,
    SELF_SERVE_QUERY_LIMIT,
)

__all__ = [
    "DEFAULT_BASE_OPERATORS",
    "ENTERPRISE_QUERY_LIMIT",
    "SELF_SERVE_QUERY_LIMIT",
    "Catalogue",
    "CatalogueError",
    "Match",
    "Matcher",
    "PackedQuery",
    "PackingError",
    "Topic",
    "default_catalogue",
    "load_catalogue",
    "normalize",
    "optimum_queries",
    "pack_queries",
    "packing_report",
    "strip_entities",
    "synthetic_catalogue",
]
