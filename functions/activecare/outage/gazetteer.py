"""Places named in a tweet: prefectures, major cities and stations from data/places.csv.

Matching is leftmost-longest on a light folding (NFKC: width; casefold; katakana as hiragana; no spaces), so
東京駅 is the station and not 東京, and 東京都 never yields 京都. Every place rolls up to its prefecture: a tweet
naming 梅田 counts for 梅田 and for 大阪府. Not the keyword normaliser: importing activecare.keywords loads the
matcher and its C extension, which the worker's and the desk's artifacts do not carry.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PLACES_FILE = Path(__file__).resolve().parents[1] / "data" / "places.csv"


_KATAKANA = {c: c - 0x60 for c in range(0x30A1, 0x30F7)}  # ァ..ヶ -> ぁ..ゖ
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).casefold().translate(_KATAKANA))


@dataclass(frozen=True)
class Place:
    key: str
    name: str
    kind: str  # prefecture | city | station
    prefecture: str  # the prefecture's key (itself for a prefecture)


class Gazetteer:
    def __init__(self, places: list[Place], aliases: dict[str, str]) -> None:
        self.places = {p.key: p for p in places}
        self._by_form: dict[str, str] = {}
        for p in places:
            self._by_form.setdefault(normalize(p.name), p.key)
        for alias, key in aliases.items():
            self._by_form.setdefault(normalize(alias), key)
        self._lengths = sorted({len(f) for f in self._by_form}, reverse=True)
        self._first = {f[0] for f in self._by_form}

    @classmethod
    def from_csv(cls, path: Path = PLACES_FILE) -> Gazetteer:
        places: list[Place] = []
        aliases: dict[str, str] = {}
        with path.open(encoding="utf-8", newline="") as fh:
            for n, row in enumerate(csv.DictReader(fh), 2):
                if row["kind"] not in {"prefecture", "city", "station"}:
                    raise ValueError(f"{path.name}:{n}: unknown kind {row['kind']!r}")
                places.append(Place(row["key"], row["name"], row["kind"], row["prefecture"]))
                for alias in filter(None, (row.get("aliases") or "").split(";")):
                    aliases[alias] = row["key"]
        keys = {p.key for p in places}
        for p in places:
            if p.prefecture not in keys:
                raise ValueError(f"{path.name}: {p.key}: unknown prefecture {p.prefecture!r}")
        return cls(places, aliases)

    def find(self, text: str) -> tuple[str, ...]:
        """The keys of the places named in `text`, each with its prefecture, sorted."""
        s = normalize(text)
        found: set[str] = set()
        i = 0
        while i < len(s):
            if s[i] in self._first:
                for n in self._lengths:
                    key = self._by_form.get(s[i:i + n])
                    if key:
                        found.add(key)
                        found.add(self.places[key].prefecture)
                        i += n
                        break
                else:
                    i += 1
            else:
                i += 1
        return tuple(sorted(found))

    def name(self, key: str) -> str:
        place = self.places.get(key)
        return place.name if place else key

    def within(self, key: str, area: str) -> bool:
        """`key` is `area` or lies in it (a station in its prefecture)."""
        place = self.places.get(key)
        return key == area or (place is not None and place.prefecture == area)


@cache
def gazetteer() -> Gazetteer:
    return Gazetteer.from_csv()
