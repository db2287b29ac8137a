"""Loading the declarative tables in ``grammars/`` (shipped as ``texlean.grammars``)."""

from __future__ import annotations

import sys
from functools import cache
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed TOML table ``grammars/<name>.toml``."""
    ref = resources.files("texlean.grammars").joinpath(f"{name}.toml")
    with ref.open("rb") as fh:
        data: dict[str, Any] = tomllib.load(fh)
    return data


def read_text(name: str) -> str:
    """The raw text of a file in ``grammars/``."""
    return resources.files("texlean.grammars").joinpath(name).read_text(encoding="utf-8")
