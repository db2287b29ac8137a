"""textDocument/codeAction through the real server: quick fixes for texlean's diagnostics.

Each action's edit is applied to the text here, in the negotiated position
encoding, and the result checked; a suppression applied and sent back to the
server makes the diagnostic disappear from the next publish.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from .conftest import TIMEOUT, Client, codes, only, rng, whole

# One server for the module, each test with its own document (the tests of
# other client capabilities and encodings are in test_code_actions_clients.py).
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def uri(request: pytest.FixtureRequest) -> str:
    name = re.sub(r"[^\w-]", "_", request.node.name)
    return f"file:///e2e/code-actions/{name}.tex"


@pytest_asyncio.fixture(loop_scope="module")
async def push_client(shared_push_client: Client) -> Client:
    return shared_push_client


WRITE18 = "\\immediate\\write18{rm -rf ~}"
TEXT = (
    "\\documentclass{article}\n"
    "\\begin{document}\n"
    f"  Some text {WRITE18} and more.\n"
    "\\end{document}\n"
)


# -- applying edits locally ---------------------------------------------------------


def _offset(text: str, pos: types.Position, encoding: str) -> int:
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text) or [""]
    if pos.line >= len(lines):
        return len(text)
    start = sum(len(line) for line in lines[: pos.line])
    units = 0
    for i, ch in enumerate(lines[pos.line]):
        if units >= pos.character or ch in "\r\n":
            return start + i
        units += len(ch.encode("utf-8")) if encoding == "utf-8" else (2 if ch > "\uffff" else 1)
    return start + len(lines[pos.line])


def apply_edits(text: str, edits: list[types.TextEdit], encoding: str = "utf-16") -> str:
    spans = [
        (_offset(text, e.range.start, encoding), _offset(text, e.range.end, encoding), e.new_text)
        for e in edits
    ]
    for a, b, new in sorted(spans, reverse=True):
        text = text[:a] + new + text[b:]
    return text


def text_edits(action: types.CodeAction, uri: str, version: int | None) -> list[types.TextEdit]:
    """The edits of ``action`` for ``uri``: a versioned TextDocumentEdit, or ``changes``."""
    edit = action.edit
    assert edit is not None
    if edit.document_changes is not None:
        assert edit.changes is None
        (change,) = edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.uri == uri
        assert change.text_document.version == version
        return [e for e in change.edits if isinstance(e, types.TextEdit)]
    assert edit.changes is not None
    return list(edit.changes[uri])


async def actions(
    c: Client,
    uri: str,
    rng_: types.Range,
    diagnostics: list[types.Diagnostic] | None = None,
    only_: list[str] | None = None,
) -> list[types.CodeAction]:
    result = await asyncio.wait_for(
        c.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=rng_,
                context=types.CodeActionContext(diagnostics=diagnostics or [], only=only_),
            )
        ),
        TIMEOUT,
    )
    assert result is not None
    out = [a for a in result if isinstance(a, types.CodeAction)]
    assert len(out) == len(result), "commands are never returned"
    return out


def by_title(found: list[types.CodeAction]) -> dict[str, types.CodeAction]:
    return {a.title: a for a in found}


# -- the actions --------------------------------------------------------------------


async def test_actions_for_write18(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, TEXT, version=1)
    d = only(await c.wait_version(uri, 1), "SEC101")
    found = by_title(await actions(c, uri, d.range, [d]))
    assert list(found) == [
        f"Remove {WRITE18}",
        f"Comment out {WRITE18}",
        "Suppress SEC101 on this line",
        "Suppress SEC101 in this file",
    ]
    for action in found.values():
        assert action.kind == types.CodeActionKind.QuickFix
        assert list(action.diagnostics or []) == [d]
    assert found[f"Remove {WRITE18}"].is_preferred is True
    assert not any(a.is_preferred for t, a in found.items() if not t.startswith("Remove"))

    def result(title: str) -> list[str]:
        return apply_edits(TEXT, text_edits(found[title], uri, 1)).splitlines()

    assert result(f"Remove {WRITE18}")[2] == "  Some text  and more."
    assert result(f"Comment out {WRITE18}")[2:4] == [f"  Some text % {WRITE18}", "  and more."]
    assert result("Suppress SEC101 on this line")[2:4] == [
        "  % texlean: disable-next-line SEC101",
        f"  Some text {WRITE18} and more.",
    ]
    assert result("Suppress SEC101 in this file")[:2] == [
        "% texlean: disable SEC101",
        "\\documentclass{article}",
    ]


async def test_applying_suppress_on_this_line_clears_the_diagnostic(
    push_client: Client, uri: str
) -> None:
    c = push_client
    c.open(uri, TEXT, version=1)
    p = await c.wait_version(uri, 1)
    d = only(p, "SEC101")
    found = by_title(await actions(c, uri, d.range, [d]))
    new_text = apply_edits(TEXT, text_edits(found["Suppress SEC101 on this line"], uri, 1))
    c.change(uri, 2, whole(new_text))
    assert codes(await c.wait_version(uri, 2)) == []
    # and the other fixes, each from the original text
    version = 2
    for title in (f"Remove {WRITE18}", f"Comment out {WRITE18}", "Suppress SEC101 in this file"):
        version += 1
        c.change(uri, version, whole(TEXT))
        assert codes(await c.wait_version(uri, version)) == ["SEC101"]
        edited = apply_edits(TEXT, text_edits(found[title], uri, 1))
        version += 1
        c.change(uri, version, whole(edited))
        assert codes(await c.wait_version(uri, version)) == [], title


async def test_edits_as_incremental_changes(push_client: Client, uri: str) -> None:
    """The edit sent back as the client would: TextEdits become didChange ranges."""
    c = push_client
    c.open(uri, TEXT, version=1)
    d = only(await c.wait_version(uri, 1), "SEC101")
    found = by_title(await actions(c, uri, d.range, [d]))
    edits = text_edits(found["Suppress SEC101 on this line"], uri, 1)
    c.change(
        uri,
        2,
        *[types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in edits],
    )
    assert codes(await c.wait_version(uri, 2)) == []
    status = await c.status()
    assert status["lastAnalysis"]["reanalysed"] <= 2


async def test_cursor_without_context_diagnostics(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, TEXT, version=1)
    d = only(await c.wait_version(uri, 1), "SEC101")
    inside = d.range.start.character + 3
    found = await actions(c, uri, rng(2, inside, 2, inside))
    assert [a.title for a in found][-1] == "Suppress SEC101 in this file"
    assert list(found[0].diagnostics or []) == [d]
    # a line without diagnostics: nothing
    assert await actions(c, uri, rng(0, 0, 0, 5)) == []


async def test_context_diagnostic_away_from_the_range(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, TEXT, version=1)
    d = only(await c.wait_version(uri, 1), "SEC101")
    found = await actions(c, uri, rng(0, 0, 0, 0), [d])
    assert len(found) == 4
    assert all(list(a.diagnostics or []) == [d] for a in found)
    # a context diagnostic with a range past the end is only matched against, never used
    far = types.Diagnostic(range=rng(90, 0, 90, 1), message="?", source="texlean", code="SEC101")
    assert await actions(c, uri, rng(0, 0, 0, 0), [far]) == []


async def test_only_texlean_diagnostics_and_only_quickfixes(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, TEXT, version=1)
    d = only(await c.wait_version(uri, 1), "SEC101")
    foreign = types.Diagnostic(range=d.range, message="spelling", source="cspell", code="x")
    found = await actions(c, uri, rng(0, 0, 0, 0), [foreign])
    assert found == []
    # a stale diagnostic (a range where texlean has nothing) gets nothing
    stale = types.Diagnostic(range=rng(0, 0, 0, 3), message="old", source="texlean", code="SEC101")
    assert await actions(c, uri, rng(0, 0, 0, 0), [stale]) == []
    assert await actions(c, uri, d.range, [d], only_=["refactor"]) == []
    assert len(await actions(c, uri, d.range, [d], only_=["quickfix"])) == 4


async def test_structure_fix_add_end_document(push_client: Client, uri: str) -> None:
    c = push_client
    text = "\\documentclass{article}\n\\begin{document}\nHello.\n"
    c.open(uri, text, version=1)
    d = only(await c.wait_version(uri, 1), "STR009")
    found = by_title(await actions(c, uri, d.range, [d]))
    fix = found["Add \\end{document} at the end"]
    assert fix.is_preferred is True
    new_text = apply_edits(text, text_edits(fix, uri, 1))
    assert new_text == text + "\\end{document}\n"
    c.change(uri, 2, whole(new_text))
    assert codes(await c.wait_version(uri, 2)) == []


async def test_typo_in_a_suppression_comment(push_client: Client, uri: str) -> None:
    c = push_client
    text = f"{WRITE18} % texlean: disable-line SEC1O1\n"
    c.open(uri, text, version=1)
    p = await c.wait_version(uri, 1)
    assert codes(p) == ["SEC101", "TLX001"]
    d = only(p, "TLX001")
    found = by_title(await actions(c, uri, d.range, [d]))
    fix = found["Change SEC1O1 to SEC101 (shell-escape-write18)"]
    assert fix.is_preferred is True
    c.change(uri, 2, whole(apply_edits(text, text_edits(fix, uri, 1))))
    assert codes(await c.wait_version(uri, 2)) == []


async def test_unused_suppression_is_faded_and_removed(push_client: Client, uri: str) -> None:
    c = push_client
    text = f"% texlean: disable-next-line SEC101, SEC102\n{WRITE18}\n"
    c.open(uri, text, version=1)
    p = await c.wait_version(uri, 1)
    assert codes(p) == ["TLX003"]  # SEC101 is suppressed, SEC102 suppresses nothing
    d = only(p, "TLX003")
    assert list(d.tags or []) == [types.DiagnosticTag.Unnecessary]
    assert d.severity == types.DiagnosticSeverity.Hint
    found = by_title(await actions(c, uri, d.range, [d]))
    fix = found["Remove the unused suppression of SEC102"]
    new_text = apply_edits(text, text_edits(fix, uri, 1))
    assert new_text == f"% texlean: disable-next-line SEC101\n{WRITE18}\n"
    c.change(uri, 2, whole(new_text))
    assert codes(await c.wait_version(uri, 2)) == []


async def test_document_version_follows_edits(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, "x\n", version=1)
    await c.wait_version(uri, 1)
    c.change(uri, 7, whole(TEXT))
    d = only(await c.wait_version(uri, 7), "SEC101")
    (first, *_) = await actions(c, uri, d.range, [d])
    text_edits(first, uri, 7)  # checks the version


async def test_registered_as_quickfix_provider(push_client: Client, uri: str) -> None:
    result = push_client.initialize_result
    assert result is not None
    provider: Any = result.capabilities.code_action_provider
    assert isinstance(provider, types.CodeActionOptions)
    kinds = list(provider.code_action_kinds or [])
    # quick fixes first; the formalize actions add their kinds after them, each once
    assert kinds[0] == types.CodeActionKind.QuickFix
    assert len(kinds) == len(set(kinds))


# -- invalid requests ------------------------------------------------------------------


async def test_range_outside_the_document_is_invalid_params(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, TEXT, version=1)
    await c.wait_version(uri, 1)
    with pytest.raises(JsonRpcInvalidParams):
        await actions(c, uri, rng(40, 0, 41, 0))
    with pytest.raises(JsonRpcInvalidParams):
        await actions(c, uri, rng(0, 0, 0, 500))
    # the server is still there
    assert (await c.status())["openDocuments"] >= 1


async def test_document_not_open_is_invalid_params(push_client: Client) -> None:
    with pytest.raises(JsonRpcInvalidParams):
        await actions(push_client, "file:///not/open.tex", rng(0, 0, 0, 0))


async def test_malformed_params_are_invalid_params(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, TEXT, version=1)
    await c.wait_version(uri, 1)
    with pytest.raises(JsonRpcInvalidParams):
        await c.raw_request(
            types.TEXT_DOCUMENT_CODE_ACTION,
            params={"textDocument": {"uri": uri}, "range": {"start": 3}, "context": {}},
        )
