"""Run a batch: read the inputs, build the documents, analyse them in workers.

The main process reads every file once (the include graph needs it), splices
each root document's includes (:mod:`.project`) and hands the compiled text
to a worker; workers analyse and render, and results come back in input
order whatever order the workers finish in.  Limits: a file larger than
``max_file_size`` is not read, an analysis has ``timeout_ms`` (the engine's
budget), and a worker whose RSS passes ``max_memory`` stops the document it
is on; each of these is a finding (SEC902 or SEC900), and the batch goes on.
"""

from __future__ import annotations

import _thread
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import messages
from ..analysis.findings import Finding, Severity, Span
from ..analysis.present import Presented, present
from ..settings import Settings
from . import language
from .cache import ResultCache, open_cache
from .discover import STDIN, Input, decode, read_source
from .project import (
    Builder,
    Segment,
    SourceMap,
    Unit,
    display_name,
    find_root,
    forget_paths,
    real,
)

MB = 1024 * 1024
DEFAULT_MAX_FILE_SIZE = 20 * MB
DEFAULT_MAX_MEMORY = 2048 * MB
DEFAULT_TIMEOUT_MS = 20_000


@dataclass(frozen=True)
class Options:
    settings: Settings = field(default_factory=Settings)
    show_suppressed: bool = False
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_memory: int = DEFAULT_MAX_MEMORY
    jobs: int = 1
    lang: str | None = None
    root: Path | None = None
    follow_includes: bool = True
    progress: bool = False
    cache_dir: Path | None = None  # the result cache (None: no cache)


@dataclass(frozen=True, slots=True)
class Item:
    """One finding as reported: the file it is in, presented, its source line."""

    name: str  # the file's display name
    path: Path | None  # resolved; None for standard input
    root: Path | None  # the project root the file belongs to
    presented: Presented
    lines: tuple[str, ...] = ()  # the file's lines the finding spans (for text, UTF-16)


@dataclass
class Outcome:
    items: list[Item] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # I/O errors, already worded
    files: int = 0  # files checked (roots and what they include)


# -- the worker side -----------------------------------------------------------------------


class MemoryWatch:
    """Interrupts the analysis in this process's main thread when RSS passes a limit."""

    def __init__(self, limit: int) -> None:
        import psutil

        self.limit = limit
        self.pid = os.getpid()
        self.process = psutil.Process()
        self.lock = threading.Lock()
        self.armed = False
        self.tripped = False
        self.thread = threading.Thread(target=self._watch, daemon=True, name="texlean-rss")
        self.thread.start()

    def over(self) -> bool:
        return bool(self.process.memory_info().rss > self.limit)

    def _watch(self) -> None:
        import time

        while True:
            time.sleep(0.05)
            with self.lock:
                if self.armed and not self.tripped and self.over():
                    self.tripped = True
                    _thread.interrupt_main()


_WATCH: MemoryWatch | None = None


def _memory_watch(limit: int) -> MemoryWatch | None:
    """This process's watch (one thread however many batches run here)."""
    global _WATCH
    if limit <= 0:
        return None
    if _WATCH is None or _WATCH.pid != os.getpid():  # a forked worker has no thread
        _WATCH = MemoryWatch(limit)
    _WATCH.limit = limit
    return _WATCH


@dataclass
class _Worker:
    settings: Settings
    show_suppressed: bool
    timeout_ms: int
    max_memory: int
    lang: str | None
    engine: object = None


_WORKER: _Worker | None = None


def _init_worker(options: Options) -> None:
    global _WORKER
    language.use(options.lang)
    _WORKER = _Worker(
        options.settings,
        options.show_suppressed,
        options.timeout_ms,
        options.max_memory,
        options.lang,
    )


def _not_analysed(reason: str) -> Finding:
    return Finding("SEC902", Span(0, 0, 0, 0), (("reason", reason),))


def _shown(report: object, settings: Settings, show_suppressed: bool) -> list[Presented]:
    from ..engine import Report

    assert isinstance(report, Report)
    shown = present(report.visible(settings.suppression_comments), settings)
    if not show_suppressed or not settings.suppression_comments or not report.suppressed:
        return shown
    hidden = [replace(p, suppressed=True) for p in present(report.suppressed, settings)]
    return sorted(shown + hidden, key=lambda p: (p.span.line, p.span.col, p.code))


# What a worker sends back: the findings in positions of the compiled sequence
# (None when the document was not analysed), findings already placed in files,
# and whether the analysis was complete (only then may it be cached).
Analysed = tuple["list[Presented] | None", "list[tuple[int, Presented]]", bool]


def analyse_unit(unit: Unit) -> list[tuple[int, Presented]]:
    """The presented findings of one document, each with the index of its file."""
    return placed(unit, analyse_compiled(unit))


def placed(unit: Unit, analysed: Analysed) -> list[tuple[int, Presented]]:
    """The findings of :func:`analyse_compiled` taken back to files, with the notes
    about includes."""
    w = _WORKER
    assert w is not None
    compiled, out, _ = analysed
    if compiled is None:
        return list(out)
    out = list(out)
    source = unit.source
    for p in compiled:
        f, span = source.map_span(p.span)
        out.append((f, replace(p, span=span)))
    for f, note in unit.notes:
        out.extend((f, p) for p in present([note], w.settings))
    return out


def analyse_compiled(unit: Unit) -> Analysed:
    """Analyse one document's compiled sequence (in a worker)."""
    from ..engine import Engine

    w = _WORKER
    assert w is not None
    if w.engine is None:
        w.engine = Engine(timeout_seconds=w.timeout_ms / 1000, formal_scan=False)
    engine = w.engine
    assert isinstance(engine, Engine)
    watch = _memory_watch(w.max_memory)
    try:
        if watch is not None:
            if watch.over():
                raise MemoryError
            with watch.lock:
                watch.armed, watch.tripped = True, False
        report = engine.analyse_text(unit.text, uri=unit.name)
        if watch is not None:
            with watch.lock:
                watch.armed = False
    except (KeyboardInterrupt, MemoryError):
        if watch is None or not (watch.tripped or watch.over()):
            raise
        watch.armed = False
        engine.chunk_cache.discard(lambda key: True)
        limit = messages.render("frag-over-memory", {"limit": str(w.max_memory // MB)})
        return None, [(0, p) for p in present([_not_analysed(limit)], w.settings)], False
    return _shown(report, w.settings, w.show_suppressed), [], report.complete


# -- the main side -------------------------------------------------------------------------


@dataclass
class _Doc:
    """One root document to analyse, or one that is reported without analysis."""

    order: int
    unit: Unit | None
    root: Path | None
    direct: list[tuple[int, Presented]] = field(default_factory=list)


class _Files:
    """Every file read once: text, or why not."""

    def __init__(self, max_file_size: int, given: dict[Path, str]) -> None:
        self.max_file_size = max_file_size
        self.given = given
        self.cache: dict[Path, tuple[str | None, str | None]] = {}
        self.split: dict[Path, tuple[str, ...]] = {}

    def lines(self, path: Path) -> tuple[str, ...]:
        if path not in self.split:
            text, _ = self.cache.get(path, (None, None))
            self.split[path] = _lines_of(text) if text else ()
        return self.split[path]

    def display(self, path: Path) -> str:
        return display_name(path, self.given)

    def too_large(self, path: Path) -> int | None:
        try:
            size = path.stat().st_size
        except OSError:
            return None
        return size if size > self.max_file_size else None

    def read(self, path: Path) -> tuple[str | None, str | None]:
        key = real(path)
        if key not in self.cache:
            size = self.too_large(path)
            if size is not None:
                limit = (
                    f"{self.max_file_size // MB} MB"
                    if self.max_file_size >= MB
                    else (f"{self.max_file_size} bytes")
                )
                self.cache[key] = (
                    None,
                    messages.render("frag-larger-than", {"size": f"{size:,}", "limit": limit}),
                )
            else:
                self.cache[key] = read_source(self.display(path), path)
        return self.cache[key]


def _lines_of(text: str) -> tuple[str, ...]:
    from ..document.lines import split_lines

    return tuple(split_lines(text))


def _closure(start: Path, edges: Callable[[Path], list[Path]]) -> set[Path]:
    seen: set[Path] = set()
    todo = list(edges(start))
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            todo.extend(edges(p))
    return seen


def plan(inputs: Sequence[Input], options: Options) -> tuple[list[_Doc], list[str], _Files]:
    """The documents to analyse in input order, and the I/O errors."""
    forget_paths()  # files may have changed since the last batch in this process
    given = {real(i.path): i.name for i in inputs if i.path is not None}
    files = _Files(options.max_file_size, given)
    errors: list[str] = []
    builders: dict[Path, Builder] = {}

    roots_of: dict[Path, Path] = {}  # folder -> its project root

    def builder(path: Path) -> Builder:
        folder = path.parent
        if folder not in roots_of:
            roots_of[folder] = (options.root or find_root(path)).resolve()
        root = roots_of[folder]
        if root not in builders:
            builders[root] = Builder(root, files.read, options.max_file_size, files.display)
        return builders[root]

    readable: list[tuple[int, Input, str | None]] = []
    docs: list[_Doc] = []
    settings = options.settings
    for order, inp in enumerate(inputs):
        if inp.path is None:
            data = sys.stdin.buffer.read()
            text, error = decode(inp.name, data)
            if text is None:
                errors.append(error or inp.name)
                continue
            unit = Unit(inp.name, text, SourceMap([Path(STDIN)]), names=[inp.name])
            unit.source.add(_segment0())
            files.cache[Path(STDIN)] = (text, None)
            docs.append(_Doc(order, unit, None))
            continue
        size = files.too_large(inp.path)
        if size is not None:
            _, why = files.read(inp.path)
            note = _not_analysed(why or messages.render("frag-too-large"))
            unit = Unit(inp.name, "", SourceMap([real(inp.path)]), names=[inp.name])
            docs.append(
                _Doc(
                    order, unit, builder(inp.path).root, [(0, p) for p in present([note], settings)]
                )
            )
            continue
        text, error = files.read(inp.path)
        if text is None:
            errors.append(error or inp.name)
            continue
        readable.append((order, inp, text))

    # which given files another given file includes (those are analysed as part of it)
    edges_cache: dict[Path, list[Path]] = {}

    def edges(path: Path) -> list[Path]:
        if path not in edges_cache:
            edges_cache[path] = []
            text, _ = files.read(path)
            if text is not None:
                edges_cache[path] = list(builder(path).targets(path, text))
        return edges_cache[path]

    roots: list[tuple[int, Input, str]] = []
    if options.follow_includes:
        reach = {
            real(inp.path): _closure(real(inp.path), edges) for _, inp, _ in readable if inp.path
        }
        texts = {real(i.path): t for _, i, t in readable if i.path}
        rank = {k: n for n, k in enumerate(reach)}

        def is_document(k: Path) -> bool:
            t = texts.get(k) or ""
            return "\\documentclass" in t or "\\begin{document}" in t

        # what another given file includes (in one pass over the reach sets)
        by_others = {p for o, ps in reach.items() for p in ps if p != o}

        def included(k: Path) -> bool:
            return k in by_others

        # files no other given file includes are roots; in an include loop the
        # document (\documentclass) that reaches most is
        candidates = sorted(
            reach, key=lambda k: (included(k), not is_document(k), -len(reach[k]), rank[k])
        )
        chosen: set[Path] = set()
        covered: set[Path] = set()
        for k in candidates:
            if k not in covered:
                chosen.add(k)
                covered |= reach[k] | {k}
        roots = [
            (o, i, t) for o, i, t in readable if i.path and real(i.path) in chosen and t is not None
        ]
    else:
        roots = [(o, i, t) for o, i, t in readable if t is not None]
    for order, inp, text in roots:
        assert inp.path is not None
        b = builder(inp.path)
        if options.follow_includes:
            unit = b.build(inp.path, text, inp.name)
        else:
            unit = Unit(inp.name, text, SourceMap([real(inp.path)]), names=[inp.name])
            unit.source.add(_segment0())
        docs.append(_Doc(order, unit, b.root))
    docs.sort(key=lambda d: d.order)
    return docs, errors, files


def _segment0() -> Segment:
    return Segment(0, 0, 0, 0)


def _pool(options: Options, workers: int) -> tuple[ProcessPoolExecutor, bool]:
    """The worker pool, and whether its workers are forked (they see this process's
    memory as it was when the first task was submitted)."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(options,)
    )
    return pool, context.get_start_method() == "fork"


# The documents of a batch, for forked workers: they read a document from the memory
# they share with this process instead of receiving its text through a pipe.
_FORKED_UNITS: dict[int, Unit] = {}


def _analyse_forked(order: int) -> Analysed:
    return analyse_compiled(_FORKED_UNITS[order])


def _progress(total: int, enabled: bool) -> Callable[[], None]:
    if not enabled or total < 2:
        return lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="doc", file=sys.stderr, leave=False, dynamic_ncols=True)
    lock = threading.Lock()

    def tick() -> None:
        with lock:
            bar.update(1)
            if bar.n >= total:
                bar.close()

    return tick


def run(inputs: Sequence[Input], options: Options) -> Iterator[Item | str]:
    """The findings, document by document in input order (an I/O error as a string
    where it happened, so a caller can print both in one stream)."""
    docs, errors, files = plan(inputs, options)
    yield from errors
    _init_worker(options)  # this process places findings in files (and may analyse)
    cache = _open_cache(options)
    keys: dict[int, str] = {}
    results: dict[int, Future[Analysed] | Analysed] = {}
    pending = []
    for d in docs:
        if d.unit is None or not d.unit.text:
            continue
        if cache is not None:
            keys[d.order] = key = cache.key(d.unit.name, d.unit.text)
            hit = cache.get(key)
            if hit is not None:
                results[d.order] = (hit, [], True)
                continue
        pending.append(d)
    workers = max(1, min(options.jobs, len(pending)))
    tick = _progress(len(docs), options.progress)
    pool: ProcessPoolExecutor | None = None
    if workers > 1:
        pool, forked = _pool(options, workers)
        if forked:  # before the first submit, which forks the workers
            _FORKED_UNITS.clear()
            _FORKED_UNITS.update((d.order, d.unit) for d in pending if d.unit is not None)
        # the largest documents first: the batch ends when the slowest worker does
        for d in sorted(pending, key=lambda d: -len(d.unit.text if d.unit else "")):
            assert d.unit is not None
            if forked:
                fut = pool.submit(_analyse_forked, d.order)
            else:
                fut = pool.submit(analyse_compiled, d.unit)
            fut.add_done_callback(lambda _f: tick())
            results[d.order] = fut
    seen: set[tuple[object, ...]] = set()
    finished = False
    try:
        for d in docs:
            unit = d.unit
            found: list[tuple[int, Presented]] = list(d.direct)
            if unit is not None and unit.text:
                r = results.get(d.order)
                if r is None:
                    r = analyse_compiled(unit)
                    tick()
                elif not isinstance(r, Future):
                    tick()  # from the cache
                try:
                    analysed = r.result() if isinstance(r, Future) else r
                except Exception as exc:  # a worker that died: the batch goes on
                    yield f"{unit.name}: analysis failed ({type(exc).__name__}: {exc})"
                    continue
                compiled, _, complete = analysed
                doc_key = keys.get(d.order)
                cacheable = compiled is not None and complete and doc_key is not None
                if cache is not None and cacheable and doc_key not in cache.used:
                    assert doc_key is not None and compiled is not None
                    cache.put(doc_key, compiled)
                found += placed(unit, analysed)
            else:
                tick()
            yield from _items(d, found, files, seen)
        finished = True
    finally:
        if pool is not None:  # interrupted (^C, a closed pipe): drop what is queued
            pool.shutdown(wait=finished, cancel_futures=not finished)
            _FORKED_UNITS.clear()
        if cache is not None and finished:
            cache.save()


def settings_key(options: Options) -> str:
    """What of the options changes the findings of a document or their words."""
    return repr(
        (
            options.settings,
            options.show_suppressed,
            options.lang,
            language.use(options.lang),
            # a limit decides whether a document is analysed at all: a result found
            # under other limits is not this run's
            options.timeout_ms,
            options.max_memory,
            options.max_file_size,
        )
    )


def _open_cache(options: Options) -> ResultCache | None:
    if options.cache_dir is None:
        return None
    return open_cache(options.cache_dir, settings_key(options))


def _items(
    doc: _Doc, found: list[tuple[int, Presented]], files: _Files, seen: set[tuple[object, ...]]
) -> Iterator[Item]:
    unit = doc.unit
    if unit is None:
        return
    source = unit.source
    rank = {f: (0 if f == 0 else 1, unit.names[f]) for f in range(len(source.files))}
    found.sort(key=lambda fp: (rank[fp[0]], fp[1].span.line, fp[1].span.col, fp[1].code))
    for f, p in found:
        path = source.files[f]
        key = (path, p.span, p.code, p.message, p.suppressed)
        if key in seen:  # a file two documents include: reported once
            continue
        seen.add(key)
        lines = files.lines(path)[p.span.line : p.span.end_line + 1]
        stdin = str(path) == STDIN
        yield Item(unit.names[f], None if stdin else path, None if stdin else doc.root, p, lines)


def count_at_or_above(items: Sequence[Item], threshold: Severity | None) -> int:
    if threshold is None:
        return 0
    return sum(
        1
        for i in items
        if not i.presented.suppressed and i.presented.severity.rank >= threshold.rank
    )


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
