"""The rule catalog for people: ``texlean rules`` (text, JSON) and ``docs/rules.md``.

Everything here is derived from ``grammars/rules.toml`` (and the message
templates of ``grammars/messages.toml``), so the listing, the JSON catalog and
the committed ``docs/rules.md`` never disagree with what the server reports.
Regenerate the document with ``texlean rules --markdown > docs/rules.md``; a
unit test fails while it is out of date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from . import messages
from .analysis.findings import Category, Severity
from .analysis.rules import ENGINES, SHELL_ESCAPE_MODES, Rule, catalog

DEFAULT_SHELL_ESCAPE = "restricted"  # TeX Live's default (shell_escape = p)
DEFAULT_ENGINE = "any"
REGENERATE = "texlean rules --markdown > docs/rules.md"

SHELL_ESCAPE_WORDS = {
    "restricted": "restricted (TeX Live's default)",
    "enabled": "enabled (-shell-escape)",
    "disabled": "disabled (-no-shell-escape)",
}

CATEGORY_TITLES = {
    Category.STRUCTURE: "Structure",
    Category.SECURITY: "Security",
    Category.FORMALIZATION: "Formalization",
}

Matrix = dict[str, dict[str, Severity]]


def rules() -> list[Rule]:
    """The catalog in its file order."""
    return list(catalog().values())


def severity_matrix(rule: Rule) -> Matrix:
    """The severity under every assumeShellEscape × assumeEngine configuration."""
    return {s: {e: rule.severity(s, e) for e in ENGINES} for s in SHELL_ESCAPE_MODES}


def default_severity(rule: Rule) -> Severity:
    return rule.severity(DEFAULT_SHELL_ESCAPE, DEFAULT_ENGINE)


def depends_on_configuration(rule: Rule) -> bool:
    return len({sev for row in severity_matrix(rule).values() for sev in row.values()}) > 1


def _alternatives(values: Iterable[str]) -> str:
    return "|".join(values)


def describe_configurations(matrix: Matrix, severity: Severity) -> str:
    """The configurations in which ``severity`` applies, as a short condition.

    Whole rows and columns of the matrix are named by the one setting
    (``assumeShellEscape=enabled``); what is left by both settings.
    """
    cells = {(s, e) for s, row in matrix.items() for e, v in row.items() if v == severity}
    shells = [s for s in SHELL_ESCAPE_MODES if all((s, e) in cells for e in ENGINES)]
    engines = [e for e in ENGINES if all((s, e) in cells for s in SHELL_ESCAPE_MODES)]
    rest = sorted(
        (SHELL_ESCAPE_MODES.index(s), ENGINES.index(e))
        for s, e in cells
        if s not in shells and e not in engines
    )
    parts: list[str] = []
    if shells:
        parts.append("assumeShellEscape=" + _alternatives(shells))
    if engines:
        parts.append("assumeEngine=" + _alternatives(engines))
    by_shell: dict[str, list[str]] = {}
    for si, ei in rest:
        by_shell.setdefault(SHELL_ESCAPE_MODES[si], []).append(ENGINES[ei])
    grouped: dict[tuple[str, ...], list[str]] = {}
    for shell, engs in by_shell.items():
        grouped.setdefault(tuple(engs), []).append(shell)
    for engine_set, shell_list in grouped.items():
        parts.append(
            f"assumeShellEscape={_alternatives(shell_list)}"
            f" with assumeEngine={_alternatives(engine_set)}"
        )
    return " or ".join(parts)


def severity_conditions(rule: Rule) -> str:
    """What the severity is outside the default configuration: ``error if
    assumeShellEscape=enabled``, or "" for a rule graded the same everywhere."""
    matrix = severity_matrix(rule)
    default = default_severity(rule)
    others = sorted(
        {v for row in matrix.values() for v in row.values()} - {default},
        key=lambda v: -v.rank,
    )
    return "; ".join(f"{v.value} if {describe_configurations(matrix, v)}" for v in others)


def severity_summary(rule: Rule) -> str:
    """``warning`` or ``warning (error if assumeShellEscape=enabled)``."""
    conditions = severity_conditions(rule)
    default = default_severity(rule).value
    return f"{default} ({conditions})" if conditions else default


# -- JSON ---------------------------------------------------------------------------


def rule_json(rule: Rule) -> dict[str, Any]:
    when: dict[str, list[str]] | None = None
    if rule.when_shell_escape is not None or rule.when_engines is not None:
        when = {}
        if rule.when_shell_escape is not None:
            when["shellEscape"] = list(rule.when_shell_escape)
        if rule.when_engines is not None:
            when["engines"] = list(rule.when_engines)
    return {
        "code": rule.code,
        "name": rule.name,
        "title": rule.title,
        "category": rule.category.value,
        "defaultSeverity": default_severity(rule).value,
        "severity": {
            shell: {engine: sev.value for engine, sev in row.items()}
            for shell, row in severity_matrix(rule).items()
        },
        "when": when,
        "message": messages.templates().get(rule.message, rule.message),
        "explanation": rule.explanation,
        "references": list(rule.references),
        "fix": rule.fix,
    }


def catalog_json() -> list[dict[str, Any]]:
    return [rule_json(r) for r in rules()]


# -- text -----------------------------------------------------------------------------


def text_listing() -> str:
    """One line per rule: code, name, category, severity, title, and in brackets the
    severity in the configurations where it differs."""
    all_rules = rules()
    rows = [(r.code, r.name, r.category.value, default_severity(r).value) for r in all_rules]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for cells, rule in zip(rows, all_rules, strict=True):
        line = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells))
        line += "  " + messages.rule_title(rule.code, rule.title)  # in the chosen language
        conditions = severity_conditions(rule)
        if conditions:
            line += f"  [{conditions}]"
        lines.append(line)
    lines.append("")
    lines.append(
        "Severities under TeX Live's default configuration (assumeShellEscape=restricted,"
        " assumeEngine=any), [otherwise]; texlean rules --format json gives every configuration."
    )
    return "\n".join(lines) + "\n"


# -- Markdown ------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~])")


def md(text: str) -> str:
    """Prose from the catalog with Markdown's special characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _code_span(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _severity_table(rule: Rule) -> list[str]:
    matrix = severity_matrix(rule)
    out = [
        "| assumeShellEscape \\\\ assumeEngine | " + " | ".join(ENGINES) + " |",
        "| --- | " + " | ".join("---" for _ in ENGINES) + " |",
    ]
    for shell in SHELL_ESCAPE_MODES:
        cells = []
        for engine in ENGINES:
            value = matrix[shell][engine].value
            if (shell, engine) == (DEFAULT_SHELL_ESCAPE, DEFAULT_ENGINE):
                value = f"**{value}**"
            cells.append(value)
        out.append(f"| {md(SHELL_ESCAPE_WORDS[shell])} | " + " | ".join(cells) + " |")
    return out


def _rule_section(rule: Rule) -> list[str]:
    out = [
        f'<a id="{rule.code}"></a>',
        "",
        f"### {rule.code} {rule.name}",
        "",
        f"**{md(rule.title)}**",
        "",
    ]
    if depends_on_configuration(rule):
        out.append(
            f"Severity **{default_severity(rule).value}** under TeX Live's default "
            "configuration; by configuration (the default in bold):"
        )
        out.append("")
        out.extend(_severity_table(rule))
    else:
        out.append(f"Severity **{default_severity(rule).value}** in every configuration.")
    out.append("")
    template = messages.templates().get(rule.message)
    if template:
        out.append("Message: " + _code_span(template))
        out.append("")
    if rule.explanation:
        out.append(md(rule.explanation))
        out.append("")
    if rule.fix:
        out.append(f"**Fix:** {md(rule.fix)}")
        out.append("")
    if rule.references:
        out.append("**References:** " + "; ".join(md(r) for r in rule.references))
        out.append("")
    return out


_INTRO = """\
Every diagnostic texlean reports names one of these rules by its code (`SEC101`) and
its name (`shell-escape-write18`). Codes and names are stable: settings, suppression
comments and CI configurations refer to them.

Severities are given for the TeX configuration texlean assumes (settings
`assumeShellEscape` and `assumeEngine`). Under TeX Live's default configuration,
restricted shell escape and any engine, a rule has the severity shown in the
contents; a rule whose danger depends on the configuration has a table with every
combination.

`texlean rules` lists the catalog; `texlean rules --format json` gives all of it,
severity by configuration included.

## Configuring rules

- `rules`: a severity per rule, by code or name, or `"off"`:
  `{"rules": {"SEC105": "off", "lua-file-access": "error"}}`.
- `ignore`: rules never reported: `{"ignore": ["SEC202"]}`.
- `texlean check --ignore CODE,… --select CODE,…` does the same on the command line.

## Suppressing findings in a document

Comments that start with `texlean:` suppress findings where they are written. Rules
are named by code or by name, separated by commas or spaces; anything after ` -- `
is a reason for the reader:

```latex
% texlean: disable-next-line SEC101 -- the build runs this on purpose
\\immediate\\write18{make figures}

\\input{../shared/macros}  % texlean: disable-line read-parent-path

% texlean: disable SEC201, SEC202
… a region …
% texlean: enable SEC201, SEC202
```

- `disable-next-line CODE …` suppresses the findings that start on the next line
  that is not a comment line; `disable-line CODE …` those that start on its own line.
- `disable CODE …` suppresses from the comment on, until `enable CODE …` or the end of
  the document.
- Without codes, a directive applies to every rule (`enable` without codes ends
  every region).
- A name that is no rule is reported (TLX001), and so is a `texlean:` comment that is
  no directive (TLX002) and a suppression that suppresses nothing (TLX003, a hint).
- `SEC900` (analysis incomplete) cannot be suppressed.

In the editor, the quick fixes of a diagnostic write these comments for you
(*Suppress CODE on this line*, *Suppress CODE in this file*), next to *Remove* and
*Comment out* for security findings and a fix for a typo in a suppression comment.

Suppressed findings are not shown in the editor; `texlean check --show-suppressed`
prints them marked `(suppressed)`, and they never count for its exit status.
A suppression is the document's own word about itself: for documents you did not
write, set `suppressionComments` to `false` (or run `texlean check
--no-suppressions`) and every finding is reported as if the comments were not there.
"""


def markdown() -> str:
    """The whole of ``docs/rules.md``."""
    all_rules = rules()
    out = [
        "# texlean rules",
        "",
        "<!-- Generated from grammars/rules.toml and grammars/messages.toml; do not edit.",
        f"     Regenerate with: {REGENERATE} -->",
        "",
        _INTRO.rstrip("\n"),
        "",
        "## Contents",
        "",
    ]
    categories = list(dict.fromkeys(r.category for r in all_rules))  # in catalog order
    for category in categories:
        title = CATEGORY_TITLES.get(category, category.value.title())
        out.append(f"**{title}**")
        out.append("")
        out.append("| code | name | severity | title |")
        out.append("| --- | --- | --- | --- |")
        for r in all_rules:
            if r.category is category:
                sev = md(severity_summary(r))
                out.append(f"| [{r.code}](#{r.code}) | {r.name} | {sev} | {md(r.title)} |")
        out.append("")
    for category in categories:
        title = CATEGORY_TITLES.get(category, category.value.title())
        out.append(f"## {title}")
        out.append("")
        for r in all_rules:
            if r.category is category:
                out.extend(_rule_section(r))
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
