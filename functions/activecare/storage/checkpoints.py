"""Poll checkpoints and rate-limit marks in the state table."""

from __future__ import annotations

from datetime import datetime

from activecare.listening.ports import Checkpoint
from activecare.storage.conditions import update_if
from activecare.storage.models import State


def _limit_key(endpoint: str) -> str:
    """The state item holding an X endpoint's rate-limit reset time."""
    return f"ratelimit#{endpoint}"


class DynamoCheckpoints:
    def load_all(self, keys: list[str], endpoints: list[str]) -> tuple[dict[str, Checkpoint],
                                                                        dict[str, datetime | None]]:
        """The checkpoints and the endpoints' rate-limit marks, in one BatchGetItem."""
        found = {k: Checkpoint(k) for k in keys}
        limits: dict[str, datetime | None] = dict.fromkeys(endpoints)
        marks = {_limit_key(ep): ep for ep in endpoints}
        for item in State.batch_get([*keys, *marks], consistent_read=True):
            if item.pk in marks:
                limits[marks[item.pk]] = item.reset_at
            else:
                found[item.pk] = Checkpoint(item.pk, int(item.since_id) if item.since_id else None,
                                            item.polled_at, int(item.matched_last or 0))
        return found, limits

    def advance(self, key: str, since_id: int, *, query: str, polled_at: datetime, matched: int) -> bool:
        return update_if(
            State(key),
            [State.since_id.set(since_id), State.query.set(query), State.polled_at.set(polled_at),
             State.matched_last.set(matched), State.updated_at.set(polled_at)],
            State.since_id.does_not_exist() | (State.since_id < since_id),
        )

    def touch(self, key: str, *, query: str, polled_at: datetime, matched: int) -> None:
        State(key).update(actions=[State.query.set(query), State.polled_at.set(polled_at),
                                   State.matched_last.set(matched), State.updated_at.set(polled_at)])

    def set_rate_limited(self, endpoint: str, until: datetime) -> None:
        State(_limit_key(endpoint), reset_at=until, updated_at=until).save()
