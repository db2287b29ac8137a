"""The command line: ``texlean serve | check | formalize | rules``.

``check`` prints what the server would report, without an editor, for CI and
batches (:mod:`texlean.batch`).  Exit status: 0 when nothing at or above
``--fail-on`` (default warning) was found, 1 when something was, 2 on usage or
I/O errors (the other files are still checked).  ``formalize``
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
from collections.abc import Sequence
from pathlib import Path

from . import __version__, messages
from .analysis import lean_output
from .analysis.formal import translate
from .batch.discover import read_source
from .formalize.api import Translation, blueprint_name, formalize_statement, hole
from .formalize.extract import extract, relevant
from .settings import Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
LANG_HELP = (
    "the language of messages (a BCP 47 or POSIX tag, e.g. fr or de_DE.UTF-8);"
    " default: LC_ALL, LC_MESSAGES or LANG"
)


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


def _check(args: argparse.Namespace) -> int:
    from .batch import check

    return check.main(args)


def _use_language(args: argparse.Namespace) -> None:
    """``--lang``, else the environment's locale, for ``formalize`` and ``rules``."""
    from .batch import language

    language.use(language.choose(getattr(args, "lang", None)))


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
    _use_language(args)
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

    _use_language(args)
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
        "check",
        help="report what the server would report, for files and folders",
        description="Check LaTeX files for CI and batches. Exit status: 0 when nothing at or"
        " above --fail-on was found, 1 when something was, 2 on usage or I/O errors.",
    )
    check.add_argument(
        "paths",
        nargs="+",
        help="files, folders (searched recursively), globs (expanded here too) or - for stdin",
    )
    check.add_argument(
        "--format",
        choices=("text", "json", "sarif", "github"),
        default="text",
        help="text (default), json, sarif (SARIF 2.1.0) or github (workflow commands)",
    )
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "information", "hint", "never"),
        help="the lowest severity that makes the exit status 1 (default: warning)",
    )
    check.add_argument(
        "--exclude",
        action="append",
        metavar="GLOB",
        help="skip files matching GLOB (a name or a path; ** spans folders); repeatable",
    )
    check.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="worker processes (default: the number of CPUs; 1 = in this process)",
    )
    check.add_argument(
        "--root",
        metavar="DIR",
        help="the project root includes are followed inside (default: the nearest folder"
        " with .git or latexmkrc, else the file's folder)",
    )
    check.add_argument(
        "--no-includes",
        action="store_true",
        help="check each file on its own, without following \\input, \\include, \\subfile",
    )
    check.add_argument(
        "--config", metavar="FILE", help="texlean.toml or pyproject.toml to read settings from"
    )
    check.add_argument("--no-config", action="store_true", help="read no configuration file")
    check.add_argument(
        "--timeout-ms", type=int, help="analysis budget per document (default 20000)"
    )
    check.add_argument(
        "--max-file-size",
        metavar="SIZE",
        help="files larger than this are not analysed (SEC902); default 20MB",
    )
    check.add_argument(
        "--max-memory",
        metavar="SIZE",
        help="a worker whose memory (RSS) passes this stops its document (SEC902);"
        " default 2048MB; a bare number is MB",
    )
    check.add_argument(
        "--ignore", metavar="CODE,…", help="never report these rules (codes or names)"
    )
    check.add_argument(
        "--select", metavar="CODE,…", help="report only these rules (codes or names)"
    )
    check.add_argument(
        "--show-suppressed",
        action="store_true",
        help="also print what `%% texlean:` comments suppress, marked (suppressed);"
        " it never counts for the exit status",
    )
    check.add_argument(
        "--no-suppressions",
        action="store_true",
        help="ignore the documents' `%% texlean:` suppression comments"
        " (for documents you did not write)",
    )
    check.add_argument(
        "--source",
        action=argparse.BooleanOptionalAction,
        help="text format: print each finding's source line and a caret under it"
        " (default: when standard output is a terminal)",
    )
    check.add_argument("--quiet", "-q", action="store_true", help="no progress bar on a terminal")
    check.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where results of unchanged documents are kept (default: .texlean_cache in the"
        " project root)",
    )
    check.add_argument(
        "--no-cache", action="store_true", help="analyse every document; read and write no cache"
    )
    check.add_argument(
        "--rules-uri",
        metavar="URI",
        help="sarif: where docs/rules.md is published (helpUri = URI#CODE)",
    )
    check.add_argument("--lang", metavar="TAG", help=LANG_HELP)
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
    formalize.add_argument("--lang", metavar="TAG", help=LANG_HELP)
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
    rules.add_argument("--lang", metavar="TAG", help=LANG_HELP)
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
