"""``--lang``: the language messages are rendered in.

The tag comes from ``--lang``, else from the environment's locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``, the first one set).  :func:`use` hands it to
``messages.use_language`` when the messages module has it (translations), so
the batch works the same before and after they land; worker processes call
it too, so they render in the same language.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

ENV_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    for name in ENV_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def choose(flag: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The tag to use: the flag's, else the environment's."""
    return flag if flag else from_environment(environ)


def use(tag: str | None) -> str | None:
    """Render messages in ``tag`` from now on (when translations exist); the
    language actually used, or None when there is nothing to negotiate with."""
    from .. import messages

    setter = getattr(messages, "use_language", None)
    if setter is None:
        return None
    return str(setter(tag))
