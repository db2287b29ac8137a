"""``grammars/phrases.toml`` compiled: phrase templates, type phrases, markers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from .vocabulary import vocabulary

SLOT = r"§\d+§"
_FIELD = re.compile(r"\{([A-Z])\}")


@dataclass(frozen=True)
class Template:
    regex: re.Pattern[str]
    latex: str = ""
    kind: str = ""
    when: str = ""
    meta: str = ""  # a mark for the result ("identity": holds for every value of its variables)
    prefix: str = ""  # words put back before the result ("what is")


@dataclass(frozen=True)
class TypePhrase:
    """What a type phrase ("two-digit positive integer") declares."""

    type: str
    facts: tuple[str, ...]


def compile_pattern(pattern: str) -> re.Pattern[str]:
    body = _FIELD.sub(lambda m: f"(?P<{m.group(1)}>{SLOT})", pattern)
    if pattern[:1].isalpha():
        body = r"(?<![\w-])" + body
    return re.compile(body, re.I)


@dataclass(frozen=True)
class Phrases:
    terms: tuple[Template, ...]
    props: tuple[Template, ...]
    questions: tuple[Template, ...]
    facts: dict[str, str]
    markers: dict[str, tuple[str, ...]]
    answer_words: dict[str, str]
    environments: dict[str, str]
    nouns: dict[str, dict[str, Any]]
    adjectives: dict[str, dict[str, Any]]
    type_phrase: re.Pattern[str]
    number_words: dict[str, int]

    def type_of(self, adjectives: str, noun: str) -> TypePhrase | None:
        """The type and facts of "<adjectives> <noun>" (noun possibly plural)."""
        spec = self.nouns.get(noun.lower())
        if spec is None:
            spec = self.nouns.get(_singular(noun.lower()))
        if spec is None:
            return None
        ty = str(spec.get("type", ""))
        facts = list(spec.get("facts", ()))
        words = _adjective_words(adjectives.lower(), self.adjectives)
        natural = False
        for word in words:
            adj = self.adjectives.get(word, {})
            facts.extend(adj.get("facts", ()))
            if spec.get("integer") and adj.get("integer"):
                ty = str(adj["integer"])
            elif (adj.get("type") and not ty) or (
                adj.get("type") and ty == "ℝ" and noun.lower().startswith("number")
            ):
                ty = str(adj["type"])
            natural = natural or bool(adj.get("natural"))
        if ty == "ℕ":
            facts = [f for f in facts if f != "nonneg"]
        out: list[str] = []
        for f in facts:
            if f not in out:
                out.append(f)
        return TypePhrase(ty, tuple(out))


def _singular(word: str) -> str:
    if word.endswith("s"):
        return word[:-1]
    return word


def _adjective_words(text: str, table: dict[str, dict[str, Any]]) -> list[str]:
    words: list[str] = []
    rest = " ".join(text.replace(",", " ").split())
    keys = sorted(table, key=len, reverse=True)
    while rest:
        for key in keys:
            if rest == key or rest.startswith(key + " "):
                words.append(key)
                rest = rest[len(key) :].strip()
                break
        else:
            head, _, rest = rest.partition(" ")
            if head == "and":
                continue
            words.append(head)
    return words


@cache
def phrases() -> Phrases:
    data = vocabulary().phrases

    def templates(key: str) -> tuple[Template, ...]:
        return tuple(
            Template(
                compile_pattern(t["pattern"]),
                t.get("latex", ""),
                t.get("kind", ""),
                t.get("when", ""),
                t.get("meta", ""),
                t.get("prefix", ""),
            )
            for t in data.get(key, [])
        )

    nouns: dict[str, dict[str, Any]] = dict(data.get("nouns", {}))
    adjectives: dict[str, dict[str, Any]] = dict(data.get("adjectives", {}))
    noun_alt = "|".join(re.escape(n) + "(?:s|es)?" for n in sorted(nouns, key=len, reverse=True))
    adj_alt = "|".join(re.escape(a) for a in sorted(adjectives, key=len, reverse=True))
    type_phrase = re.compile(
        rf"(?P<adjs>(?:(?:{adj_alt})(?:,?\s+|\s*,\s*and\s+|\s+and\s+))*)(?P<noun>{noun_alt})(?![\w-])",
        re.I,
    )
    markers = {k: tuple(v) for k, v in data.get("markers", {}).items()}
    return Phrases(
        terms=templates("terms"),
        props=templates("props"),
        questions=templates("questions"),
        facts=dict(data.get("facts", {})),
        markers=markers,
        answer_words=dict(data.get("answer_words", {})),
        environments=dict(data.get("environments", {})),
        nouns=nouns,
        adjectives=adjectives,
        type_phrase=type_phrase,
        number_words={str(k): int(v) for k, v in data.get("number_words", {}).items()},
    )
