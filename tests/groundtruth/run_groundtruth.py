#!/usr/bin/env python3
"""Ground truth: compile every case under real TeX Live, watch what happens, compare with texlean.

For each ``cases/*.tex`` the runner

1. makes a sandbox: a fresh temporary folder ``ROOT`` with ``ROOT/work`` (the
   current directory of the run and the only place the case is copied to),
   ``ROOT/home`` (``$HOME``), ``ROOT/outside`` (a target for absolute writes)
   and ``ROOT/tmp`` (``$TMPDIR``); the environment is stripped to PATH, HOME,
   TMPDIR and LC_ALL (so TEXMFOUTPUT, openin_any, openout_any and shell_escape
   come from texmf.cnf alone); each run gets its own process group, no
   standard input and a time limit, and the whole group is killed when it is
   exceeded;
2. compiles the case under six configurations (pdflatex and lualatex, each with
   the default restricted shell escape, -shell-escape and -no-shell-escape,
   all with -interaction=nonstopmode -halt-on-error);
3. observes what really happened: marker files created by shell commands
   (payloads only ever ``touch`` a ``marker-*`` file in the sandbox), whether
   a random token from a decoy file kept in *another* temporary folder reached
   the PDF text (pdftotext), the log or an output file, files created or
   changed outside ``work/``, JavaScript, /Launch and javascript: links in the
   PDF (object streams inflated), time-outs and 'TeX capacity exceeded';
4. runs ``texlean check --format json`` on the same text and grades, for each
   configuration, texlean's strongest security finding (its severity under the
   matching texlean.assumeShellEscape / texlean.assumeEngine, worked out from
   grammars/rules.toml, since the CLI has no settings flags yet) against what
   TeX did.

Writes report.md and report.json beside this file.  Not a pytest test: it
needs TeX Live and takes minutes (``make groundtruth``).  Exit status 0 unless
the runner itself failed (disagreements are findings, not failures), or 1 with
``--strict`` when texlean disagrees with TeX somewhere.

Case files begin with a block of ``% key: value`` lines (continuation lines
start with ``%`` and two or more spaces); see README.md beside this file.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import hashlib
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CASES = HERE / "cases"
RULES = REPO / "grammars" / "rules.toml"

RANK = {"none": 0, "hint": 1, "information": 2, "warning": 3, "error": 4}
LEVELS = ("silent", "information", "warning", "error")


# ----------------------------------------------------------------- configurations


@dataclass(frozen=True)
class Config:
    name: str
    engine: str  # the program run, also texlean.assumeEngine
    flags: tuple[str, ...]
    shell_escape: str  # texlean.assumeShellEscape that describes this run


CONFIGS = (
    Config("pdflatex", "pdflatex", (), "restricted"),
    Config("pdflatex -shell-escape", "pdflatex", ("-shell-escape",), "enabled"),
    Config("pdflatex -no-shell-escape", "pdflatex", ("-no-shell-escape",), "disabled"),
    Config("lualatex", "lualatex", (), "restricted"),
    Config("lualatex -shell-escape", "lualatex", ("-shell-escape",), "enabled"),
    Config("lualatex -no-shell-escape", "lualatex", ("-no-shell-escape",), "disabled"),
)

# The settings texlean is graded under: one per configuration, plus the defaults.
DEFAULT_SETTING = ("restricted", "any")


# ----------------------------------------------------------------- case files


@dataclass
class Case:
    path: Path
    name: str
    title: str = ""
    category: str = ""
    what: str = ""
    expect: str = ""
    harm: list[str] = field(default_factory=list)  # empty: benign
    level: str = "error"
    unobserved_level: str = "warning"
    texlean_codes: list[str] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)
    companions: dict[str, str] = field(default_factory=dict)
    jobname: str = ""
    note: str = ""


KEY_RE = re.compile(r"^%\s?([a-z][a-z-]*):\s?(.*)$")


def parse_case(path: Path) -> Case:
    case = Case(path=path, name=path.stem)
    last = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("%"):
            break
        m = KEY_RE.match(line)
        if m and not line.startswith("%  "):
            key, value = m.group(1), m.group(2).strip()
            last = key
            if key == "companion":
                name, _, content = value.partition("=")
                case.companions[name.strip()] = content.strip().replace("\\n", "\n")
                continue
            _set(case, key, value)
        elif line.startswith("%  ") and last in ("what", "expect", "note", "case"):
            _set(case, last, getattr(case, _attr(last)) + " " + line[1:].strip())
    if case.level not in LEVELS:
        raise SystemExit(f"{path.name}: level must be one of {LEVELS}, not {case.level!r}")
    return case


def _attr(key: str) -> str:
    return {
        "case": "title",
        "texlean": "texlean_codes",
        "unobserved-level": "unobserved_level",
    }.get(key, key)


def _set(case: Case, key: str, value: str) -> None:
    attr = _attr(key)
    if attr in ("harm", "texlean_codes", "requires"):
        items = [v for v in value.split() if v not in ("none", "-")]
        setattr(case, attr, items)
    elif hasattr(case, attr):
        setattr(case, attr, value)
    else:
        raise SystemExit(f"{case.path.name}: unknown header key {key!r}")


# ----------------------------------------------------------------- the sandbox


@dataclass
class Decoy:
    folder: Path
    path: Path
    token: str
    size: int
    md5: str


def make_decoy() -> Decoy:
    """A secret file in a temporary folder of its own: outside every sandbox."""
    folder = Path(tempfile.gettempdir()) / f"gt-decoy-{secrets.token_hex(6)}"
    folder.mkdir(mode=0o700)
    token = "GTSECRET" + secrets.token_hex(6).upper()
    size = 3000 + secrets.randbelow(1000)
    body = f"{token}\n"
    while len(body) < size:  # comment lines of at most 64 characters (listings chokes on longer)
        body += "%" * min(63, size - len(body) - 1) + "\n"
    path = folder / "secret.txt"
    path.write_text(body, encoding="ascii")
    md5 = hashlib.md5(body.encode("ascii")).hexdigest().upper()
    return Decoy(folder, path, token, size, md5)


def substitute(text: str, root: Path, decoy: Decoy) -> str:
    for key, value in {
        "@DECOY@": str(decoy.path),
        "@DECOYDIR@": str(decoy.folder),
        "@DECOYSIZE@": str(decoy.size),
        "@DECOYMD5@": decoy.md5,
        "@OUTSIDE@": str(root / "outside"),
    }.items():
        text = text.replace(key, value)
    return text


def tex_path_dirs() -> str:
    dirs: list[str] = []
    for prog in ("pdflatex", "lualatex", "kpsewhich", "sh"):
        found = shutil.which(prog)
        if found and str(Path(found).parent) not in dirs:
            dirs.append(str(Path(found).parent))
    for d in ("/usr/bin", "/bin"):
        if d not in dirs:
            dirs.append(d)
    return ":".join(dirs)


def sandbox_env(root: Path) -> dict[str, str]:
    return {
        "PATH": tex_path_dirs(),
        "HOME": str(root / "home"),
        "TMPDIR": str(root / "tmp"),
        "LC_ALL": "C",
    }


def snapshot(root: Path) -> dict[str, str]:
    """Relative path -> digest of every file under root (home's TeX caches left out)."""
    out: dict[str, str] = {}
    for p in root.rglob("*"):
        rel = p.relative_to(root).as_posix()
        if rel.startswith("home/.texlive") or rel.startswith("home/.cache"):
            continue
        if p.is_file() or p.is_symlink():
            try:
                out[rel] = hashlib.sha1(p.read_bytes()).hexdigest()
            except OSError:
                out[rel] = "?"
    return out


def run_group(
    cmd: list[str], cwd: Path, env: dict[str, str], timeout: float
) -> tuple[int | None, float, str]:
    """Run cmd in its own process group; kill the whole group on time-out."""
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
        rc: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        rc = None
    # Anything the run left behind in its group (a shell started with &) goes too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    return rc, time.monotonic() - start, out.decode("utf-8", "replace")


# ----------------------------------------------------------------- observation


def pdf_blob(pdf: Path) -> bytes:
    """The PDF's bytes with every Flate stream (object streams included) inflated after it."""
    data = pdf.read_bytes()
    parts = [data]
    for m in re.finditer(rb"stream\r?\n", data):
        d = zlib.decompressobj()
        try:
            parts.append(d.decompress(data[m.end() : m.end() + 4_000_000]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def pdf_text(pdf: Path) -> str:
    if not shutil.which("pdftotext"):
        return ""
    try:
        res = subprocess.run(
            ["pdftotext", "-q", str(pdf), "-"], capture_output=True, timeout=30, check=False
        )
    except subprocess.TimeoutExpired:
        return ""
    return res.stdout.decode("utf-8", "replace")


@dataclass
class Run:
    config: str
    skipped: str = ""
    rc: int | None = None
    seconds: float = 0.0
    timed_out: bool = False
    pdf: bool = False
    capacity: str = ""
    first_error: str = ""
    runsystem: list[str] = field(default_factory=list)
    gt_lines: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    created_outside: list[str] = field(default_factory=list)
    created_work: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    token_in: list[str] = field(default_factory=list)
    texts_found: list[str] = field(default_factory=list)
    pdf_features: list[str] = field(default_factory=list)
    harm_seen: list[str] = field(default_factory=list)


def observe(case: Case, cfg: Config, source: str, decoy: Decoy, timeout: float) -> Run:
    run = Run(cfg.name)
    root = Path(tempfile.mkdtemp(prefix="gt-run-"))
    try:
        for sub in ("work", "home", "outside", "tmp"):
            (root / sub).mkdir()
        work = root / "work"
        job = case.jobname or case.name
        text = substitute(source, root, decoy)
        (work / f"{job}.tex").write_text(text, encoding="utf-8")
        for name, content in case.companions.items():
            target = (work / name).resolve()
            if root.resolve() not in target.parents:
                raise SystemExit(f"{case.name}: companion {name} outside the sandbox")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(substitute(content, root, decoy) + "\n", encoding="utf-8")
        before = snapshot(root)
        tmp_before = {p.name for p in Path(tempfile.gettempdir()).iterdir()}
        cmd = [cfg.engine, *cfg.flags, "-interaction=nonstopmode", "-halt-on-error", f"{job}.tex"]
        rc, secs, out = run_group(cmd, work, sandbox_env(root), timeout)
        run.rc, run.seconds, run.timed_out = rc, round(secs, 2), rc is None
        after = snapshot(root)
        log_path = work / f"{job}.log"
        log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
        joined = log + "\n" + out
        m = re.search(r"TeX capacity exceeded, sorry \[[^\]]*\]", joined)
        run.capacity = m.group(0) if m else ""
        m = re.search(r"^! .*$", log, re.M)
        run.first_error = m.group(0)[:160] if m else ""
        run.runsystem = sorted(
            {ln.strip() for ln in re.findall(r"runsystem\(.*?\)\.\.\.[^\n]*", log)}
        )
        run.gt_lines = [ln.strip() for ln in re.findall(r"GT:[^\n]*", log)][:12]
        new = sorted(set(after) - set(before))
        run.changed = sorted(k for k in set(after) & set(before) if after[k] != before[k])
        run.removed = sorted(set(before) - set(after))
        run.markers = [p for p in new if Path(p).name.startswith("marker")]
        run.created_outside = [p for p in new if not p.startswith("work/")]
        run.created_work = [p[len("work/") :] for p in new if p.startswith("work/")]
        pdf = work / f"{job}.pdf"
        run.pdf = pdf.exists()
        text_out = pdf_text(pdf) if run.pdf else ""
        blob = pdf_blob(pdf) if run.pdf else b""
        if decoy.token in text_out:
            run.token_in.append("pdf text")
        if decoy.token.encode() in blob:
            run.token_in.append("pdf bytes")
        if decoy.token in joined:
            run.token_in.append("log")
        for rel in new + run.changed:
            p = root / rel
            if p.name in (f"{job}.log", f"{job}.pdf", f"{job}.tex"):
                continue
            with contextlib.suppress(OSError):
                if decoy.token.encode() in p.read_bytes():
                    run.token_in.append(rel)
        for item in case.harm:
            if item.startswith("text:"):
                want = substitute(item[5:], root, decoy)
                if want in text_out or want in log:
                    run.texts_found.append(item[5:])
        if re.search(rb"/JavaScript\b|/JS\b", blob):
            run.pdf_features.append("JavaScript")
        if re.search(rb"/Launch\b", blob):
            run.pdf_features.append("Launch")
        if re.search(rb"/OpenAction\b", blob):
            run.pdf_features.append("OpenAction")
        if re.search(rb"javascript:", blob, re.I):
            run.pdf_features.append("javascript: URI")
        if re.search(rb"/GoToR\b", blob):
            run.pdf_features.append("GoToR")
        if re.search(rb"\(file:", blob, re.I):
            run.pdf_features.append("file: URI")
        escaped = {p.name for p in Path(tempfile.gettempdir()).iterdir()} - tmp_before
        escaped = {n for n in escaped if n.startswith("marker") or n.startswith("gt-up")}
        if escaped:
            raise SystemExit(f"SANDBOX ESCAPE in {case.name} / {cfg.name}: {sorted(escaped)}")
        run.harm_seen = harm_seen(case, run)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return run


def harm_seen(case: Case, run: Run) -> list[str]:
    seen: list[str] = []
    for item in case.harm:
        kind, _, arg = item.partition(":")
        hit = {
            "shell": bool(run.markers),
            "read": bool(run.token_in),
            "text": arg in run.texts_found,
            "write": arg in run.created_outside
            or (arg.startswith("work/") and arg[len("work/") :] in run.created_work),
            "changed": arg in run.changed,
            "removed": arg in run.removed,
            "js": "JavaScript" in run.pdf_features,
            "launch": "Launch" in run.pdf_features,
            "uri-js": "javascript: URI" in run.pdf_features,
            "file-link": bool({"file: URI", "Launch", "GoToR"} & set(run.pdf_features)),
            "hang": run.timed_out,
            "capacity": bool(run.capacity),
        }.get(kind)
        if hit is None:
            raise SystemExit(f"{case.name}: unknown harm {item!r}")
        if hit:
            seen.append(item)
    return seen


# ----------------------------------------------------------------- texlean


def load_rules() -> dict[str, dict[str, Any]]:
    try:
        import tomllib  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]
    with RULES.open("rb") as fh:
        data = tomllib.load(fh)
    return {r["code"]: r for r in data.get("rule", [])}


def severity_under(rule: dict[str, Any] | None, shell: str, engine: str, default: str) -> str:
    """What texlean.analysis.rules.Rule.severity gives: applies/otherwise by the rule's `when`."""
    if rule is None:
        return default
    sev = rule["severity"]
    if isinstance(sev, str):
        return sev
    when = rule.get("when") or {}
    applies = True
    if "shell_escape" in when and shell not in when["shell_escape"]:
        applies = False
    if "engines" in when and engine != "any" and engine not in when["engines"]:
        applies = False
    return str(sev["applies"] if applies else sev["otherwise"])


def texlean_cmd(arg: str | None) -> list[str]:
    if arg:
        return shlex.split(arg)
    venv = REPO / ".venv" / "bin" / "texlean"
    if venv.exists():
        return [str(venv)]
    found = shutil.which("texlean")
    if found:
        return [found]
    return [sys.executable, "-m", "texlean"]


def run_texlean(
    cmd: list[str], case: Case, source: str, decoy: Decoy, timeout: float = 60.0
) -> tuple[list[dict[str, Any]], float, str]:
    """texlean's security findings, its time, and an error ('' when it answered)."""
    with tempfile.TemporaryDirectory(prefix="gt-lean-") as d:
        root = Path(d)
        (root / "work").mkdir()
        path = root / "work" / f"{case.jobname or case.name}.tex"
        path.write_text(substitute(source, root, decoy), encoding="utf-8")
        rc, secs, out = run_group(
            [*cmd, "check", "--format", "json", str(path)], root / "work", dict(os.environ), timeout
        )
    if rc is None:
        return [], secs, f"texlean did not answer within {timeout:.0f} s (killed)"
    if rc not in (0, 1):
        return [], secs, f"texlean exited {rc}: {out[-300:]}"
    start = out.find("[")
    try:
        items = json.loads(out[start:] if start >= 0 else "[]")
    except json.JSONDecodeError as exc:
        return [], secs, f"texlean printed no JSON ({exc})"
    found = [
        i
        for i in items
        if i.get("category") == "security" or str(i.get("code", "")).startswith("SEC")
    ]
    return found, secs, ""


# ----------------------------------------------------------------- grading


def expected_level(case: Case, runs: dict[str, Run], matching: list[str]) -> tuple[str, str]:
    """(level texlean should report, why) under a setting whose configurations are `matching`."""
    if not case.harm:
        return case.level, "benign: no dangerous effect to observe"
    here = [c for c in matching if runs[c].harm_seen]
    if here:
        return case.level, "TeX did it under " + ", ".join(here)
    elsewhere = [c for c, r in runs.items() if r.harm_seen and not r.skipped]
    if elsewhere:
        lvl = case.level if RANK[_r(case.level)] <= RANK["warning"] else "warning"
        return lvl, "only under " + ", ".join(elsewhere)
    return case.unobserved_level, "in no measured configuration"


def _r(level: str) -> str:
    return "none" if level == "silent" else level


def verdict(expected: str, actual: str) -> str:
    e, a = RANK[_r(expected)], RANK[actual]
    if expected == "information" and actual in ("information", "hint"):
        return "agree"
    if e == a:
        return "agree"
    if a > e:
        return "too high"
    return "missed" if a <= RANK["hint"] and e >= RANK["warning"] else "too low"


def strongest(
    findings: list[dict[str, Any]], rules: dict[str, dict[str, Any]], shell: str, engine: str
) -> tuple[str, list[str]]:
    best = "none"
    said: list[str] = []
    for f in findings:
        sev = severity_under(rules.get(f["code"]), shell, engine, f["severity"])
        said.append(f"{f['code']} {sev}")
        if RANK[sev] > RANK[best]:
            best = sev
    return best, sorted(set(said))


# ----------------------------------------------------------------- report


def tex_versions() -> dict[str, str]:
    info: dict[str, str] = {}
    for prog in ("pdflatex", "lualatex"):
        if shutil.which(prog):
            res = subprocess.run([prog, "--version"], capture_output=True, text=True, check=False)
            info[prog] = res.stdout.splitlines()[0] if res.stdout else "?"
    if shutil.which("kpsewhich"):
        for var in ("shell_escape", "shell_escape_commands", "openin_any", "openout_any"):
            res = subprocess.run(
                ["kpsewhich", "-var-value", var],
                capture_output=True,
                text=True,
                check=False,
                env=sandbox_env(Path(tempfile.gettempdir())),
            )
            info[var] = res.stdout.strip()
        res = subprocess.run(
            ["kpsewhich", "texmf.cnf"], capture_output=True, text=True, check=False
        )
        info["texmf.cnf"] = res.stdout.strip()
    if shutil.which("dpkg-query"):
        res = subprocess.run(
            [
                "dpkg-query",
                "-W",
                "-f",
                "${Package} ${Version}\\n",
                "texlive-binaries",
                "texlive-base",
                "texlive-luatex",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        info["debian packages"] = "; ".join(res.stdout.split("\n")).strip("; ")
    with contextlib.suppress(Exception):
        res = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        info["texlean commit"] = res.stdout.strip()
        res = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "server", "grammars"],
            capture_output=True,
            text=True,
            check=False,
        )
        dirty = [ln for ln in res.stdout.splitlines() if ln.strip()]
        info["texlean working tree"] = (
            f"{len(dirty)} uncommitted change(s) under server/ and grammars/" if dirty else "clean"
        )
    return info


def effect_cell(run: Run) -> str:
    if run.skipped:
        return "skipped"
    bits: list[str] = []
    if run.harm_seen:
        bits.append("**" + ", ".join(run.harm_seen) + "**")
    elif run.timed_out:
        bits.append("timeout")
    elif run.capacity:
        bits.append("capacity exceeded")
    else:
        bits.append("—" if run.rc == 0 else "stopped")
    return f"{' '.join(bits)} ({run.seconds:.1f} s)"


def md_escape(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def write_report(
    results: list[dict[str, Any]], info: dict[str, Any], out_md: Path, out_json: Path
) -> None:
    out_json.write_text(
        json.dumps({"environment": info, "cases": results}, indent=1) + "\n", encoding="utf-8"
    )
    lines: list[str] = [
        "# Ground truth: what TeX Live really does, and what texlean says",
        "",
        "Generated by `tests/groundtruth/run_groundtruth.py` (`make groundtruth`); the same data is in",
        "`report.json`.  Do not edit by hand.",
        "",
        "## Environment",
        "",
    ]
    for k, v in info.items():
        lines.append(f"- {k}: `{v}`")
    lines += [
        "",
        "## How it is graded",
        "",
        "Each case names the effect that counts as harm (`shell`: a `marker-*` file was created by a",
        "shell command; `read`: the decoy's token reached the PDF, log or an output file; `write:P`:",
        "P was created outside the working folder; `changed:P`; `js`/`launch`/`uri-js`: that active",
        "content is in the PDF; `hang`: time-out; `capacity`: 'TeX capacity exceeded'; `text:S`: a",
        "probe's answer S was typeset) and the level it deserves.  texlean should then report, under",
        "the settings matching a configuration (texlean.assumeShellEscape restricted/enabled/disabled",
        "for default/-shell-escape/-no-shell-escape, texlean.assumeEngine the engine), that level",
        "when TeX did the harm in that configuration, at most `warning` when TeX did it only in",
        "another configuration, the case's `unobserved-level` (default `warning`) when TeX did it in",
        "none, and the case's level (silent or information) for benign cases.  texlean's level under",
        "a setting is its strongest security finding, with each finding's severity worked out from",
        "grammars/rules.toml for that setting (the CLI has no settings flags yet; the `default`",
        "column is exactly what `texlean check` printed: restricted/any).",
        "",
        "Verdicts: `agree`; `missed` (TeX did harm, texlean said nothing or only hint/information);",
        "`too low`; `too high` (more than the case deserves).",
        "",
    ]
    cols = [c.name for c in CONFIGS]
    settings_cols = [*cols, "default (restricted/any)"]
    total = {s: {"agree": 0, "missed": 0, "too low": 0, "too high": 0} for s in settings_cols}
    for r in results:
        for s, g in r["grades"].items():
            total[s][g["verdict"]] += 1
    lines += [
        "## Summary",
        "",
        "| setting | agree | missed | too low | too high |",
        "|---|---|---|---|---|",
    ]
    for s in settings_cols:
        t = total[s]
        lines.append(f"| {s} | {t['agree']} | {t['missed']} | {t['too low']} | {t['too high']} |")
    lines += [
        "",
        "## Disagreements",
        "",
        "| case | setting | TeX did | expected | texlean said |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        for s, g in r["grades"].items():
            if g["verdict"] != "agree":
                run = r["runs"].get(s)
                did = effect_cell_dict(run) if run else g["why"]
                lines.append(
                    f"| {r['name']} | {s} | {md_escape(did)} | {g['expected']} ({md_escape(g['why'])}) "
                    f"| {g['verdict']}: {md_escape(', '.join(g['said']) or 'nothing')} |"
                )
    lines += ["", "## What TeX did, case by case", ""]
    lines.append("| case | " + " | ".join(cols) + " | texlean (default) |")
    lines.append("|---" * (len(cols) + 2) + "|")
    for r in results:
        cells = [effect_cell_dict(r["runs"][c]) for c in cols]
        said = ", ".join(f"{f['code']} {f['severity']}" for f in r["texlean"]) or "nothing"
        lines.append(
            f"| {r['name']} | "
            + " | ".join(md_escape(c) for c in cells)
            + f" | {md_escape(said)} |"
        )
    lines += ["", "## Details", ""]
    for r in results:
        lines.append(f"### {r['name']} — {r['title']}")
        lines.append("")
        lines.append(
            f"- category: {r['category']}; harm: `{' '.join(r['harm']) or 'none (benign)'}`; level: {r['level']}"
        )
        if r["what"]:
            lines.append(f"- does: {r['what']}")
        if r["expect"]:
            lines.append(f"- expected of TeX: {r['expect']}")
        if r["note"]:
            lines.append(f"- note: {r['note']}")
        if r.get("texlean_error"):
            lines.append(f"- **texlean failed**: {r['texlean_error']}")
        lines.append(
            f"- texlean ({r['texlean_seconds']:.2f} s): "
            + (
                "; ".join(
                    f"{f['code']} {f['severity']} l.{f['range']['start']['line'] + 1}: {f['message']}"
                    for f in r["texlean"]
                )
                or "nothing"
            )
        )
        if r["texlean_codes"]:
            missing = [c for c in r["texlean_codes"] if c not in {f["code"] for f in r["texlean"]}]
            lines.append(
                f"- expected codes: {' '.join(r['texlean_codes'])}"
                + (f" (missing: {' '.join(missing)})" if missing else " (all present)")
            )
        lines.append("")
        lines.append(
            "| configuration | rc | time | effect | evidence | expected | texlean | verdict |"
        )
        lines.append("|---|---|---|---|---|---|---|---|")
        for s in settings_cols:
            g = r["grades"].get(s)
            if g is None:
                lines.append(f"| {s} | | | skipped: {md_escape(r['skipped'])} | | | | |")
                continue
            run = r["runs"].get(s)
            if run is None:
                lines.append(
                    f"| {s} | | | | | {g['expected']} | {md_escape(', '.join(g['said']) or 'nothing')} | {g['verdict']} |"
                )
                continue
            lines.append(
                f"| {s} | {run['rc'] if run['rc'] is not None else 'killed'} | {run['seconds']:.2f} s | "
                f"{md_escape(effect_cell_dict(run))} | {md_escape(evidence(run))} | {g['expected']} | "
                f"{md_escape(', '.join(g['said']) or 'nothing')} | {g['verdict']} |"
            )
        lines.append("")
    out_md.write_text("\n".join(lines) + "\n", encoding="utf-8")


def effect_cell_dict(run: dict[str, Any] | None) -> str:
    if run is None:
        return ""
    return effect_cell(Run(**run))


def evidence(run: dict[str, Any]) -> str:
    if run["skipped"]:
        return run["skipped"]
    bits: list[str] = []
    if run["markers"]:
        bits.append("markers " + " ".join(run["markers"]))
    if run["token_in"]:
        bits.append("token in " + ", ".join(run["token_in"]))
    if run["created_outside"]:
        bits.append("created " + " ".join(run["created_outside"]))
    extra = [
        w for w in run["created_work"] if not re.search(r"\.(aux|log|pdf|out|toc|idx|fls)$", w)
    ]
    if extra:
        bits.append("in work: " + " ".join(extra))
    if run["changed"]:
        bits.append("changed " + " ".join(run["changed"]))
    if run.get("removed"):
        bits.append("removed " + " ".join(run["removed"]))
    if run["pdf_features"]:
        bits.append("PDF: " + ", ".join(run["pdf_features"]))
    if run["texts_found"]:
        bits.append("typeset " + " ".join(run["texts_found"]))
    if run["capacity"]:
        bits.append(run["capacity"])
    bits += run["runsystem"][:3]
    bits += run["gt_lines"][:4]
    if run["first_error"] and not run["capacity"]:
        bits.append(run["first_error"])
    return "; ".join(bits)


# ----------------------------------------------------------------- main


def requirement_missing(req: str) -> str:
    if req in ("pdflatex", "lualatex", "pdftotext"):
        return "" if shutil.which(req) else f"{req} not installed"
    res = subprocess.run(["kpsewhich", req], capture_output=True, text=True, check=False)
    return (
        ""
        if res.stdout.strip()
        else f"{req} not found by kpsewhich (install texlive-latex-recommended or texlive-latex-extra)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("cases", nargs="*", help="case names or files (default: all of cases/)")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per TeX run (default 20)")
    ap.add_argument(
        "--texlean",
        help="texlean command, split like a shell line (default: .venv/bin/texlean)",
    )
    ap.add_argument(
        "--out", type=Path, default=HERE / "report.md", help="Markdown report (JSON beside it)"
    )
    ap.add_argument("--strict", action="store_true", help="exit 1 when texlean disagrees with TeX")
    ap.add_argument(
        "--from-json", type=Path, help="only re-render the Markdown report from a report.json"
    )
    ap.add_argument(
        "--texlean-label",
        help="what the texlean command is (e.g. 'commit abc1234, clean export'), for the report",
    )
    ap.add_argument(
        "--regrade",
        type=Path,
        help="reuse the TeX runs of this report.json; only run texlean again and regrade",
    )
    args = ap.parse_args(argv)

    if args.from_json:
        data = json.loads(args.from_json.read_text(encoding="utf-8"))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_report(data["cases"], data["environment"], args.out, args.out.with_suffix(".json"))
        return 0

    if not shutil.which("kpsewhich"):
        print(
            "groundtruth: TeX Live is not installed (no kpsewhich); nothing to measure",
            file=sys.stderr,
        )
        return 2
    paths = sorted(CASES.glob("*.tex"))
    if args.cases:
        wanted = {Path(c).stem for c in args.cases}
        paths = [p for p in paths if p.stem in wanted]
    old_runs: dict[str, dict[str, dict[str, Any]]] = {}
    if args.regrade:
        old = json.loads(args.regrade.read_text(encoding="utf-8"))
        old_runs = {c["name"]: c["runs"] for c in old["cases"]}
        paths = [p for p in paths if p.stem in old_runs]
    rules = load_rules()
    lean = texlean_cmd(args.texlean)
    decoy = make_decoy()
    results: list[dict[str, Any]] = []
    started = time.monotonic()
    try:
        for path in paths:
            case = parse_case(path)
            source = path.read_text(encoding="utf-8")
            missing = [m for m in (requirement_missing(r) for r in case.requires) if m]
            runs: dict[str, Run] = {}
            for cfg in CONFIGS:
                if args.regrade:
                    runs[cfg.name] = Run(**old_runs[case.name][cfg.name])
                    continue
                skip = missing[:] if missing else []
                if not shutil.which(cfg.engine):
                    skip.append(f"{cfg.engine} not installed")
                if skip:
                    runs[cfg.name] = Run(cfg.name, skipped="; ".join(skip))
                    print(f"  SKIP {case.name} [{cfg.name}]: {'; '.join(skip)}", file=sys.stderr)
                    continue
                runs[cfg.name] = observe(case, cfg, source, decoy, args.timeout)
            findings, lean_secs, lean_error = run_texlean(lean, case, source, decoy)
            if lean_error:
                print(f"  TEXLEAN FAILED on {case.name}: {lean_error}", file=sys.stderr)
            grades: dict[str, dict[str, Any]] = {}
            measured = {c: r for c, r in runs.items() if not r.skipped}
            for cfg in CONFIGS:
                if cfg.name not in measured and missing:
                    continue
                exp, why = expected_level(
                    case, measured, [cfg.name] if cfg.name in measured else []
                )
                act, said = strongest(findings, rules, cfg.shell_escape, cfg.engine)
                grades[cfg.name] = {
                    "expected": exp,
                    "why": why,
                    "actual": act,
                    "said": said,
                    "verdict": verdict(exp, act),
                }
            if measured:
                shell, engine = DEFAULT_SETTING
                match = [c.name for c in CONFIGS if c.shell_escape == shell and c.name in measured]
                exp, why = expected_level(case, measured, match)
                act = max(
                    (f["severity"] for f in findings), key=lambda s: RANK.get(s, 0), default="none"
                )
                said = sorted({f"{f['code']} {f['severity']}" for f in findings})
                grades["default (restricted/any)"] = {
                    "expected": exp,
                    "why": why,
                    "actual": act,
                    "said": said,
                    "verdict": verdict(exp, act),
                }
                for f in findings:
                    calc = severity_under(rules.get(f["code"]), shell, engine, f["severity"])
                    if calc != f["severity"]:
                        print(
                            f"  note: {case.name}: {f['code']} printed {f['severity']}, catalog gives {calc}",
                            file=sys.stderr,
                        )
            if lean_error:
                for g in grades.values():
                    g["said"] = [lean_error]
            results.append(
                {
                    "name": case.name,
                    "title": case.title,
                    "category": case.category,
                    "what": case.what,
                    "expect": case.expect,
                    "note": case.note,
                    "harm": case.harm,
                    "level": case.level,
                    "texlean_codes": case.texlean_codes,
                    "skipped": "; ".join(missing),
                    "runs": {c: r.__dict__ for c, r in runs.items()},
                    "texlean": findings,
                    "texlean_seconds": round(lean_secs, 2),
                    "texlean_error": lean_error,
                    "grades": grades,
                }
            )
            summary = " ".join(
                f"{c.split()[0][:3]}{''.join(f[1] for f in c.split()[1:2])}:{'H' if r.harm_seen else ('T' if r.timed_out else '.')}"
                for c, r in runs.items()
            )
            bad = [s for s, g in grades.items() if g["verdict"] != "agree"]
            print(
                f"{case.name:40s} {summary}  texlean: {', '.join(sorted({f['code'] + ' ' + f['severity'] for f in findings})) or '-'}"
                + (f"  DISAGREE: {', '.join(bad)}" if bad else "")
            )
    finally:
        shutil.rmtree(decoy.folder, ignore_errors=True)
    info: dict[str, Any] = tex_versions()
    info["date"] = _dt.date.today().isoformat()
    info["timeout per run (s)"] = args.timeout
    info["total time (s)"] = round(time.monotonic() - started, 1)
    with contextlib.suppress(OSError):
        info["load average at the end (1, 5, 15 min)"] = " ".join(
            f"{x:.2f}" for x in os.getloadavg()
        )
    info["cores"] = os.cpu_count() or 0
    if args.regrade:
        info["TeX runs"] = (
            f"reused from {args.regrade.name}, measured {old['environment'].get('date')}"
        )
    info["texlean command"] = " ".join(lean)
    if args.texlean_label:
        info.pop("texlean working tree", None)
        info["texlean commit"] = args.texlean_label
    info["pdftotext"] = (
        shutil.which("pdftotext") or "missing (token searched in PDF bytes and log only)"
    )
    info["cases"] = len(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_report(results, info, args.out, args.out.with_suffix(".json"))
    print(f"report: {args.out}", file=sys.stderr)
    disagree = sum(1 for r in results for g in r["grades"].values() if g["verdict"] != "agree")
    return 1 if args.strict and disagree else 0


if __name__ == "__main__":
    sys.exit(main())
