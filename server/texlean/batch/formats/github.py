"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=CODE::message``; a
message escapes ``%``, CR and LF, a property also ``:`` and ``,`` (the rules of
GitHub's actions/toolkit).  Information and hints are notices.
"""

from __future__ import annotations

from ..runner import Item

LEVELS = {"error": "error", "warning": "warning", "information": "notice", "hint": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(item: Item) -> str:
    p = item.presented
    properties = {
        "file": item.name,
        "line": str(p.span.line + 1),
        "col": str(p.span.col + 1),
        "endLine": str(p.span.end_line + 1),
        "endColumn": str(max(p.span.end_col, p.span.col + 1)),
        "title": p.code,
    }
    props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items())
    mark = " (suppressed)" if p.suppressed else ""
    return f"::{LEVELS[p.severity.value]} {props}::{escape_data(p.message + mark)}"
