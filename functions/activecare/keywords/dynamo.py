"""The keyword table: ops import the catalogue file here and the poller reads it.

One item per topic, terms in catalogue order inside it; `load_catalogue_rows` gives the
rows back in catalogue order for `Catalogue.from_items`, which validates them again.
"""

from __future__ import annotations

from activecare.keywords.catalogue import Catalogue
from activecare.storage.models import CatalogueTerm, KeywordItem


def load_catalogue_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for item in sorted(KeywordItem.scan(), key=lambda i: (i.position, i.pk)):
        for t in item.terms:
            rows.append({"topic": item.topic, "department": item.department, "account": item.account,
                         "kind": t.kind, "term": t.term, "note": t.note or ""})
    return rows


def replace_catalogue(catalogue: Catalogue) -> tuple[int, int]:
    """Make the table hold exactly this catalogue. Returns (topics written, stale topics deleted)."""
    topics: dict[str, KeywordItem] = {}
    for row in catalogue.rows():
        item = topics.get(row["topic"])
        if item is None:
            item = topics[row["topic"]] = KeywordItem(
                f"TOPIC#{row['topic']}", topic=row["topic"], department=row["department"],
                account=row["account"], position=len(topics), terms=[])
        item.terms.append(CatalogueTerm(kind=row["kind"], term=row["term"], note=row.get("note", "")))
    with KeywordItem.batch_write() as batch:
        for item in topics.values():
            batch.save(item)
    keep = {item.pk for item in topics.values()}
    stale = [r for r in KeywordItem.scan(attributes_to_get=["pk"]) if r.pk not in keep]
    with KeywordItem.batch_write() as batch:
        for old in stale:
            batch.delete(old)
    return len(topics), len(stale)
