"""Build hook: compile the gettext catalogs when the package is built.

All metadata is in pyproject.toml; this file only replaces setuptools' ``build_py``
with one that also compiles ``server/texlean/locale/*/LC_MESSAGES/texlean.po`` into
``.mo`` files with Babel (a build requirement), so wheels ship compiled catalogs
and nobody commits them.  A regular build writes them into the build directory; an
editable install (which serves the source tree) writes them next to the ``.po``.
The compiler is ``server/texlean/i18n/build.py``, loaded by path because the
package itself is not importable while it is being built.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
LOCALE = HERE / "server" / "texlean" / "locale"


def _compiler() -> Any:
    spec = importlib.util.spec_from_file_location(
        "_texlean_i18n_build", HERE / "server" / "texlean" / "i18n" / "build.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithCatalogs(build_py):
    """``build_py`` that also compiles the message catalogs (``.po`` → ``.mo``)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            out = LOCALE
        else:
            out = Path(self.build_lib) / "texlean" / "locale"
        written = _compiler().compile_all(LOCALE, out)
        self.announce(f"compiled {len(written)} message catalogs into {out}", level=2)
        if not getattr(self, "editable_mode", False):
            self._catalogs = [str(p) for p in written]

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs: list[str] = super().get_outputs(include_bytecode)
        return outputs + [p for p in getattr(self, "_catalogs", []) if p not in outputs]


# The prefilter's passes in C (server/texlean/_speedups.c).  Optional: without a C
# compiler the build goes on and texlean uses the pure-Python reference instead.
SPEEDUPS = Extension("texlean._speedups", ["server/texlean/_speedups.c"], optional=True)

setup(cmdclass={"build_py": BuildPyWithCatalogs}, ext_modules=[SPEEDUPS])
