"""The server speaks the client's language: InitializeParams.locale, or the `locale` setting.

Rule codes stay the same in every language; only the words change.
"""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types

from .conftest import TIMEOUT, Client, only, rng, vscode_capabilities

WRITE18 = "\\immediate\\write18{ls}\n"
FRENCH = "exécute la commande shell `ls` lors d'une compilation avec -shell-escape"
ENGLISH = "runs the shell command `ls` when compiled with -shell-escape"
GERMAN = "führt beim Kompilieren mit -shell-escape den Shell-Befehl `ls` aus"
JAPANESE = "-shell-escape 付きでコンパイルすると、シェルコマンド `ls` を実行します"


async def start(client: Client, locale: str | None, options: Any = None) -> None:
    await asyncio.wait_for(
        client.initialize_session(
            types.InitializeParams(
                capabilities=vscode_capabilities(),
                locale=locale,
                initialization_options=options or {"diagnostics": {"debounceMs": 0}},
            )
        ),
        TIMEOUT,
    )


async def test_diagnostics_in_the_client_locale(lsp: Client, uri: str) -> None:
    await start(lsp, "fr-FR")
    lsp.open(uri, WRITE18, version=1)
    d = only(await lsp.wait_version(uri, 1), "SEC101")
    assert d.code == "SEC101"
    assert d.message == FRENCH


async def test_unknown_locale_is_english(lsp: Client, uri: str) -> None:
    await start(lsp, "pt-BR")
    lsp.open(uri, WRITE18, version=1)
    assert only(await lsp.wait_version(uri, 1), "SEC101").message == ENGLISH


async def test_locale_setting_overrides_the_client_and_can_change(lsp: Client, uri: str) -> None:
    await start(lsp, "fr-FR", {"diagnostics": {"debounceMs": 0}, "locale": "ja"})
    lsp.open(uri, WRITE18, version=1)
    assert only(await lsp.wait_version(uri, 1), "SEC101").message == JAPANESE
    # a new locale setting re-publishes the open documents in the new language
    after = len(lsp.published)
    lsp.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"texlean": {"locale": "de-DE"}})
    )
    p = await lsp.wait_publish(
        uri, lambda p: any(d.message == GERMAN for d in p.diagnostics), after=after
    )
    assert only(p, "SEC101").code == "SEC101"


THEOREM = "\\begin{theorem}\\label{thm:two}\n$1 + 1 = 2$.\n\\end{theorem}\n"


async def test_code_action_titles_in_the_client_locale(lsp: Client, uri: str) -> None:
    from .test_formalize import code_actions

    await start(lsp, "fr-FR")
    lsp.open(uri, THEOREM + "% texlean: disable\n", version=1)
    await lsp.wait_version(uri, 1)
    # the unused suppression of every rule comes once the statement's hazards are in
    p = await lsp.wait_publish(uri, lambda p: any(d.code == "TLX003" for d in p.diagnostics))
    assert "l'ensemble des règles est supprimé ici" in only(p, "TLX003").message
    titles = [a.title for a in await code_actions(lsp, uri, rng(1, 2, 1, 2))]
    assert any(t.startswith("Formaliser en Lean 4 (") for t in titles), titles
    assert not [t for t in titles if "Formalize" in t], titles
    unused = [a.title for a in await code_actions(lsp, uri, rng(3, 2, 3, 2))]
    assert "Retirer le commentaire de suppression inutilisé" in unused, unused


async def test_code_action_titles_stay_english(lsp: Client, uri: str) -> None:
    from .test_formalize import code_actions

    await start(lsp, None)
    lsp.open(uri, THEOREM, version=1)
    await lsp.wait_version(uri, 1)
    titles = [a.title for a in await code_actions(lsp, uri, rng(1, 2, 1, 2))]
    assert any(t.startswith("Formalize to Lean 4 (") for t in titles), titles
