"""Settings from the client: initializationOptions, workspace/configuration, didChangeConfiguration."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from .. import messages
from ..settings import parse
from .protocol import choose_encoding

if TYPE_CHECKING:
    from .server import TexleanServer

SECTION = "texlean"


def _locale_setting(raw: Any) -> str | None:
    """The ``locale`` setting (``texlean.locale``), when the settings carry one."""
    if isinstance(raw, Mapping) and isinstance(raw.get(SECTION), Mapping):
        raw = raw[SECTION]
    value = raw.get("locale") if isinstance(raw, Mapping) else None
    return value if isinstance(value, str) and value.strip() else None


def _use_language(tag: str | None) -> bool:
    """Show messages in ``tag``'s language; True when that changes the language."""
    before = messages.language()
    return messages.use_language(tag) != before


def _supports_configuration(server: TexleanServer) -> bool:
    ws = server.client_capabilities.workspace
    return bool(ws is not None and ws.configuration)


async def _pull_configuration(server: TexleanServer) -> None:
    try:
        result = await asyncio.wait_for(
            server.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            ),
            timeout=10,
        )
    except Exception as exc:  # a client that cannot answer keeps the settings it has
        server.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Warning,
                message=f"texlean: workspace/configuration failed: {exc}",
            )
        )
        return
    raw: Any = result[0] if result else None
    if raw is None:
        return
    settings, problems = parse(raw, server.initial_settings)
    changed = _use_language(_locale_setting(raw) or server.client_locale)
    server.apply_settings(settings, problems, language_changed=changed)


def register(server: TexleanServer) -> None:
    @server.feature(types.INITIALIZE)
    @server.guarded("initialize")
    def initialize(params: types.InitializeParams) -> None:
        server.encoding = choose_encoding(params.capabilities)
        # messages in the language of the client, unless the `locale` setting says otherwise
        server.client_locale = _locale_setting(params.initialization_options) or params.locale
        _use_language(server.client_locale)
        settings, problems = parse(params.initialization_options)
        server.initial_settings = settings
        server.apply_settings(settings, problems)

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        server.ready = True
        if _supports_configuration(server):
            await _pull_configuration(server)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        raw = params.settings
        if isinstance(raw, dict) and isinstance(raw.get(SECTION), dict):
            settings, problems = parse(raw[SECTION], server.initial_settings)
            changed = _use_language(_locale_setting(raw) or server.client_locale)
            server.apply_settings(settings, problems, language_changed=changed)
        elif _supports_configuration(server):
            await _pull_configuration(server)
        elif isinstance(raw, dict) and raw:
            settings, problems = parse(raw, server.initial_settings)
            changed = _use_language(_locale_setting(raw) or server.client_locale)
            server.apply_settings(settings, problems, language_changed=changed)
