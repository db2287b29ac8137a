"""The formalizer's vocabulary: ``grammars/lean.toml`` (notation) and ``grammars/phrases.toml``
(words), loaded once into typed tables.

A :class:`Vocabulary` can be extended with a document's own ``\\cmd -> Lean`` entries
(:attr:`texlean.formalize.api.Context.vocabulary`) without touching the shared tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..tables import load

# A Lean term a user may map a command to: a dotted name (with unicode letters and
# subscripts), optionally applied to simple arguments.  Anything else is refused (the
# output must stay valid Lean whatever a configuration says).
_LEAN_TERM = re.compile(r"^[^\W\d][\w.'!?₀-₉]*(?: [\w.'₀-₉()]+)*$")


@dataclass(frozen=True)
class Function:
    """A named function: Lean name, argument and result types ("" = generic)."""

    lean: str
    args: tuple[str, ...] = ("ℝ",)
    result: str = "ℝ"
    domain: str = ""  # "nonneg" | "pos" | ""
    base: str = ""  # Lean function taking a subscript base first (\log_b -> Real.logb)
    integer: str = ""  # the ℤ variant (Nat.gcd -> Int.gcd)
    reciprocal: str = ""  # \sec x = 1 / Real.cos x

    @property
    def arity(self) -> int:
        return len(self.args)


@dataclass(frozen=True)
class Operator:
    lean: str
    prec: int
    right: bool = False


@dataclass(frozen=True)
class TypeWord:
    """A noun phrase naming a type ("positive integer") and what it adds."""

    type: str
    facts: tuple[str, ...] = ()  # "pos", "nonneg", "nonzero", "prime", "even", "odd", "distinct"…


@dataclass
class Vocabulary:
    number_sets: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    ignore_with_arg: frozenset[str] = frozenset()
    constants: dict[str, tuple[str, str]] = field(default_factory=dict)
    identifiers: dict[str, str] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    operators: dict[str, Operator] = field(default_factory=dict)
    relations: dict[str, str] = field(default_factory=dict)
    big_operators: dict[str, str] = field(default_factory=dict)
    lean: dict[str, str] = field(default_factory=dict)
    hover: dict[str, str] = field(default_factory=dict)
    user: dict[str, str] = field(default_factory=dict)  # \cmd -> Lean term (user overrides)
    phrases: dict[str, Any] = field(default_factory=dict)
    type_words: dict[str, TypeWord] = field(default_factory=dict)

    def with_user(self, overrides: Mapping[str, str]) -> Vocabulary:
        """A copy that also maps the user's commands (invalid Lean terms are ignored)."""
        if not overrides:
            return self
        extra: dict[str, str] = {}
        for cmd, term in overrides.items():
            name = cmd if cmd.startswith("\\") else "\\" + cmd
            text = str(term).strip()
            if _LEAN_TERM.match(text) and len(text) <= 200:
                extra[name] = text
        out = Vocabulary(**{k: getattr(self, k) for k in self.__dataclass_fields__})
        out.user = {**self.user, **extra}
        return out

    def knows(self, command: str) -> bool:
        """Whether ``command`` is math the translator reads (layout commands included)."""
        return (
            command in self.ignore
            or command in self.ignore_with_arg
            or command in self.identifiers
            or command in self.aliases
            or command in self.number_sets
            # read by the tokenizer itself rather than by a table
            or command in ("\\text", "\\mathbb", "\\{", "\\}")
            or self.lean_for(command) is not None
        )

    def lean_for(self, command: str) -> str | None:
        """The Lean/Mathlib counterpart of a math command, for hover."""
        cmd = command.strip()
        if not cmd:
            return None
        if not cmd.startswith("\\") and cmd not in self.operators and cmd not in self.relations:
            cmd = "\\" + cmd
        if cmd in self.user:
            return self.user[cmd]
        target = self.aliases.get(cmd, cmd)
        for key in (cmd, target):
            if key in self.hover:
                return self.hover[key]
            if key in self.functions:
                return self.functions[key].lean
            if key in self.constants:
                return self.constants[key][0]
            if key in self.operators:
                return self.operators[key].lean
            if key in self.relations:
                return self.relations[key]
            if key in self.big_operators:
                return self.big_operators[key]
        if target.startswith("\\mathbb{") and target.endswith("}"):
            return self.number_sets.get(target[8:-1])
        return None


def _functions(table: Mapping[str, Any]) -> dict[str, Function]:
    out: dict[str, Function] = {}
    for name, spec in table.items():
        out[name] = Function(
            lean=spec["lean"],
            args=tuple(spec.get("args", ["ℝ"])),
            result=spec.get("result", "ℝ"),
            domain=spec.get("domain", ""),
            base=spec.get("base", ""),
            integer=spec.get("integer", ""),
            reciprocal=spec.get("reciprocal", ""),
        )
    return out


@cache
def vocabulary() -> Vocabulary:
    """The shared vocabulary (``grammars/lean.toml`` + ``grammars/phrases.toml``)."""
    data = load("lean")
    phrases = load("phrases")
    ignore = [str(c) for c in data.get("ignore", {}).get("commands", [])]
    type_words = {
        str(word): TypeWord(type=spec["type"], facts=tuple(spec.get("facts", ())))
        for word, spec in phrases.get("nouns", {}).items()
    }
    return Vocabulary(
        number_sets=dict(data.get("number_sets", {})),
        aliases=dict(data.get("aliases", {})),
        ignore=frozenset(c for c in ignore if not c.endswith("{}")),
        ignore_with_arg=frozenset(c[:-2] for c in ignore if c.endswith("{}")),
        constants={k: (v["lean"], v.get("type", "")) for k, v in data.get("constants", {}).items()},
        identifiers=dict(data.get("identifiers", {})),
        functions=_functions(data.get("functions", {})),
        operators={
            k: Operator(v["lean"], int(v["prec"]), v.get("assoc", "left") == "right")
            for k, v in data.get("operators", {}).items()
        },
        relations=dict(data.get("relations", {})),
        big_operators=dict(data.get("big_operators", {})),
        lean=dict(data.get("lean", {})),
        hover=dict(data.get("hover", {})),
        phrases=phrases,
        type_words=type_words,
    )
