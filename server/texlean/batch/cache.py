"""The result cache of ``texlean check``: unchanged documents cost a hash.

Entries live in ``.texlean_cache/`` under the project root (or ``--cache-dir``);
``--no-cache`` neither reads nor writes it.  An entry is the findings of one
document (in positions of its compiled sequence, before they are taken back to
files), keyed by

- texlean's version and a fingerprint of its own code and tables (a changed
  rule table or analysis invalidates every entry, even without a release),
- the settings and options that change what is reported or how it reads
  (rules, ignore, suppressions, --show-suppressed, the message language),
- the document's display name and the exact text analysed: the compiled
  sequence, so an edit of an included file invalidates its includer.

Only complete analyses are stored (not one that ran out of time or memory),
and notes about includes (SEC901) are never cached: they are made fresh from
the file system on every run.

The cache is one JSON file, replaced atomically (a temporary file renamed over
it), pruned on every save to the entries this run used, then the most recently
used others, within :data:`MAX_ENTRIES` and :data:`MAX_BYTES`.  Anything
unreadable, corrupt or of another format is ignored (the run analyses as if
there were no cache).

A project folder may come from someone else (a cloned repository), and so may
a ``.texlean_cache`` in it: a forged entry could hide a finding.  The file is
therefore authenticated with an HMAC whose key is the user's own
(``$XDG_CACHE_HOME/texlean/cache-key``, made on first use, readable by the user
only); an entry that was not written with this key is never used.  JSON, not
pickle: reading the file can never run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..analysis.findings import Category, Severity, Span
from ..analysis.present import Presented

FOLDER = ".texlean_cache"
FILE = "results.json"
FORMAT = 1
MAX_ENTRIES = 20_000
MAX_BYTES = 64 * 1024 * 1024
_CODE_SUFFIXES = (".py", ".toml", ".json", ".mo", ".po", ".txt")
_README = (
    "# texlean check's result cache: safe to delete at any time.\n"
    "# Add .texlean_cache/ to .gitignore.\n"
)


def _code_fingerprint() -> str:
    """texlean's version and the size and time of every file of its code and tables."""
    import importlib.util

    h = hashlib.sha256(f"texlean {__version__}".encode())
    folders = [Path(__file__).resolve().parents[1]]
    spec = importlib.util.find_spec("texlean.grammars")
    if spec is not None and spec.submodule_search_locations:
        folders.extend(Path(p) for p in spec.submodule_search_locations)
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if not name.endswith(_CODE_SUFFIXES):
                    continue
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def user_key(home: Path | None = None) -> bytes | None:
    """The user's HMAC key for cache files (made on first use); None when there is
    nowhere to keep one."""
    if home is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        home = Path(base) / "texlean"
    path = home / "cache-key"
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    try:
        home.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        fd, tmp = tempfile.mkstemp(dir=home, prefix=".cache-key.")
        try:
            os.write(fd, key)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # never replace a key another run made meanwhile
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        data = path.read_bytes()
        return data if len(data) >= 32 else None
    except OSError:
        return None


def _presented_to_json(p: Presented) -> list[Any]:
    return [
        p.code,
        p.name,
        p.category.value,
        p.severity.value,
        p.message,
        _span_list(p.span),
        [[_span_list(span), message] for span, message in p.related],
        p.suppressed,
    ]


def _span_list(span: Span) -> list[int]:
    return [span.line, span.col, span.end_line, span.end_col]


def _span(raw: Any) -> Span:
    line, col, end_line, end_col = (int(x) for x in raw)
    return Span(line, col, end_line, end_col)


def _presented_from_json(raw: Any) -> Presented:
    code, name, category, severity, message, span, related, suppressed = raw
    return Presented(
        code=str(code),
        name=str(name),
        category=Category(category),
        severity=Severity(severity),
        message=str(message),
        span=_span(span),
        related=tuple((_span(s), str(m)) for s, m in related),
        suppressed=bool(suppressed),
    )


class ResultCache:
    """The cache of one run: loaded once, consulted per document, saved once."""

    def __init__(self, folder: Path, settings_key: str, secret: bytes) -> None:
        self.folder = folder
        self.path = folder / FILE
        self.secret = secret
        self.prefix = hashlib.sha256(
            f"{FORMAT}\0{_code_fingerprint()}\0{settings_key}".encode()
        ).digest()
        self.entries: dict[str, dict[str, Any]] = {}
        self.used: set[str] = set()
        self.changed = False
        self.hits = 0
        self.misses = 0
        self._load()

    # -- keys ---------------------------------------------------------------------------

    def key(self, name: str, text: str) -> str:
        h = hashlib.sha256(self.prefix)
        h.update(name.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    # -- entries ------------------------------------------------------------------------

    def get(self, key: str) -> list[Presented] | None:
        entry = self.entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        try:
            found = [_presented_from_json(raw) for raw in entry["found"]]
        except (KeyError, TypeError, ValueError):
            del self.entries[key]
            self.changed = True
            self.misses += 1
            return None
        self.used.add(key)
        entry["used"] = time.time()
        self.changed = True
        self.hits += 1
        return found

    def put(self, key: str, found: Sequence[Presented]) -> None:
        self.entries[key] = {"used": time.time(), "found": [_presented_to_json(p) for p in found]}
        self.used.add(key)
        self.changed = True

    # -- the file -----------------------------------------------------------------------

    def _mac(self, body: bytes) -> str:
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except OSError:
            return
        try:
            outer = json.loads(raw)
            if not isinstance(outer, dict) or outer.get("format") != FORMAT:
                return
            body = outer["body"]
            if not isinstance(body, str) or not hmac.compare_digest(
                self._mac(body.encode("utf-8")), str(outer["mac"])
            ):
                return
            entries = json.loads(body)
        except (ValueError, KeyError, TypeError, RecursionError):
            return
        if isinstance(entries, dict):
            self.entries = {
                k: v
                for k, v in entries.items()
                if isinstance(v, dict) and isinstance(v.get("used"), (int, float))
            }

    def _pruned(self) -> dict[str, dict[str, Any]]:
        kept: dict[str, dict[str, Any]] = {}
        size = 0
        order = sorted(
            self.entries.items(), key=lambda kv: (kv[0] not in self.used, -kv[1]["used"])
        )
        for k, v in order:
            cost = 64 + len(json.dumps(v["found"], ensure_ascii=False))
            if len(kept) >= MAX_ENTRIES or size + cost > MAX_BYTES:
                break
            kept[k] = v
            size += cost
        return kept

    def save(self) -> None:
        """Write the cache back (pruned); any error leaves the run's output alone."""
        if not self.changed:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            readme = self.folder / "README"
            if not readme.exists():
                readme.write_text(_README, encoding="utf-8")
            gitignore = self.folder / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            body = json.dumps(self._pruned(), ensure_ascii=False, separators=(",", ":"))
            outer = json.dumps(
                {"format": FORMAT, "mac": self._mac(body.encode("utf-8")), "body": body},
                ensure_ascii=False,
            )
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".results.", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(outer)
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            pass


def open_cache(folder: Path, settings_key: str) -> ResultCache | None:
    """The cache in ``folder``, or None when there is no user key to authenticate it."""
    secret = user_key()
    if secret is None:
        return None
    return ResultCache(folder, settings_key, secret)
