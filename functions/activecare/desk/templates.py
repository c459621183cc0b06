"""Saved replies agents pick and edit: packaged data, Japanese.

A URL makes a post cost $0.20 instead of $0.015 on X's pay-per-use (activecare/twitter/pricing.py), so a
template's text carries one only where the customer needs the page to go on (the e-mail form, the shop booking);
the others answer in the text and offer their page as `link`, which the agent adds when the customer needs it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

NAME_LIMIT = 15  # an X username has at most 15 characters


@dataclass(frozen=True)
class ReplyTemplate:
    key: str
    title: str
    text: str
    topics: tuple[str, ...]
    outcome: str  # the outcome a reply from this template usually resolves with
    link: str = ""  # a page with more detail, added to the reply only when the agent chooses (a URL costs more)

    def render(self, name: str = "") -> str:
        """The text with the customer's name (their @username, without the @) filled in; お客さま if unknown."""
        name = name.strip()
        return self.text.replace("{name}", name if 0 < len(name) <= NAME_LIMIT else "お客さま")

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "title": self.title, "text": self.text, "topics": list(self.topics),
                "outcome": self.outcome, "link": self.link}


@dataclass(frozen=True)
class TemplateBook:
    form_url: str
    templates: tuple[ReplyTemplate, ...]

    def get(self, key: str) -> ReplyTemplate:
        for t in self.templates:
            if t.key == key:
                return t
        raise KeyError(key)

    @property
    def email_form(self) -> ReplyTemplate:
        return self.get("email_form")

    def match(self, text: str) -> str | None:
        """The key of the template a reply was made from: every fixed part of its text (around {name}) is in the
        reply, in order (an agent may add to it); None if none is."""
        for t in self.templates:
            at = 0
            for part in (p.strip() for p in t.text.split("{name}")):
                found = text.find(part, at) if part else at
                if found < 0:
                    break
                at = found + len(part)
            else:
                return t.key
        return None

    def for_topic(self, topic: str) -> list[ReplyTemplate]:
        """Templates suggested for a topic (topic-specific first, then the general ones)."""
        specific = [t for t in self.templates if topic in t.topics]
        return specific + [t for t in self.templates if not t.topics and t not in specific]


def parse_templates(raw: str) -> TemplateBook:
    data = json.loads(raw)
    items = tuple(ReplyTemplate(key=t["key"], title=t["title"], text=t["text"], topics=tuple(t.get("topics", [])),
                                outcome=t.get("outcome", "answered"), link=t.get("link", ""))
                  for t in data["templates"])
    keys = [t.key for t in items]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate template keys")
    book = TemplateBook(form_url=data["form_url"], templates=items)
    if book.form_url not in book.email_form.text:
        raise ValueError("the email_form template must carry the form URL")
    return book


@cache
def default_templates() -> TemplateBook:
    return parse_templates(files("activecare").joinpath("data/reply_templates.json").read_text(encoding="utf-8"))
