"""Settings: initializationOptions, workspace/didChangeConfiguration, workspace/configuration."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from lsprotocol import types

from .conftest import TIMEOUT, Client, codes, initialize, insert, settle, vscode_capabilities

WRITE18 = "\\write18{ls}"
TWO_FINDINGS = f"{WRITE18}\n{{\n"


async def wait_settings(c: Client, check: Any) -> dict[str, Any]:
    deadline = time.monotonic() + TIMEOUT
    while True:
        settings = (await c.status())["settings"]
        if check(settings):
            return settings  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, settings
        await asyncio.sleep(0.02)


def change_configuration(c: Client, settings: Any) -> None:
    c.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))


async def test_initialization_options_are_applied(lsp: Client, uri: str) -> None:
    await initialize(
        lsp,
        options={
            "texlean": {
                "diagnostics": {"debounceMs": 0, "maxCount": 1},
                "rules": {"STR002": "hint"},
            }
        },
    )
    settings = (await lsp.status())["settings"]
    assert settings["diagnostics"]["maxCount"] == 1
    assert settings["diagnostics"]["debounceMs"] == 0
    assert settings["rules"] == {"STR002": "hint"}
    assert lsp.messages == []
    lsp.open(uri, "{\n", version=1)
    p = await lsp.wait_version(uri, 1)
    assert [d.severity for d in p.diagnostics] == [types.DiagnosticSeverity.Hint]


async def test_max_count_limits_published_diagnostics(lsp: Client, uri: str) -> None:
    await initialize(lsp, options={"diagnostics": {"debounceMs": 0, "maxCount": 1}})
    lsp.open(uri, TWO_FINDINGS, version=1)
    p = await lsp.wait_version(uri, 1)
    assert len(p.diagnostics) == 1


async def test_a_bad_value_is_reported_and_the_default_used(lsp: Client, uri: str) -> None:
    await initialize(lsp, options={"diagnostics": {"debounceMs": "soon", "trigger": "change"}})
    assert len(lsp.messages) == 1
    message = lsp.messages[0]
    assert message.type == types.MessageType.Error
    assert "diagnostics.debounceMs" in message.message
    assert "'soon'" in message.message
    assert "150" in message.message  # the default it falls back to
    settings = (await lsp.status())["settings"]
    assert settings["diagnostics"]["debounceMs"] == 150

    # and the server keeps working with the default debounce
    lsp.open(uri, f"{WRITE18}\n", version=1)
    assert codes(await lsp.wait_version(uri, 1)) == ["SEC101"]
    lsp.change(uri, 2, insert(0, 0, "{"))
    assert codes(await lsp.wait_version(uri, 2)) == ["SEC101", "STR002"]


async def test_unknown_and_ill_shaped_settings_are_reported(lsp: Client) -> None:
    await initialize(
        lsp,
        options={"diagnostics": {"debounceMs": 0, "colour": "red"}, "analysis": 3},
    )
    texts = [m.message for m in lsp.messages]
    assert any("diagnostics.colour" in t for t in texts), texts
    assert any("analysis" in t and "object" in t for t in texts), texts
    assert (await lsp.status())["settings"]["analysis"]["timeoutMs"] == 1000


async def test_initialization_options_that_are_not_an_object(lsp: Client) -> None:
    await initialize(lsp, options=["not", "an", "object"])
    assert any("expected an object" in m.message for m in lsp.messages)
    assert (await lsp.status())["settings"]["diagnostics"]["debounceMs"] == 150


async def test_did_change_configuration_updates_settings(push_client: Client, uri: str) -> None:
    c = push_client
    c.open(uri, TWO_FINDINGS, version=1)
    assert codes(await c.wait_version(uri, 1)) == ["SEC101", "STR002"]
    start = len(c.published)

    change_configuration(c, {"texlean": {"diagnostics": {"debounceMs": 0}, "ignore": ["SEC101"]}})
    settings = await wait_settings(c, lambda s: s["ignore"] == ["SEC101"])
    assert settings["diagnostics"]["debounceMs"] == 0
    # the open document is re-published under the new settings, same version
    p = await c.wait_publish(uri, after=start)
    assert p.version == 1
    assert codes(p) == ["STR002"]

    # a later change replaces the earlier one: ignore goes back to its default
    change_configuration(c, {"texlean": {"diagnostics": {"debounceMs": 0}}})
    await wait_settings(c, lambda s: s["ignore"] == [])


async def test_bad_value_in_did_change_configuration(push_client: Client, uri: str) -> None:
    c = push_client
    change_configuration(c, {"texlean": {"diagnostics": {"mode": "sometimes", "maxCount": 5}}})
    await wait_settings(c, lambda s: s["diagnostics"]["maxCount"] == 5)
    assert any("diagnostics.mode" in m.message for m in c.messages)
    assert (await c.status())["settings"]["diagnostics"]["mode"] == "auto"
    c.open(uri, f"{WRITE18}\n", version=1)
    assert codes(await c.wait_version(uri, 1)) == ["SEC101"]


async def test_workspace_configuration_is_requested_and_applied(lsp: Client, uri: str) -> None:
    answers = {"texlean": {"diagnostics": {"debounceMs": 0, "maxCount": 1}}}
    lsp.configuration_answer = lambda item: answers.get(item.section or "")
    await initialize(lsp, vscode_capabilities())
    settings = await wait_settings(lsp, lambda s: s["diagnostics"]["maxCount"] == 1)
    assert settings["diagnostics"]["debounceMs"] == 0
    assert [i.section for r in lsp.configuration_requests for i in r.items] == ["texlean"]
    # asked for only after the initialized notification, never during initialize
    first_request = lsp.wire.index(("request", types.WORKSPACE_CONFIGURATION))
    assert lsp.wire[0][0] == "response" and first_request > 0

    lsp.open(uri, TWO_FINDINGS, version=1)
    assert len((await lsp.wait_version(uri, 1)).diagnostics) == 1

    # didChangeConfiguration without the settings in it: the server asks again
    answers["texlean"] = {"diagnostics": {"debounceMs": 0, "maxCount": 7}}
    change_configuration(lsp, None)
    await wait_settings(lsp, lambda s: s["diagnostics"]["maxCount"] == 7)
    assert len(lsp.configuration_requests) == 2


async def test_no_configuration_request_without_the_capability(lsp: Client) -> None:
    caps = vscode_capabilities()
    assert caps.workspace is not None
    caps.workspace.configuration = False
    await initialize(lsp, caps)
    await settle(lsp)
    await asyncio.sleep(0.2)
    assert lsp.configuration_requests == []


async def test_bad_workspace_configuration_keeps_the_server_working(lsp: Client, uri: str) -> None:
    lsp.configuration_answer = lambda item: {"diagnostics": {"maxCount": "lots"}}
    await initialize(lsp, vscode_capabilities())
    deadline = time.monotonic() + TIMEOUT
    while not any("maxCount" in m.message for m in lsp.messages):
        assert time.monotonic() < deadline, lsp.messages
        await asyncio.sleep(0.02)
    settings = (await lsp.status())["settings"]
    assert settings["diagnostics"]["maxCount"] == 1000
    assert settings["diagnostics"]["debounceMs"] == 0  # from initializationOptions
    lsp.open(uri, f"{WRITE18}\n", version=1)
    assert codes(await lsp.wait_version(uri, 1)) == ["SEC101"]


async def test_no_server_request_before_the_initialize_response(lsp: Client) -> None:
    # a client that supports workspace/diagnostic/refresh and non-default settings:
    # applying initializationOptions must not send the refresh request before the
    # server has answered initialize (LSP forbids server requests before that)
    await initialize(
        lsp,
        vscode_capabilities(pull=True, refresh=True),
        {"diagnostics": {"debounceMs": 0, "maxCount": 3}},
    )
    await settle(lsp)
    await asyncio.sleep(0.2)
    first_response = next(i for i, (kind, _) in enumerate(lsp.wire) if kind == "response")
    before = [m for kind, m in lsp.wire[:first_response] if kind == "request"]
    assert before == []


async def test_refresh_is_requested_when_settings_change(lsp: Client) -> None:
    await initialize(lsp, vscode_capabilities(pull=True, refresh=True))
    await settle(lsp)
    count = lsp.refresh_requests
    change_configuration(lsp, {"texlean": {"rules": {"SEC101": "off"}}})
    deadline = time.monotonic() + TIMEOUT
    while lsp.refresh_requests == count:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
