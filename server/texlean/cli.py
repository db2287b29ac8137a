"""The command line: ``texlean serve | check | formalize | rules``.

``check`` prints what the server would report, without an editor.  Exit
status: 0 when nothing at warning or above was found, 1 when something was,
2 on usage or I/O errors (the other files are still checked).  ``formalize``
writes the Lean 4 statements of a document's theorem-like environments (or of
a JSON Lines file of informal statements); its exit status is 0 when every
statement was translated completely, 1 when some were not, 2 on usage or I/O
errors.  ``rules`` prints the rule catalog (``--markdown`` is ``docs/rules.md``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import __version__, messages
from .analysis import lean_output
from .analysis.findings import Severity
from .analysis.formal import translate
from .analysis.present import Presented, present
from .analysis.rules import catalog, resolve_code
from .document.lines import split_lines
from .engine import Engine, Report
from .formalize.api import Translation, blueprint_name, formalize_statement, hole
from .formalize.extract import extract, relevant
from .lsp.convert import to_range
from .settings import Settings

TEX_SUFFIXES = (".tex", ".sty", ".cls", ".ltx", ".dtx", ".bbx", ".cbx")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _serve(args: argparse.Namespace) -> int:
    handler: logging.Handler = (
        logging.FileHandler(args.log_file) if args.log_file else logging.StreamHandler(sys.stderr)
    )
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper(), logging.WARNING),
        handlers=[handler],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from .lsp.server import create_server

    server = create_server()
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            print(f"texlean: --tcp wants HOST:PORT, got {args.tcp!r}", file=sys.stderr)
            return EXIT_ERROR
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0


def _files(paths: Sequence[str]) -> Iterator[tuple[str, Path | None, str | None]]:
    """(display name, path, error) for every file to check; path None for standard input.

    ``error`` is set (and the path None) for a folder that holds no TeX file:
    the user named something there is nothing to check in, a usage error.
    """
    for raw in paths:
        if raw == "-":
            yield "<stdin>", None, None
            continue
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in TEX_SUFFIXES)
            if not found:
                yield raw, None, messages.render("cli-no-files", {"path": raw})
            for f in found:
                yield str(f), f, None
        else:
            yield raw, p, None


def read_source(name: str, path: Path | None) -> tuple[str | None, str | None]:
    """The text of a file, or an error message (unreadable, binary, not UTF-8)."""
    try:
        data = sys.stdin.buffer.read() if path is None else path.read_bytes()
    except OSError as exc:
        return None, messages.render(
            "cli-unreadable", {"path": name, "reason": exc.strerror or str(exc)}
        )
    if b"\x00" in data:
        return None, messages.render("cli-binary", {"path": name})
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, messages.render("cli-not-utf8", {"path": name, "offset": str(exc.start)})


def _json_item(name: str, lines: list[str], p: Presented) -> dict[str, Any]:
    rng = to_range(lines, p.span, "utf-16")
    return {
        "path": name,
        "range": {
            "start": {"line": rng.start.line, "character": rng.start.character},
            "end": {"line": rng.end.line, "character": rng.end.character},
        },
        "severity": p.severity.value,
        "code": p.code,
        "category": p.category.value,
        "message": p.message,
    }


def _shown(report: Report, settings: Settings, show_suppressed: bool) -> list[Presented]:
    """What ``check`` prints: the findings, and with ``show_suppressed`` those that
    suppression comments hide, marked as such (in document order)."""
    shown = present(report.visible(settings.suppression_comments), settings)
    if not show_suppressed or not settings.suppression_comments or not report.suppressed:
        return shown
    hidden = [replace(p, suppressed=True) for p in present(report.suppressed, settings)]
    return sorted(shown + hidden, key=lambda p: (p.span.line, p.span.col, p.code))


def _code_list(raw: str | None, option: str) -> tuple[str, ...] | str:
    """Rule codes from ``CODE,NAME,…``, or the message for the first unknown one."""
    if raw is None:
        return ()
    codes = []
    for item in raw.replace(",", " ").split():
        code = resolve_code(item)
        if code is None:
            return messages.render("cli-unknown-rule", {"option": option, "name": item})
        codes.append(code)
    return tuple(codes)


def _check_settings(args: argparse.Namespace) -> Settings | str:
    """The settings ``check`` runs with (``--ignore``, ``--select``), or a usage error."""
    ignore = _code_list(args.ignore, "--ignore")
    if isinstance(ignore, str):
        return ignore
    select = _code_list(args.select, "--select")
    if isinstance(select, str):
        return select
    if args.select is not None:
        ignore = ignore + tuple(code for code in catalog() if code not in select)
    return replace(Settings(), ignore=ignore, suppression_comments=not args.no_suppressions)


def _check(args: argparse.Namespace) -> int:
    settings_or_error = _check_settings(args)
    if isinstance(settings_or_error, str):
        print(f"texlean: {settings_or_error}", file=sys.stderr)
        return EXIT_ERROR
    settings = settings_or_error
    engine = Engine(timeout_seconds=args.timeout_ms / 1000)
    status = EXIT_CLEAN
    io_error = False
    out: list[dict[str, Any]] = []
    for name, path, problem in _files(args.paths):
        text, error = (None, problem) if problem is not None else read_source(name, path)
        if text is None:
            print(f"texlean: {error}", file=sys.stderr)
            io_error = True
            continue
        report = engine.analyse_text(text, uri=name)
        lines = split_lines(text)
        for p in _shown(report, settings, args.show_suppressed):
            if p.severity.rank >= Severity.WARNING.rank and not p.suppressed:
                status = EXIT_FINDINGS
            if args.format == "json":
                item = _json_item(name, lines, p)
                if args.show_suppressed:
                    item["suppressed"] = p.suppressed
                out.append(item)
            else:
                mark = " (suppressed)" if p.suppressed else ""
                print(
                    f"{name}:{p.span.line + 1}:{p.span.col + 1}: "
                    f"{p.severity.value} {p.code} {p.message}{mark}"
                )
    if args.format == "json":
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return EXIT_ERROR if io_error else status


def _translate(latex: str, name: str) -> Translation:
    try:
        return formalize_statement(latex, name=name)
    except Exception:  # the translator's failure is this statement's, not the run's
        text = " ".join(latex.split())
        ident = blueprint_name(name)
        return Translation(
            name=ident,
            lean=f"theorem {ident} : {hole(text)} := by sorry",
            status="failed",
            untranslated=(text,),
        )


def _formalize_jsonl(args: argparse.Namespace) -> int:
    name = "<stdin>" if args.jsonl == "-" else args.jsonl
    text, error = read_source(name, None if args.jsonl == "-" else Path(args.jsonl))
    if text is None:
        print(f"texlean: {error}", file=sys.stderr)
        return EXIT_ERROR
    status, bad = EXIT_CLEAN, False
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"texlean: {name}:{number}: not JSON ({exc.msg})", file=sys.stderr)
            bad = True
            continue
        ident = item.get("id") if isinstance(item, dict) else None
        informal = item.get("informal") if isinstance(item, dict) else None
        if isinstance(ident, bool) or not isinstance(ident, (str, int)):
            print(f"texlean: {name}:{number}: no id (a string)", file=sys.stderr)
            bad = True
            continue
        if not isinstance(informal, str):
            print(f"texlean: {name}:{number}: no informal statement (a string)", file=sys.stderr)
            bad = True
            continue
        tr = _translate(informal, str(ident))
        if tr.status != "complete":
            status = EXIT_FINDINGS
        out = {
            "id": item["id"],
            "lean": tr.lean,
            "status": tr.status,
            "untranslated": list(tr.untranslated),
        }
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return EXIT_ERROR if bad else status


def _formalize(args: argparse.Namespace) -> int:
    if (args.file is None) == (args.jsonl is None):
        print("texlean: formalize takes a .tex file or --jsonl FILE (not both)", file=sys.stderr)
        return EXIT_ERROR
    if args.jsonl is not None:
        return _formalize_jsonl(args)
    name = "<stdin>" if args.file == "-" else args.file
    text, error = read_source(name, None if args.file == "-" else Path(args.file))
    if text is None:
        print(f"texlean: {error}", file=sys.stderr)
        return EXIT_ERROR
    found = extract(text)
    source = Path(args.file).name if args.file != "-" else None
    declarations = []
    counts: dict[str, int] = {}
    for statement in found.statements:
        tr = translate(statement, relevant(found.context, statement.body))
        counts[tr.status] = counts.get(tr.status, 0) + 1
        heading = found.declarations.heading(statement.env)
        declarations.append(lean_output.declaration(tr, statement, source, heading))
    header = Settings().formalize.header if not args.no_header else ()
    lean = lean_output.new_file(header, declarations)
    if args.output in (None, "-"):
        sys.stdout.write(lean)
    else:
        try:
            Path(args.output).write_text(lean, encoding="utf-8")
        except OSError as exc:
            reason = exc.strerror or str(exc)
            print(
                f"texlean: {messages.render('cli-unwritable', {'path': args.output, 'reason': reason})}",
                file=sys.stderr,
            )
            return EXIT_ERROR
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"
    print(f"texlean: {name}: {len(declarations)} statements ({summary})", file=sys.stderr)
    return EXIT_CLEAN if counts.get("complete", 0) == len(declarations) else EXIT_FINDINGS


def _rules(args: argparse.Namespace) -> int:
    from . import docs_gen

    if args.format == "json":
        json.dump(docs_gen.catalog_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.format == "markdown":
        sys.stdout.write(docs_gen.markdown())
    else:
        sys.stdout.write(docs_gen.text_listing())
    return EXIT_CLEAN


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="texlean", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--version", action="version", version=f"texlean {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument(
        "--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)"
    )
    serve.add_argument(
        "--tcp", metavar="HOST:PORT", help="listen on a TCP port instead (for debugging)"
    )
    serve.add_argument("--log-file", help="write the server log here instead of stderr")
    serve.add_argument(
        "--log-level", default="warning", help="debug, info, warning (default), error"
    )
    serve.set_defaults(run=_serve)

    check = sub.add_parser(
        "check", help="report what the server would report, for files and folders"
    )
    check.add_argument(
        "paths", nargs="+", help="files, folders (searched recursively) or - for stdin"
    )
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--timeout-ms", type=int, default=20_000, help="analysis budget per file")
    check.add_argument(
        "--ignore", metavar="CODE,…", help="never report these rules (codes or names)"
    )
    check.add_argument(
        "--select", metavar="CODE,…", help="report only these rules (codes or names)"
    )
    check.add_argument(
        "--show-suppressed",
        action="store_true",
        help="also print what `% texlean:` comments suppress, marked (suppressed);"
        " it never counts for the exit status",
    )
    check.add_argument(
        "--no-suppressions",
        action="store_true",
        help="ignore the documents' `% texlean:` suppression comments"
        " (for documents you did not write)",
    )
    check.set_defaults(run=_check)

    formalize = sub.add_parser(
        "formalize",
        help="write the Lean 4 statements of a document's theorem-like environments",
        description="Lean 4 + Mathlib statements (proofs are `sorry`) for every theorem-like"
        " environment of FILE, under a header; or, with --jsonl, for each informal statement"
        " of a JSON Lines file (objects with id and informal), one JSON object per line on"
        " standard output (id, lean, status, untranslated).",
    )
    formalize.add_argument("file", nargs="?", help="a .tex file, or - for standard input")
    formalize.add_argument(
        "-o", "--output", metavar="OUT.lean", help="write here instead of standard output"
    )
    formalize.add_argument(
        "--jsonl", metavar="IN.jsonl", help="informal statements, one JSON object per line"
    )
    formalize.add_argument(
        "--no-header", action="store_true", help="leave out the header (import Mathlib …)"
    )
    formalize.set_defaults(run=_formalize)

    rules = sub.add_parser("rules", help="list the rules texlean reports (the rule catalog)")
    rules.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text: one line per rule; json: the whole catalog; markdown: docs/rules.md",
    )
    rules.add_argument(
        "--markdown",
        dest="format",
        action="store_const",
        const="markdown",
        help="print docs/rules.md (same as --format markdown)",
    )
    rules.set_defaults(run=_rules)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_ERROR
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `texlean check … | head`
        sys.stderr.close()
        return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
