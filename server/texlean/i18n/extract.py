"""Extract the translatable strings into ``locale/texlean.pot`` (``make messages``).

The strings are the message templates of ``grammars/messages.toml`` (msgctxt = the
message key, so identical English under two keys stays two entries) and the rule
titles of ``grammars/rules.toml`` (msgctxt = ``title:<code>``).  ``--update`` also
merges the template into every ``locale/*/LC_MESSAGES/texlean.po``: new entries
arrive untranslated, changed ones fuzzy, and removed ones are dropped, so
``tests/unit/test_i18n.py`` fails until they are translated.

Usage::

    python -m texlean.i18n.extract [--update]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NamedTuple

from .. import __version__, tables
from . import DOMAIN, LOCALE_DIR
from .build import catalogs

POT = LOCALE_DIR / f"{DOMAIN}.pot"


class Entry(NamedTuple):
    context: str
    msgid: str
    comment: str


def _fields(template: str) -> list[str]:
    import string

    return sorted({f for _, f, _, _ in string.Formatter().parse(template) if f})


def entries() -> list[Entry]:
    """Every translatable string, in the order of the TOML files."""
    out: list[Entry] = []
    for key, template in tables.load("messages")["messages"].items():
        fields = _fields(template)
        note = "keep " + ", ".join("{" + f + "}" for f in fields) if fields else ""
        if "{{" in template or "}}" in template:
            note += ("; " if note else "") + "keep {{ and }} doubled"
        out.append(Entry(key, template, note or "no placeholders"))
    for rule in tables.load("rules")["rule"]:
        out.append(Entry(f"title:{rule['code']}", rule["title"], "rule title (a listing line)"))
    return out


def template_catalog() -> Any:
    from babel.messages.catalog import Catalog

    catalog = Catalog(
        domain=DOMAIN,
        project="texlean",
        version=__version__,
        msgid_bugs_address="",
        copyright_holder="texlean contributors",
        fuzzy=False,
    )
    for e in entries():
        # every message template goes through str.format; titles do not
        flags = [] if e.context.startswith("title:") else ["python-brace-format"]
        catalog.add(
            e.msgid,
            context=e.context,
            auto_comments=[e.comment] if e.comment else [],
            flags=flags,
        )
    return catalog


def _dated(line: bytes) -> bool:
    return line.startswith(b'"POT-Creation-Date:') or line.startswith(b"# Copyright")


def _write(path: Path, catalog: Any, **options: Any) -> bool:
    """Write ``catalog``; False when only its dates would change (the file is kept)."""
    import io

    from babel.messages.pofile import write_po

    out = io.BytesIO()
    write_po(out, catalog, width=0, no_location=True, **options)
    new = out.getvalue()
    if path.is_file():
        old = path.read_bytes()
        same = [ln for ln in old.splitlines() if not _dated(ln)]
        if same == [ln for ln in new.splitlines() if not _dated(ln)]:
            return False
    path.write_bytes(new)
    return True


def write_pot(path: Path = POT) -> bool:
    """Write the template; False when it is current."""
    return _write(path, template_catalog())


def update_catalogs() -> list[Path]:
    """Merge the template into every ``.po``; the files that changed."""
    from babel.messages.pofile import read_po

    template = template_catalog()
    done = []
    for po in catalogs():
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name, domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        if _write(po, catalog, ignore_obsolete=True):
            done.append(po)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write locale/texlean.pot")
    parser.add_argument("--update", action="store_true", help="also merge it into every .po")
    args = parser.parse_args(argv)
    try:
        print(f"wrote {POT}" if write_pot() else f"{POT} is up to date")
        if args.update:
            for po in update_catalogs():
                print(f"updated {po}")
    except ImportError:
        print("texlean: Babel is needed (pip install babel)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
