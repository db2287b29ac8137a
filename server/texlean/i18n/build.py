"""Compile the gettext catalogs (``locale/*/LC_MESSAGES/texlean.po`` → ``.mo``) with Babel.

The ``.mo`` files are build products, never committed.  They are made by:

* ``setup.py``'s ``build_py`` when a wheel (or an editable install) is built, which
  loads this file by path (it imports nothing from texlean, only Babel, a build
  requirement);
* ``make setup`` (so ``make test``/``make demo`` from a clean clone have them even
  when the editable install did not run ``build_py``): ``python -m texlean.i18n.build``.

Fuzzy entries are left out (they fall back to English).  Usage::

    python -m texlean.i18n.build [--out DIR] [PO_FILE ...]

With no files, every catalog under ``locale/`` is compiled next to its ``.po``
(or into ``DIR/<lang>/LC_MESSAGES`` with ``--out``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "texlean"


def catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Every ``.po`` file under ``locale_dir``."""
    return sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_po(po: Path, mo: Path) -> int:
    """Compile ``po`` into ``mo``; returns how many messages were translated."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=po.parent.parent.name, domain=DOMAIN)
    errors = [(message.id, error) for message, errs in catalog.check() for error in errs if errs]
    if errors:
        raise ValueError(f"{po}: {errors[0][1]} ({errors[0][0]!r})")
    mo.parent.mkdir(parents=True, exist_ok=True)
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)
    tmp.replace(mo)
    return sum(1 for m in catalog if m.id and m.string and not m.fuzzy)


def compile_all(locale_dir: Path = LOCALE_DIR, out_dir: Path | None = None) -> list[Path]:
    """Compile every catalog of ``locale_dir``; the ``.mo`` files written."""
    written = []
    for po in catalogs(locale_dir):
        rel = po.relative_to(locale_dir).with_suffix(".mo")
        mo = (out_dir or locale_dir) / rel
        compile_po(po, mo)
        written.append(mo)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, help="write LANG/LC_MESSAGES/texlean.mo under DIR")
    parser.add_argument("po", nargs="*", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.po:
            for po in args.po:
                compile_po(po, po.with_suffix(".mo"))
            written = [po.with_suffix(".mo") for po in args.po]
        else:
            written = compile_all(out_dir=args.out)
    except ImportError:
        print(
            "texlean: Babel is needed to compile the catalogs (pip install babel)", file=sys.stderr
        )
        return 2
    except (OSError, ValueError) as exc:
        print(f"texlean: {exc}", file=sys.stderr)
        return 1
    print(f"compiled {len(written)} catalogs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
