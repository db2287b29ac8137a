"""A small, dependency-free LSP client over stdio, for benchmarks and robustness tests.

Why not pytest-lsp / pygls's client: they structure every message into
lsprotocol objects on an asyncio loop, which adds milliseconds to what we
want to measure.  This client writes ``Content-Length`` framed JSON to the
server's stdin and has one reader thread that timestamps every message the
moment its body has been read, before decoding it.

The useful entry points:

- :meth:`LspClient.start` / :meth:`LspClient.initialize` / :meth:`LspClient.stop`;
- :meth:`LspClient.did_open`, :meth:`LspClient.did_change` (return the
  ``time.perf_counter()`` just before the message was written);
- :meth:`LspClient.wait_publish` — wait for the ``publishDiagnostics`` of a given
  ``(uri, version)`` and return it (with its arrival time);
- :meth:`LspClient.request` — a request and its result (``texlean/status`` …).

Server→client requests (``workspace/configuration``, ``client/registerCapability``,
``window/workDoneProgress/create``) are answered automatically with ``null``
results, so the server keeps its initializationOptions.

The server command is ``.venv/bin/python -m texlean serve`` from this checkout
unless ``TEXLEAN_SERVER_COMMAND`` says otherwise (split like a shell would).

Run ``python bench/lsp_client.py`` to measure the client's own overhead (a
round trip through an echo server that does nothing).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv").is_dir() else sys.executable
SERVER_COMMAND = [PYTHON, "-m", "texlean", "serve"]

PUBLISH = "textDocument/publishDiagnostics"


class ServerDied(RuntimeError):
    pass


@dataclass
class Publish:
    """One ``publishDiagnostics`` notification, stamped on arrival."""

    uri: str
    version: int | None
    count: int
    received: float  # time.perf_counter() when its body had been read
    seq: int  # arrival order among all publishes
    diagnostics: list[dict[str, Any]] = field(default_factory=list, repr=False)


@dataclass
class _Pending:
    event: threading.Event = field(default_factory=threading.Event)
    response: dict[str, Any] | None = None
    received: float = 0.0


def encode(message: dict[str, Any]) -> bytes:
    """Frame ``message``.  Text that UTF-8 cannot carry (lone surrogates) is sent as
    ``\\uXXXX`` escapes, as JavaScript's ``JSON.stringify`` does: still valid JSON."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:
        body = json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class LspClient:
    """A language server under test, over stdio."""

    def __init__(
        self,
        command: list[str] | None = None,
        cwd: str | Path | None = None,
        env: dict[str, str] | None = None,
        keep_diagnostics: bool = False,
    ) -> None:
        override = os.environ.get("TEXLEAN_SERVER_COMMAND")
        if command is None and override:  # e.g. an installed texlean, or a patched build
            command = shlex.split(override)
            self.command = command
        else:
            self.command = command or SERVER_COMMAND
        self.cwd = str(cwd or REPO)
        self.env = dict(os.environ if env is None else env)
        if self.command is SERVER_COMMAND:  # the server from this checkout, even when not installed
            server_dir = str(REPO / "server")
            self.env["PYTHONPATH"] = os.pathsep.join(
                p for p in (server_dir, self.env.get("PYTHONPATH", "")) if p
            )
        self.keep_diagnostics = keep_diagnostics
        self.proc: subprocess.Popen[bytes] | None = None
        self._write_lock = threading.Lock()
        self._cond = threading.Condition()
        self._next_id = 0
        self._pending: dict[int, _Pending] = {}
        self._reader: threading.Thread | None = None
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the client)
        self.publishes: dict[str, list[Publish]] = defaultdict(list)
        self.latest: dict[str, Publish] = {}
        self._by_version: dict[tuple[str, int | None], Publish] = {}
        self.publish_count = 0
        self.notifications: list[dict[str, Any]] = []  # everything else the server notified
        self.closed = False
        self.bytes_received = 0

    # -- process ----------------------------------------------------------------

    def start(self) -> LspClient:
        self.proc = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=self.cwd,
            env=self.env,
            bufsize=0,
        )
        self._reader = threading.Thread(target=self._read_loop, name="lsp-reader", daemon=True)
        self._reader.start()
        return self

    def __enter__(self) -> LspClient:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and not self.closed

    def stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def stop(self, timeout: float = 10.0) -> int | None:
        """shutdown + exit, then wait; kill the process (by its pid) if it lingers."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.request("shutdown", None, timeout=timeout)
                self.notify("exit", None)
            except (ServerDied, TimeoutError, OSError):
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        return self.proc.returncode

    # -- wire -------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> float:
        """Write one message; return ``time.perf_counter()`` taken just before writing."""
        data = encode(message)
        assert self.proc is not None and self.proc.stdin is not None
        with self._write_lock:
            t = time.perf_counter()
            try:
                self.proc.stdin.write(data)
            except (BrokenPipeError, OSError) as exc:
                raise ServerDied(
                    f"server stdin closed: {exc}\n{self.stderr_text()[-2000:]}"
                ) from exc
        return t

    def _read_loop(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        stream = self.proc.stdout
        buf = bytearray()
        try:
            while True:
                # headers
                while (end := buf.find(b"\r\n\r\n")) < 0:
                    chunk = stream.read(1 << 16)
                    if not chunk:
                        return
                    buf += chunk
                length = -1
                for line in bytes(buf[:end]).split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length < 0:
                    raise ValueError(f"no Content-Length in {bytes(buf[:end])!r}")
                del buf[: end + 4]
                while len(buf) < length:
                    chunk = stream.read(max(1 << 16, length - len(buf)))
                    if not chunk:
                        return
                    buf += chunk
                body = bytes(buf[:length])
                received = time.perf_counter()
                del buf[:length]
                self.bytes_received += length
                self._dispatch(json.loads(body), received)
        finally:
            with self._cond:
                self.closed = True
                for pending in self._pending.values():
                    pending.event.set()
                self._cond.notify_all()

    def _dispatch(self, msg: dict[str, Any], received: float) -> None:
        method = msg.get("method")
        if method is None:  # a response
            pending = self._pending.get(msg.get("id"))  # type: ignore[arg-type]
            if pending is not None:
                pending.response = msg
                pending.received = received
                pending.event.set()
            return
        if "id" in msg:  # a request from the server
            result: Any = None
            if method == "workspace/configuration":
                result = [None for _ in msg.get("params", {}).get("items", [])]
            self.send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            return
        if method == PUBLISH:
            params = msg["params"]
            diags = params.get("diagnostics", [])
            with self._cond:
                self.publish_count += 1
                pub = Publish(
                    uri=params["uri"],
                    version=params.get("version"),
                    count=len(diags),
                    received=received,
                    seq=self.publish_count,
                    diagnostics=diags if self.keep_diagnostics else [],
                )
                self.publishes[pub.uri].append(pub)
                self._by_version[(pub.uri, pub.version)] = pub
                self.latest[pub.uri] = pub
                self._cond.notify_all()
            return
        with self._cond:
            self.notifications.append(msg)
            del self.notifications[:-200]  # keep the last few (log messages …)

    # -- JSON-RPC ---------------------------------------------------------------

    def notify(self, method: str, params: Any) -> float:
        return self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any = None, timeout: float = 30.0) -> Any:
        """Send a request and wait for its result (raises on an error response)."""
        response = self.request_raw(method, params, timeout)
        if "error" in response:
            raise RuntimeError(f"{method} failed: {response['error']}")
        return response.get("result")

    def request_raw(self, method: str, params: Any = None, timeout: float = 30.0) -> dict[str, Any]:
        with self._cond:
            self._next_id += 1
            rid = self._next_id
            pending = self._pending[rid] = _Pending()
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            message["params"] = params
        try:
            self.send(message)
            if not pending.event.wait(timeout):
                raise TimeoutError(f"no answer to {method} within {timeout} s")
        finally:
            self._pending.pop(rid, None)
        if pending.response is None:
            raise ServerDied(
                f"server exited before answering {method}\n{self.stderr_text()[-2000:]}"
            )
        return pending.response

    # -- LSP --------------------------------------------------------------------

    def initialize(
        self,
        initialization_options: dict[str, Any] | None = None,
        position_encodings: list[str] | None = None,
    ) -> dict[str, Any]:
        general: dict[str, Any] = {}
        if position_encodings:
            general["positionEncodings"] = position_encodings
        capabilities: dict[str, Any] = {
            "general": general,
            "textDocument": {
                "synchronization": {"didSave": True, "dynamicRegistration": False},
                "publishDiagnostics": {"versionSupport": True, "relatedInformation": True},
            },
            "window": {"workDoneProgress": False},
        }
        result = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": capabilities,
                "initializationOptions": initialization_options,
                "clientInfo": {"name": "texlean-bench"},
            },
        )
        self.notify("initialized", {})
        return result  # type: ignore[no-any-return]

    def did_open(self, uri: str, text: str, version: int = 1, language_id: str = "latex") -> float:
        return self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": language_id,
                    "version": version,
                    "text": text,
                }
            },
        )

    def did_change(self, uri: str, version: int, changes: list[dict[str, Any]]) -> float:
        return self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes},
        )

    def insert(self, uri: str, version: int, line: int, character: int, text: str) -> float:
        """A didChange that inserts ``text`` at (line, character)."""
        pos = {"line": line, "character": character}
        return self.did_change(uri, version, [{"range": {"start": pos, "end": pos}, "text": text}])

    def delete(self, uri: str, version: int, line: int, start: int, end: int) -> float:
        """A didChange that deletes characters ``[start, end)`` of ``line``."""
        rng = {
            "start": {"line": line, "character": start},
            "end": {"line": line, "character": end},
        }
        return self.did_change(uri, version, [{"range": rng, "text": ""}])

    def did_close(self, uri: str) -> float:
        return self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def wait_publish(self, uri: str, version: int | None, timeout: float = 30.0) -> Publish:
        """Wait until a publishDiagnostics for ``uri`` at ``version`` has arrived; return it.

        ``version=None`` waits for the next publish of ``uri`` that carries no
        version (the empty one after didClose).  Publishes already received
        count, so call this after sending the change.
        """
        deadline = time.perf_counter() + timeout
        with self._cond:
            while True:
                pub = self._by_version.get((uri, version))
                if pub is not None:
                    return pub
                if self.closed:
                    raise ServerDied(
                        f"server exited while waiting for {uri} v{version}\n"
                        + self.stderr_text()[-2000:]
                    )
                left = deadline - time.perf_counter()
                if left <= 0:
                    got = [p.version for p in self.publishes.get(uri, ())][-5:]
                    raise TimeoutError(
                        f"no publishDiagnostics for {uri} v{version} within {timeout} s "
                        f"(last versions seen: {got})"
                    )
                self._cond.wait(left)

    def forget(self, uri: str) -> None:
        """Drop what was recorded for ``uri`` (long runs keep memory flat)."""
        with self._cond:
            self.publishes.pop(uri, None)
            self.latest.pop(uri, None)
            for key in [k for k in self._by_version if k[0] == uri]:
                del self._by_version[key]

    def status(self, timeout: float = 30.0) -> dict[str, Any]:
        return self.request("texlean/status", {}, timeout=timeout)  # type: ignore[no-any-return]


# -- overhead measurement ---------------------------------------------------------

_ECHO_SERVER = r"""
import json, sys
inp, out = sys.stdin.buffer, sys.stdout.buffer
while True:
    length = -1
    while True:
        line = inp.readline()
        if not line:
            sys.exit(0)
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    msg = json.loads(inp.read(length))
    if "id" in msg:
        reply = {"jsonrpc": "2.0", "id": msg["id"], "result": None}
    elif msg.get("method") == "textDocument/didChange":
        td = msg["params"]["textDocument"]
        reply = {"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
                 "params": {"uri": td["uri"], "version": td["version"], "diagnostics": []}}
    else:
        continue
    body = json.dumps(reply).encode()
    out.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    out.flush()
"""


def measure_overhead(n: int = 500) -> dict[str, float]:
    """Round trip didChange→publish through a do-nothing echo server (same client code).

    This bounds what the client, the pipes and the reader thread add to a
    latency figure (the echo server's own JSON work is included, so it is an
    upper bound).  Also the pure encode time of one keystroke message.
    """
    samples: list[float] = []
    with LspClient(command=[sys.executable, "-c", _ECHO_SERVER]) as client:
        uri = "file:///echo.tex"
        for version in range(1, n + 1):
            sent = client.insert(uri, version, 100, 10, "x")
            pub = client.wait_publish(uri, version, timeout=10)
            samples.append(pub.received - sent)
            if version % 100 == 0:
                client.forget(uri)
    samples.sort()
    msg = {
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": {
            "textDocument": {"uri": "file:///x.tex", "version": 1},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 1, "character": 1},
                        "end": {"line": 1, "character": 1},
                    },
                    "text": "x",
                }
            ],
        },
    }
    t = time.perf_counter()
    for _ in range(10_000):
        encode(msg)
    encode_us = (time.perf_counter() - t) / 10_000 * 1e6
    return {
        "echo_round_trip_p50_ms": samples[len(samples) // 2] * 1000,
        "echo_round_trip_p95_ms": samples[int(len(samples) * 0.95)] * 1000,
        "encode_keystroke_us": encode_us,
    }


if __name__ == "__main__":
    print(json.dumps(measure_overhead(), indent=2))
