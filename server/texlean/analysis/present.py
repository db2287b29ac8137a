"""Findings as users see them: severity under the settings, message in words.

Both front ends (the LSP server and the CLI) go through :func:`present`, so a
finding reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .. import messages
from ..settings import Settings
from .findings import Category, Finding, Severity, Span
from .rules import catalog


@dataclass(frozen=True, slots=True)
class Presented:
    code: str
    name: str
    category: Category
    severity: Severity
    message: str
    span: Span
    related: tuple[tuple[Span, str], ...] = ()
    suppressed: bool = False


def message_params(finding: Finding) -> dict[str, str]:
    """Parameters with nested messages (``x_key``) rendered into ``x``."""
    params = dict(finding.params)
    params.setdefault("via", "")  # how an obfuscated construct was reached, when it was
    # the words for ``via``: parameters ``via:<message key>`` = its {arg}, in order
    words = [messages.render(k[4:], {"arg": v}) for k, v in finding.params if k[:4] == "via:"]
    if words:
        joined = messages.render("via-separator").join(words)
        params["via"] = messages.render("via-list", {"words": joined})
    # a list of names: parameters ``what:<message key>`` = its {arg} (no key: as written)
    items = [
        messages.render(k[5:], {"arg": v}) if k[5:] else v
        for k, v in finding.params
        if k[:5] == "what:"
    ]
    if items:
        params["what"] = messages.render("list-separator").join(items)
    for key in [k for k in params if k.endswith("_key")]:
        params[key[:-4]] = messages.render(params[key], params)
    return params


def _engines(finding: Finding) -> tuple[str, ...] | None:
    """The engines a finding's construct exists under, when narrower than its rule's."""
    listed = finding.param("engines")
    return tuple(listed.split(",")) if listed else None


def present_one(finding: Finding, settings: Settings) -> Presented | None:
    rule = catalog().get(finding.code)
    if rule is None:
        return None
    if finding.code in settings.ignore:
        return None
    override = settings.rules.get(finding.code)
    if override == "off":
        return None
    severity = (
        Severity(override)
        if override is not None
        else rule.severity(settings.assume_shell_escape, settings.assume_engine, _engines(finding))
    )
    return Presented(
        code=rule.code,
        name=rule.name,
        category=rule.category,
        severity=severity,
        message=messages.render(rule.message, message_params(finding)),
        span=finding.span,
        related=tuple((r.span, messages.render(r.message, r.params)) for r in finding.related),
    )


def present(
    findings: Iterable[Finding], settings: Settings, limit: int | None = None
) -> list[Presented]:
    out: list[Presented] = []
    for f in findings:
        p = present_one(f, settings)
        if p is not None:
            out.append(p)
            if limit is not None and len(out) >= limit:
                break
    return out
