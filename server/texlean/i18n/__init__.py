"""Languages: which catalog a language tag selects, and loading the compiled catalogs.

texlean's messages are written in English (the templates in ``grammars/messages.toml``
are the msgids); catalogs for the other languages live in
``texlean/locale/<catalog>/LC_MESSAGES/texlean.po`` and are compiled to ``.mo`` when
the package is built (``setup.py``'s ``build_py``) or set up (``make setup``); see
:mod:`texlean.i18n.build`.

Negotiation (:func:`negotiate`) takes a BCP 47 tag (``fr``, ``fr-FR``, ``zh-Hans``),
a POSIX locale (``de_DE.UTF-8``, ``C``) or a ``:``/``,``-separated list of them (the
first supported one wins), case-insensitively, and answers one of :data:`LANGUAGES`;
anything else is English.  Chinese: ``zh``, ``zh-Hans``, ``zh-CN``, ``zh-SG`` and
``zh-MY`` select Simplified Chinese; ``zh-Hant``, ``zh-TW``, ``zh-HK`` and ``zh-MO``
(Traditional script, for which there is no catalog) get English rather than a
script their readers did not ask for.

Loading (:func:`translations`): the compiled ``.mo``; when it is missing (running from
a source tree that was never built) the ``.po`` compiled in memory when Babel is
installed; otherwise English.  A catalog problem never raises.
"""

from __future__ import annotations

import gettext
import io
import logging
import re
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

DOMAIN = "texlean"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

ENGLISH = "en"
# language tag (what negotiate answers) -> catalog directory under locale/
CATALOGS: dict[str, str] = {
    "es": "es",
    "fr": "fr",
    "de": "de",
    "ja": "ja",
    "zh-Hans": "zh_Hans",
}
LANGUAGES: tuple[str, ...] = (ENGLISH, *CATALOGS)

_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})
_SUBTAG = re.compile(r"[a-z0-9]+")


def _one(tag: str) -> str | None:
    """The language of one tag, or None when texlean has no catalog for it."""
    tag = tag.strip().split(";", 1)[0]  # Accept-Language's ;q=
    tag = tag.split(".", 1)[0].split("@", 1)[0]  # POSIX .codeset and @modifier
    parts = [p for p in tag.replace("_", "-").lower().split("-") if p]
    if not parts or not all(_SUBTAG.fullmatch(p) for p in parts):
        return None
    lang, rest = parts[0], parts[1:]
    if lang in ("c", "posix", "en", "eng"):
        return ENGLISH
    if lang in ("zh", "zho", "chi"):
        script = next((p for p in rest if len(p) == 4 and p.isalpha()), None)
        region = next((p for p in rest if len(p) == 2 or p.isdigit()), None)
        if script == "hant" or (script is None and region in _TRADITIONAL_REGIONS):
            return None
        if script in (None, "hans"):
            return "zh-Hans"
        return None
    aliases = {"spa": "es", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "jpn": "ja"}
    lang = aliases.get(lang, lang)
    return lang if lang in CATALOGS else None


def negotiate(tag: str | None) -> str:
    """The supported language (one of :data:`LANGUAGES`) that ``tag`` selects."""
    if not tag or not isinstance(tag, str):
        return ENGLISH
    for item in re.split(r"[:,]", tag):
        found = _one(item)
        if found is not None:
            return found
    return ENGLISH


def po_path(catalog: str) -> Path:
    return LOCALE_DIR / catalog / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(catalog: str) -> Path:
    return LOCALE_DIR / catalog / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _compile_in_memory(po: Path) -> bytes | None:
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError:
        return None
    with po.open("rb") as fh:
        catalog = read_po(fh)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of ``language`` (English: no translation)."""
    catalog = CATALOGS.get(language)
    if catalog is None:
        return gettext.NullTranslations()
    try:
        mo = mo_path(catalog)
        if mo.is_file():
            with mo.open("rb") as fh:
                return gettext.GNUTranslations(fh)
        data = _compile_in_memory(po_path(catalog)) if po_path(catalog).is_file() else None
        if data is not None:
            log.info("texlean: %s not compiled; compiled %s in memory", mo, po_path(catalog))
            return gettext.GNUTranslations(io.BytesIO(data))
        log.warning("texlean: no compiled catalog for %s (%s); messages stay English", language, mo)
    except Exception as exc:  # a broken catalog must not break the messages
        log.warning("texlean: catalog for %s unusable (%s); messages stay English", language, exc)
    return gettext.NullTranslations()
