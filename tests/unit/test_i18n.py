"""Translations: the catalogs are complete and in sync, negotiation, rendering.

Every message of grammars/messages.toml (and every rule title of rules.toml)
must have a translation in each catalog, with exactly the English
placeholders; a message added, changed or removed without updating the
catalogs (``make messages``, then translate) fails here.
"""

from __future__ import annotations

import gettext
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from texlean import i18n, messages
from texlean.analysis.rules import catalog as rule_catalog
from texlean.i18n import build, extract

CATALOGS = sorted(i18n.CATALOGS.values())
LANGUAGES = sorted(i18n.CATALOGS)


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """The language is process-wide: leave it English for the other tests."""
    yield
    messages.use_language(None)


def po(catalog: str) -> Any:
    with i18n.po_path(catalog).open("rb") as fh:
        return read_po(fh, locale=catalog, domain=i18n.DOMAIN)


def entries(catalog: str) -> dict[str, Any]:
    return {m.context: m for m in po(catalog) if m.id}


EXPECTED = {e.context: e.msgid for e in extract.entries()}


def braces(text: str) -> list[str]:
    """The literal braces of a str.format template (``{{`` and ``}}``) in order."""
    out = []
    for literal, field, _, _ in string.Formatter().parse(text):
        out.extend(c for c in literal if c in "{}")
        if field is not None:
            out.append("<field>")
    return out


def test_entries_cover_every_message_and_rule_title() -> None:
    keys = set(messages.templates())
    assert {c for c in EXPECTED if not c.startswith("title:")} == keys
    assert {c[len("title:") :] for c in EXPECTED if c.startswith("title:")} == set(rule_catalog())


@pytest.mark.parametrize("catalog", CATALOGS)
def test_catalog_is_in_sync_with_the_grammars(catalog: str) -> None:
    got = {context: m.id for context, m in entries(catalog).items()}
    missing = sorted(set(EXPECTED) - set(got))
    obsolete = sorted(set(got) - set(EXPECTED))
    assert not missing, f"{catalog}: not in the catalog (run make messages, translate): {missing}"
    assert not obsolete, f"{catalog}: no longer in grammars/ (run make messages): {obsolete}"
    changed = sorted(c for c in EXPECTED if got[c] != EXPECTED[c])
    assert not changed, (
        f"{catalog}: English changed since translated (run make messages): {changed}"
    )


@pytest.mark.parametrize("catalog", CATALOGS)
def test_every_entry_is_translated_and_not_fuzzy(catalog: str) -> None:
    cat = po(catalog)
    assert not cat.fuzzy, f"{catalog}: the catalog header is fuzzy"
    for context, m in entries(catalog).items():
        assert isinstance(m.string, str) and m.string.strip(), f"{catalog} {context}: empty"
        assert not m.fuzzy, f"{catalog} {context}: fuzzy"
    assert not list(cat.obsolete), f"{catalog}: obsolete entries"


@pytest.mark.parametrize("catalog", CATALOGS)
def test_translations_keep_placeholders_and_literal_braces(catalog: str) -> None:
    for context, m in entries(catalog).items():
        if context.startswith("title:"):  # titles are not formatted: braces are literal
            assert m.string.count("{") == m.id.count("{"), (catalog, context)
            continue
        assert messages.placeholders(m.string) == messages.placeholders(m.id), (catalog, context)
        # same {{ }} escapes around the fields (a single } would break str.format)
        assert sorted(braces(m.string)) == sorted(braces(m.id)), (catalog, context, m.string)


@pytest.mark.parametrize("catalog", CATALOGS)
def test_latex_commands_and_code_stay_untranslated(catalog: str) -> None:
    import re

    code = re.compile(r"\\[A-Za-z]+|`[^`]*`|\"[^\"]*\"|-shell-escape|-dSAFER")
    for context, m in entries(catalog).items():
        for piece in code.findall(m.id):
            assert piece in m.string, (catalog, context, piece)


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("fr", "fr"),
        ("fr-FR", "fr"),
        ("FR-fr", "fr"),
        ("fr_CA", "fr"),
        ("ja-JP", "ja"),
        ("ja", "ja"),
        ("zh-CN", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh_Hans_CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("zh-TW", "en"),  # Traditional Chinese has no catalog: English, not Simplified
        ("zh-Hant", "en"),
        ("zh-Hant-HK", "en"),
        ("de_DE.UTF-8", "de"),
        ("de_AT.utf8@euro", "de"),
        ("de-CH", "de"),
        ("es-MX", "es"),
        ("es-419", "es"),
        ("es", "es"),
        ("en-US", "en"),
        ("en_GB.UTF-8", "en"),
        ("pt-BR", "en"),
        ("C", "en"),
        ("C.UTF-8", "en"),
        ("POSIX", "en"),
        (None, "en"),
        ("", "en"),
        ("   ", "en"),
        ("garbage!!", "en"),
        ("x-klingon", "en"),
        ("pt_BR:fr:de", "fr"),  # GNU LANGUAGE lists: the first supported one
        ("it-IT,de;q=0.8", "de"),
    ],
)
def test_negotiation(tag: str | None, language: str) -> None:
    assert i18n.negotiate(tag) == language
    assert messages.use_language(tag) == language
    assert messages.language() == language


SAMPLE = {"command": "ls", "via": "", "env": "proof", "open": "itemize", "path": "a.tex"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_render_translates_and_fills_placeholders(language: str) -> None:
    by_context = entries(i18n.CATALOGS[language])
    assert messages.use_language(language) == language
    for key in messages.templates():
        expected = by_context[key].string.format_map(messages._Lenient(SAMPLE))
        assert messages.render(key, SAMPLE) == expected, (language, key)
    sec101 = messages.render("SEC101", {"command": "ls", "via": ""})
    assert "`ls`" in sec101 and "-shell-escape" in sec101
    assert sec101 != "runs the shell command `ls` when compiled with -shell-escape"
    str005 = messages.render("STR005", {"env": "a", "open": "b"})
    assert '"\\begin{b} ended by \\end{a}"' in str005 and "{" + "{" not in str005
    for code, r in rule_catalog().items():
        assert messages.rule_title(code, r.title) == by_context[f"title:{code}"].string


def test_french_examples() -> None:
    messages.use_language("fr-FR")
    assert (
        messages.render("SEC101", {"command": "ls", "via": ""})
        == "exécute la commande shell `ls` lors d'une compilation avec -shell-escape"
    )
    assert (
        messages.render("STR001")
        == "accolade fermante sans accolade ouvrante : TeX s'arrête avec \"Too many }'s\""
    )
    assert messages.render("cli-no-files", {"path": "x/"}) == "aucun fichier .tex trouvé dans x/"


def test_english_is_the_default_and_unknown_keys_pass_through() -> None:
    assert messages.language() == "en"
    assert messages.render("SEC101", {"command": "ls"}).startswith("runs the shell command `ls`")
    messages.use_language("ja")
    assert messages.render("no-such-key") == "no-such-key"
    assert messages.render("SEC101", {}) == messages.render("SEC101", {"command": "?", "via": "?"})


def test_a_missing_or_broken_translation_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Broken(gettext.NullTranslations):
        def pgettext(self, context: str, message: str) -> str:
            return {"SEC101": "{command oops", "STR001": ""}.get(context, message)

    messages.use_language("de")
    monkeypatch.setattr(messages, "_catalog", Broken())
    english = "runs the shell command `ls` when compiled with -shell-escape"
    assert messages.render("SEC101", {"command": "ls", "via": ""}) == english
    assert messages.render("STR001").startswith("closing brace without an opening brace")


def test_a_missing_compiled_catalog_falls_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # no .mo and no .po: English, no exception
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        assert messages.use_language("fr") == "fr"
        assert messages.render("not-open", {"uri": "u"}) == "document u is not open"
        # only the .po: compiled in memory (Babel is installed with the test extra)
        po_dir = tmp_path / "fr" / "LC_MESSAGES"
        po_dir.mkdir(parents=True)
        source = build.LOCALE_DIR / "fr" / "LC_MESSAGES" / "texlean.po"  # the real one
        po_dir.joinpath("texlean.po").write_bytes(source.read_bytes())
        i18n.translations.cache_clear()
        assert messages.use_language("fr") == "fr"
        assert messages.render("not-open", {"uri": "u"}) == "le document u n'est pas ouvert"
    finally:
        i18n.translations.cache_clear()


def test_compiled_catalogs_are_installed_with_the_package() -> None:
    """The .mo files are built (setup.py's build_py, or make setup), never committed."""
    missing = [str(i18n.mo_path(c)) for c in CATALOGS if not i18n.mo_path(c).is_file()]
    assert not missing, f"not compiled (run make setup, or pip install .): {missing}"
    for c in CATALOGS:
        with i18n.mo_path(c).open("rb") as fh:
            compiled = gettext.GNUTranslations(fh)
        assert (
            compiled.pgettext("not-open", "document {uri} is not open")
            == entries(c)["not-open"].string
        )


def test_build_compiles_every_catalog(tmp_path: Path) -> None:
    written = build.compile_all(out_dir=tmp_path)
    assert sorted(p.parent.parent.name for p in written) == CATALOGS
    for mo in written:
        with mo.open("rb") as fh:
            assert (
                gettext.GNUTranslations(fh).pgettext("SEC101", EXPECTED["SEC101"])
                != EXPECTED["SEC101"]
            )


def test_pot_is_current(tmp_path: Path) -> None:
    pot = tmp_path / "texlean.pot"
    pot.write_bytes(extract.POT.read_bytes())
    assert extract.write_pot(pot) is False, "locale/texlean.pot is stale: run make messages"


def test_rules_listing_titles_follow_the_language() -> None:
    from texlean import docs_gen

    messages.use_language("ja")
    listing = docs_gen.text_listing()
    assert "\\write18 によるシェルコマンドの実行" in listing and "SEC101" in listing
    messages.use_language("en")
    assert "\\write18 runs a shell command" in docs_gen.text_listing()
    # the generated documentation stays English whatever the language
    messages.use_language("fr")
    assert "\\write18 runs a shell command" in docs_gen.markdown()


# -- words put into messages by the analysis and the editor features -------------------


def _messages(text: str, code: str) -> list[str]:
    from texlean.analysis.present import present
    from texlean.engine import Engine
    from texlean.settings import Settings

    report = Engine().analyse_text(text)
    return [p.message for p in present(report.findings, Settings()) if p.code == code]


FRAGMENT_CASES = [
    # (document, code, the English message, the pieces of it the analysis supplies)
    (
        "% texlean: disable\nx\n",
        "TLX003",
        "every rule is suppressed here, but nothing here is reported for it: this "
        "suppression can go",
        ["frag-every-rule"],
    ),
    (
        "\\begin{filecontents}[overwrite]{notes.tex}\nx\n\\end{filecontents}\n",
        "SEC303",
        "filecontents overwrites notes.tex when the document is compiled",
        ["frag-overwrites"],
    ),
    (
        "\\immediate\\csname write\\endcsname18{ls}\n",
        "SEC101",
        "runs the shell command `ls` when compiled with -shell-escape (assembled with \\csname)",
        ["via-csname"],
    ),
    (
        "\\href{run:calc.exe}{x}\n",
        "SEC502",
        "puts a /Launch action into the PDF (a link to run:calc.exe)",
        ["frag-link-to"],
    ),
    (
        "\\directlua{local c = io.read(); load(c)()}\n",
        "SEC403",
        "loads Lua code at run time (load (code computed at run time)) when compiled with "
        "LuaLaTeX: what it runs cannot be seen",
        ["frag-lua-run-time-code"],
    ),
]
# what the fragments' placeholders stand for in the cases above
FILLED = {"{url}": "run:calc.exe", "{arg}": "load"}


def _filled(text: str) -> str:
    for placeholder, value in FILLED.items():
        text = text.replace(placeholder, value)
    return text


@pytest.mark.parametrize(("text", "code", "english", "keys"), FRAGMENT_CASES)
def test_fragments_follow_the_language(text: str, code: str, english: str, keys: list[str]) -> None:
    assert _messages(text, code) == [english]  # English unchanged
    for language in LANGUAGES:
        messages.use_language(language)
        by_context = entries(i18n.CATALOGS[language])
        [message] = _messages(text, code)
        for key in keys:
            piece = _filled(messages.templates()[key])
            translated = _filled(by_context[key].string)
            assert piece not in message, (language, message)
            assert translated in message, (language, message)


def test_french_fragments() -> None:
    messages.use_language("fr")
    assert _messages("% texlean: disable\nx\n", "TLX003") == [
        "l'ensemble des règles est supprimé ici, mais rien n'est signalé ici à ce titre : "
        "cette suppression peut être retirée"
    ]
    [sec101] = _messages("\\immediate\\csname write\\endcsname18{ls}\n", "SEC101")
    assert sec101.endswith("-shell-escape (assemblé avec \\csname)")


@pytest.mark.parametrize("language", LANGUAGES)
def test_readings_and_lists_of_lua_names_follow_the_language(language: str) -> None:
    from texlean.analysis.findings import Finding, Span
    from texlean.analysis.present import present
    from texlean.settings import Settings

    reading = Finding(
        "FRM007", Span(0, 0, 0, 1), (("expr", "f(…)"), ("reading_key", "frag-reading-product"))
    )
    lua = Finding(
        "SEC403",
        Span(0, 0, 0, 1),
        (("what:frag-lua-run-time-code", "load"), ("what:", 'require "x"')),
    )
    messages.use_language(language)
    by_context = entries(i18n.CATALOGS[language])
    [frm007, sec403] = [p.message for p in present([reading, lua], Settings())]
    assert by_context["frag-reading-product"].string in frm007
    names = by_context["list-separator"].string.join(
        [by_context["frag-lua-run-time-code"].string.replace("{arg}", "load"), 'require "x"']
    )
    assert names in sec403, sec403
    messages.use_language("en")
    [frm007, sec403] = [p.message for p in present([reading, lua], Settings())]
    assert frm007 == "f(…) is read as a product"
    assert '(load (code computed at run time), require "x")' in sec403


def test_table_phrases_have_fragments() -> None:
    """The phrases grammars/security.toml puts into messages are translated (a
    fragment in messages.toml with the same English); names stay as they are."""
    from texlean.tables import load

    table = load("security")
    phrases = set(table["pdf"]["triggers"].values())
    phrases |= {
        str(e["reader"])
        for group in ("source_names", "source_extensions")
        for e in table["paths"][group]
        if e.get("reader")
    }
    names = {"latexmk", "make", "Git", "BibTeX"}
    for phrase in sorted(phrases - names):
        assert messages.fragment("what", phrase)[0] == "what_key", phrase


def test_code_action_titles_follow_the_language() -> None:
    from texlean.analysis.findings import Finding, Span
    from texlean.analysis.present import present_one
    from texlean.lsp.code_actions import fixes_for
    from texlean.settings import Settings

    cases = [
        (Finding("SEC101", Span(0, 10, 0, 22), (("command", "ls"),)), "\\immediate\\write18{ls}"),
        (
            Finding("TLX003", Span(0, 0, 0, 18), (("what_key", "frag-every-rule"),)),
            "% texlean: disable",
        ),
    ]

    def titles() -> list[str]:
        out = []
        for f, line in cases:
            p = present_one(f, Settings())
            assert p is not None
            out += [fix.title for fix in fixes_for(f, p, [line + "\n", "x\n"])]
        return out

    english = [
        "Remove \\write18{ls}",
        "Comment out \\write18{ls}",
        "Suppress SEC101 on this line",
        "Suppress SEC101 in this file",
        "Remove the unused suppression comment",
    ]
    assert titles() == english
    messages.use_language("fr")
    assert titles() == [
        "Supprimer \\write18{ls}",
        "Commenter \\write18{ls}",
        "Désactiver SEC101 sur cette ligne",
        "Désactiver SEC101 dans ce fichier",
        "Retirer le commentaire de suppression inutilisé",
    ]
