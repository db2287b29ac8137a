"""``texlean check``: options and configuration merged, the batch run, the report.

Exit status: 0 when nothing at or above ``--fail-on`` (default warning) was
found, 1 when something was, 2 on usage or I/O errors (the other files are
still checked).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from .. import messages
from ..analysis.findings import Severity
from ..analysis.rules import catalog, resolve_code
from ..settings import Settings
from . import cache, language
from . import config as configuration
from .discover import discover
from .formats import github, sarif, text
from .formats import json as json_format
from .project import find_root
from .runner import (
    DEFAULT_MAX_FILE_SIZE,
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT_MS,
    Item,
    Options,
    count_at_or_above,
    default_jobs,
    run,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github")
FAIL_ON = configuration.FAIL_ON


def code_list(raw: str | None, option: str) -> tuple[str, ...] | str:
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


def with_flags(settings: Settings, args: argparse.Namespace) -> Settings | str:
    """The settings with ``--ignore``, ``--select``, ``--no-suppressions`` applied
    (flags win over the file), or a usage error."""
    ignore = code_list(getattr(args, "ignore", None), "--ignore")
    if isinstance(ignore, str):
        return ignore
    select = code_list(getattr(args, "select", None), "--select")
    if isinstance(select, str):
        return select
    merged = tuple(dict.fromkeys(settings.ignore + ignore))
    rules = dict(settings.rules)
    if getattr(args, "select", None) is not None:
        merged = tuple(c for c in merged if c not in select or c in ignore)
        merged += tuple(code for code in catalog() if code not in select and code not in merged)
        for code in select:
            if rules.get(code) == "off":
                del rules[code]
    changes: dict[str, object] = {"ignore": merged, "rules": rules}
    if getattr(args, "no_suppressions", False):
        changes["suppression_comments"] = False
    return replace(settings, **changes)  # type: ignore[arg-type]


def _config_start(args: argparse.Namespace) -> Path:
    if args.root:
        return Path(args.root)
    for raw in args.paths:
        if raw == "-":
            continue
        p = Path(raw)
        if p.is_dir():
            return find_root(p / "_")
        if p.exists():
            return find_root(p)
        break
    return Path.cwd()


def cache_dir(args: argparse.Namespace) -> Path | None:
    """Where the result cache is: ``--cache-dir``, else ``.texlean_cache`` in the
    project root (``--root``, else the first path's); None with ``--no-cache``."""
    if getattr(args, "no_cache", False):
        return None
    given = getattr(args, "cache_dir", None)
    if given:
        return Path(given)
    return _config_start(args) / cache.FOLDER


def load_config(args: argparse.Namespace) -> configuration.Config | str:
    """The configuration in force, or why there is none to use (exit 2)."""
    if getattr(args, "no_config", False):
        return configuration.Config()
    path = Path(args.config) if args.config else configuration.find(_config_start(args))
    if path is None:
        return configuration.Config()
    if args.config and not path.is_file():
        return f"--config: {path} is not a file"
    try:
        return configuration.load(path)
    except configuration.ConfigError as exc:
        return str(exc)


def _threshold(name: str) -> Severity | None:
    return None if name == "never" else Severity(name)


def main(args: argparse.Namespace) -> int:
    lang = language.choose(args.lang)
    language.use(lang)
    cfg = load_config(args)
    if isinstance(cfg, str):
        print(f"texlean: {cfg}", file=sys.stderr)
        return EXIT_ERROR
    for problem in cfg.problems:
        print(f"texlean: {problem}", file=sys.stderr)
    settings = with_flags(cfg.settings, args)
    if isinstance(settings, str):
        print(f"texlean: {settings}", file=sys.stderr)
        return EXIT_ERROR
    check = cfg.check
    fail_on = args.fail_on or check.get("fail-on", "warning")
    if args.max_file_size is not None:
        try:
            max_file_size = configuration.parse_size(args.max_file_size)
        except ValueError as exc:
            print(f"texlean: --max-file-size: {exc}", file=sys.stderr)
            return EXIT_ERROR
    else:
        max_file_size = check.get("max-file-size", DEFAULT_MAX_FILE_SIZE)
    if args.max_memory is not None:
        try:
            max_memory = configuration.parse_size(args.max_memory, 1024 * 1024)
        except ValueError as exc:
            print(f"texlean: --max-memory: {exc}", file=sys.stderr)
            return EXIT_ERROR
    else:
        max_memory = check.get("max-memory", DEFAULT_MAX_MEMORY)
    if args.jobs is not None and args.jobs < 1:
        print("texlean: --jobs: expected 1 or more", file=sys.stderr)
        return EXIT_ERROR
    root = Path(args.root) if args.root else None
    if root is not None and not root.is_dir():
        print(f"texlean: --root: {root} is not a folder", file=sys.stderr)
        return EXIT_ERROR
    progress = not args.quiet and sys.stderr.isatty()
    options = Options(
        settings=settings,
        show_suppressed=args.show_suppressed,
        timeout_ms=args.timeout_ms or check.get("timeout-ms", DEFAULT_TIMEOUT_MS),
        max_file_size=max_file_size,
        max_memory=max_memory,
        jobs=args.jobs or check.get("jobs") or default_jobs(),
        lang=lang,
        root=root,
        follow_includes=not args.no_includes,
        progress=progress,
        cache_dir=cache_dir(args),
    )
    exclude = [*check.get("exclude", []), *(args.exclude or [])]
    inputs, usage = discover(args.paths, exclude)
    for problem in usage:
        print(f"texlean: {problem}", file=sys.stderr)
    items, errors = report(inputs, options, args, _writer(progress))
    failed = count_at_or_above(items, _threshold(fail_on))
    if usage or errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if failed else EXIT_CLEAN


def _writer(progress: bool) -> Callable[[str], None]:
    if progress:
        from tqdm import tqdm

        return lambda line: tqdm.write(line, file=sys.stdout)
    return lambda line: print(line)


def report(
    inputs: Sequence[object],
    options: Options,
    args: argparse.Namespace,
    write: Callable[[str], None],
) -> tuple[list[Item], list[str]]:
    """Run the batch and print it in ``args.format``; the items and the I/O errors."""
    items: list[Item] = []
    errors: list[str] = []
    fmt = args.format
    source = args.source if args.source is not None else sys.stdout.isatty()
    for entry in run(inputs, options):  # type: ignore[arg-type]
        if isinstance(entry, str):
            errors.append(entry)
            print(f"texlean: {entry}", file=sys.stderr)
            continue
        items.append(entry)
        if fmt == "text":
            write(text.render(entry, source=source))
        elif fmt == "github":
            write(github.render(entry))
    if fmt == "json":
        out = [json_format.render(i, options.show_suppressed) for i in items]
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif fmt == "sarif":
        json.dump(sarif.render(items, args.rules_uri), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return items, errors
