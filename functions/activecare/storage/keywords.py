"""The keyword table: ops import the catalogue file here and the poller reads it."""

from __future__ import annotations

from activecare.storage.models import KeywordItem

FIELDS = ("topic", "department", "account", "kind", "term", "note")


def load_catalogue_items() -> list[dict[str, str]]:
    rows = sorted(KeywordItem.scan(), key=lambda r: (r.position, r.pk))
    return [{"pk": r.pk, **{f: getattr(r, f) or "" for f in FIELDS}} for r in rows]


def replace_catalogue_items(items: list[dict[str, str]]) -> tuple[int, int]:
    """Make the table hold exactly `items` (put all, then delete the rest). Returns (written, deleted)."""
    keep = {item["pk"] for item in items}
    with KeywordItem.batch_write() as batch:
        for position, item in enumerate(items):
            batch.save(KeywordItem(item["pk"], position=position, **{f: item.get(f, "") for f in FIELDS}))
    stale = [r for r in KeywordItem.scan(attributes_to_get=["pk"]) if r.pk not in keep]
    with KeywordItem.batch_write() as batch:
        for row in stale:
            batch.delete(row)
    return len(items), len(stale)
