"""Every user-facing message, built in one place from a key and parameters.

Templates live in ``grammars/messages.toml``; :func:`render` looks one up,
translates it into the current language (gettext, with the key as the message
context, see :mod:`texlean.i18n`) and fills its ``{placeholders}``.  A missing
parameter renders as ``?`` rather than failing, and a missing or broken
translation falls back to English: a message must never crash the server.

The language is process-wide: the CLI chooses it from ``--lang`` or the
environment, the server from the client's locale (:func:`use_language`).
Rule codes, names and parameter values are the same in every language.
"""

from __future__ import annotations

import functools
import gettext
import string
from collections.abc import Iterable, Mapping

from . import i18n
from .tables import load

_FORMATTER = string.Formatter()

_language: str = i18n.ENGLISH
_catalog: gettext.NullTranslations = gettext.NullTranslations()


class _Lenient(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def templates() -> Mapping[str, str]:
    table: dict[str, str] = load("messages")["messages"]
    return table


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in _FORMATTER.parse(template) if field}


def use_language(tag: str | None) -> str:
    """Show messages in the language ``tag`` selects (BCP 47 ``fr-FR``, POSIX
    ``fr_FR.UTF-8``, ``C`` …; English when it is empty or unknown); returns the
    language chosen, one of :data:`texlean.i18n.LANGUAGES` (``"en"``, ``"fr"``, ``"zh-Hans"`` …)."""
    global _language, _catalog
    language = i18n.negotiate(tag)
    _catalog = i18n.translations(language)
    _language = language
    return language


def language() -> str:
    """The language messages are shown in."""
    return _language


def translate(context: str, english: str) -> str:
    """``english`` in the current language (``context`` is its msgctxt), else ``english``."""
    if _language == i18n.ENGLISH:
        return english
    try:
        text = _catalog.pgettext(context, english)
    except Exception:  # pragma: no cover - a corrupt catalog
        return english
    return text or english


def rule_title(code: str, english: str) -> str:
    """A rule's title (``rules.toml``) in the current language."""
    return translate(f"title:{code}", english)


@functools.cache
def _fragments() -> dict[str, str]:
    return {text: key for key, text in templates().items() if key.startswith("frag-")}


def fragment(name: str, english: str) -> tuple[str, str]:
    """The parameter ``name`` for a phrase of English that comes from a table
    (``grammars/security.toml``): as the fragment message with that English
    (``name_key``, rendered in the current language) when there is one, else as it is."""
    key = _fragments().get(english)
    return (f"{name}_key", key) if key is not None else (name, english)


def render(key: str, params: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> str:
    english = templates().get(key)
    values = _Lenient(params)
    if english is None:
        template = english = key
    else:
        template = translate(key, english)
    try:
        return template.format_map(values)
    except (ValueError, IndexError, KeyError, AttributeError):
        if template is not english:  # a broken translation: the English one
            try:
                return english.format_map(values)
            except (ValueError, IndexError, KeyError, AttributeError):
                pass
        return english
