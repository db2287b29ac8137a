"""Reporting what a construct does, and how it was hidden."""

from __future__ import annotations

from collections.abc import Sequence

from .machine import Machine, MTok
from .state import Alias

# the message (messages.toml) naming each technique in the words for ``via``
_VIA_TEXT = {
    "^^": "via-caret",
    "csname": "via-csname",
    "scantokens": "via-scantokens",
    "lowercase": "via-lowercase",
    "uppercase": "via-uppercase",
    "expandafter": "via-expandafter",
}
_STRING_BUILDERS = ("string", "detokenize", "romannumeral", "number", "jobname")


def describe_via(
    via: Sequence[str], name: str, source: str
) -> tuple[tuple[tuple[str, str], ...], list[tuple[str, tuple[tuple[str, str], ...]]]]:
    """The words for how a command was reached (parameters ``via:<message key>`` = its
    ``{arg}``, rendered by :func:`texlean.analysis.present.message_params`), and the
    obfuscation findings that go with it."""
    words: list[tuple[str, str]] = []
    extra: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    seen: set[str] = set()
    builders = [v for v in dict.fromkeys(via) if v in _STRING_BUILDERS]
    for v in dict.fromkeys(via):
        if v in seen or v == "!":
            continue
        seen.add(v)
        if v.startswith("="):
            # a technique already reported where it was used (\lowercase{\def…}):
            # named in the words, not reported again
            words.append((_VIA_TEXT[v[1:]], "") if v[1:] in _VIA_TEXT else ("via-raw", v[1:]))
            continue
        if v == "^^":
            words.append((_VIA_TEXT[v], ""))
            extra.append(("SEC701", (("name", name), ("source", source))))
        elif v.startswith("escape:"):
            words.append(("via-escape", v[7:]))
        elif v == "csname":
            words.append((_VIA_TEXT[v], ""))
            extra.append(("SEC703", (("name", name),)))
        elif v.startswith("alias:") or v.startswith("active:"):
            kind, alias = v.split(":", 1)
            if kind == "alias":
                words.append(("via-alias", "\\" + alias))
                shown: tuple[tuple[str, str], ...] = (("alias", "\\" + alias),)
            else:
                words.append(("via-active", alias))
                shown = (("alias_key", "frag-active-character"), ("char", alias))
            extra.append(("SEC704", (*shown, ("name", name))))
        elif v == "scantokens":
            words.append((_VIA_TEXT[v], ""))
            extra.append(("SEC705", (("name", name),)))
        elif v in ("lowercase", "uppercase"):
            words.append((_VIA_TEXT[v], ""))
            extra.append(("SEC706", (("how", v), ("name", name))))
        elif v == "expandafter":
            words.append((_VIA_TEXT[v], ""))
            extra.append(("SEC708", (("name", name),)))
        elif v.startswith("macro:"):
            words.append(("via-macro", v[6:]))
    if builders:
        what = ", ".join("\\" + b for b in builders)
        words.append(("via-builders", what))
        extra.append(("SEC707", (("name", name), ("what", what))))
    return tuple((f"via:{key}", arg) for key, arg in words), extra


def report_action(
    m: Machine,
    code: str,
    t: MTok,
    end: int,
    params: Sequence[tuple[str, str]],
    name: str | None = None,
    via: Sequence[str] | None = None,
) -> None:
    start = t[2]
    end = max(end, t[3], m.last_end)
    via = t[4] if via is None else via
    name = name or alias_target(m, t)
    words, extra = describe_via(via, name, m.text[t[2] : t[3]][:60])
    m.report(code, start, end, (*params, *words))
    for ocode, oparams in extra:
        m.report(ocode, start, end, oparams)


def alias_target(m: Machine, t: MTok) -> str:
    """The primitive a control sequence stands for (its own name when not an alias)."""
    meaning = m.meaning(t)
    return meaning.target if isinstance(meaning, Alias) else t[1]


def report_techniques(m: Machine, t: MTok, name: str) -> None:
    """Only the obfuscation findings for ``t`` (its technique lives where it is written)."""
    _, extra = describe_via(t[4], name, m.text[t[2] : t[3]][:60])
    for code, params in extra:
        m.report(code, t[2], max(t[3], m.last_end), params)
