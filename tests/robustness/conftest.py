"""Fixtures for the robustness tests: the real server over stdio, a synthetic big document.

Measured figures (times, RSS) are printed and collected into
``test-artifacts/robustness.json`` (ignored by git).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from .support import INIT_OPTIONS, REPO, LspClient, synthetic_document

ARTIFACT = REPO / "test-artifacts" / "robustness.json"


@pytest.fixture(scope="session")
def big_document() -> str:
    return synthetic_document()


@pytest.fixture
def server() -> Iterator[LspClient]:
    client = LspClient().start()
    try:
        client.initialize(INIT_OPTIONS)
        yield client
    finally:
        alive = client.alive()
        client.stop()
        if not alive:
            sys.stderr.write("server stderr:\n" + client.stderr_text()[-4000:])


_FIGURES: dict[str, Any] = {}


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Any:
    """``record(**figures)``: print the figures and keep them for test-artifacts/."""

    def put(**figures: Any) -> None:
        _FIGURES.setdefault(request.node.name, {}).update(figures)
        print(f"{request.node.name}: {json.dumps(figures)}")

    return put


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _FIGURES:
        ARTIFACT.parent.mkdir(exist_ok=True)
        ARTIFACT.write_text(json.dumps(_FIGURES, indent=2) + "\n")
