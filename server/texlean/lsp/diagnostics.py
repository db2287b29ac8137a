"""Diagnostics, pushed and pulled.

Push: each change schedules an analysis of that document after
``diagnostics.debounceMs`` (a newer change re-arms the timer, so only the
latest version is analysed); the result is published with the version it
was computed for, even when it equals the previous one — that is how a
client knows its diagnostics are current.  With ``diagnostics.trigger =
"save"`` only opening and saving analyse.

Pull: ``textDocument/diagnostic`` answers with a ``resultId`` derived from the
document version and a digest of the diagnostics themselves, and
``unchanged`` when the client already has that result.  The digest matters: a
document reopened with the same version (VS Code after a change on disk) or
saved with a different text keeps its version, not its diagnostics.  In
``auto`` mode a client that pulls stops receiving pushes, so it never sees each
diagnostic twice; whenever pushing stops (that first pull, or a settings change
to ``pull``) the diagnostics pushed so far are withdrawn.

An analysis that runs out of its time budget (``analysis.timeoutMs``) is
published as it is, ending in SEC900, and then continued in the background
slice by slice: each slice reuses what the previous ones finished, until the
report is complete (pull clients are then asked to refresh) or a slice makes
no progress (a chunk too costly for any budget; its SEC900 stays).
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from .. import messages
from ..analysis.present import present
from ..document.model import Document
from ..engine import Report
from .convert import to_diagnostic

if TYPE_CHECKING:
    from .server import TexleanServer

CONTINUE_DELAY_S = 0.02  # between slices of an analysis that ran out of budget


def _complete_chunks(doc: Document) -> int:
    return sum(1 for c in doc.chunked.chunks if c.result is not None and c.result.complete)


_LARGE_ANALYSIS = 500  # chunks


class DiagnosticsFeature:
    def __init__(self, server: TexleanServer) -> None:
        self.server = server
        self.timers: dict[str, asyncio.TimerHandle | asyncio.Handle] = {}
        self.analysed: dict[str, Report] = {}  # the latest analysed report per document
        self.published: dict[str, int | None] = {}
        # documents whose analysis ran out of budget: (document, version, chunks complete)
        self.unfinished: dict[str, tuple[Document, int, int]] = {}
        self.last_items: dict[str, tuple[int, list[types.Diagnostic]]] = {}
        self.client_pulls = False

    # -- scheduling ---------------------------------------------------------------

    def on_document(self, uri: str, event: str) -> None:
        trigger = self.server.settings.diagnostics.trigger
        if event == "close":
            self.cancel(uri)
            self.analysed.pop(uri, None)
            self.published.pop(uri, None)
            self.unfinished.pop(uri, None)
            self.last_items.pop(uri, None)
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )
        elif event in ("open", "save"):
            self.cancel(uri)
            self.run(uri)
        elif event == "change" and trigger == "change":
            self.schedule(uri, self.server.settings.diagnostics.debounce_ms)

    def schedule(self, uri: str, delay_ms: int) -> None:
        self.cancel(uri)
        loop = asyncio.get_running_loop()
        if delay_ms <= 0:
            self.timers[uri] = loop.call_soon(self.run, uri)
        else:
            self.timers[uri] = loop.call_later(delay_ms / 1000, self.run, uri)

    def cancel(self, uri: str) -> None:
        handle = self.timers.pop(uri, None)
        if handle is not None:
            handle.cancel()

    def run(self, uri: str) -> None:
        self.timers.pop(uri, None)
        doc = self.server.engine.get(uri)
        if doc is None:
            return
        try:
            report = self.server.engine.analyse(doc)
        except Exception as exc:
            self.server.report_feature_error("diagnostics", exc)
            return
        self.analysed[uri] = report
        if self.server.engine.last.reanalysed >= _LARGE_ANALYSIS:
            # A large document's results live as long as it is open: keep the
            # collector from walking them again on every full collection (those
            # walks were 20 ms pauses on a 1.8 MB document).
            gc.freeze()
        before = self.unfinished.get(uri)
        continuing = before is not None and before[0] is doc and before[1] == doc.version
        if report.version == doc.version:  # never publish a stale result
            # a continued slice that found nothing new is not published again
            self.publish(doc, report, only_if_changed=continuing and not report.complete)
        self.follow_up(doc, report)

    def follow_up(self, doc: Document, report: Report) -> None:
        """Continue an analysis that ran out of budget, while it makes progress."""
        uri = doc.uri
        if report.complete:
            if self.unfinished.pop(uri, None) is not None and not self.pushing():
                self.refresh()  # pull clients: the report they have is partial
            return
        done = _complete_chunks(doc)
        before = self.unfinished.get(uri)
        same = before is not None and before[0] is doc and before[1] == doc.version
        if same and before is not None and done <= before[2]:
            return  # no progress with a fresh budget: leave the SEC900 finding
        self.unfinished[uri] = (doc, doc.version, done)
        if uri not in self.timers:
            loop = asyncio.get_running_loop()
            self.timers[uri] = loop.call_later(CONTINUE_DELAY_S, self.run, uri)

    # -- delivery -----------------------------------------------------------------

    def pushing(self) -> bool:
        mode = self.server.settings.diagnostics.mode
        return mode == "push" or (mode == "auto" and not self.client_pulls)

    def diagnostics_for(self, doc: Document, report: Report) -> list[types.Diagnostic]:
        settings = self.server.settings
        shown = present(
            report.visible(settings.suppression_comments),
            settings,
            limit=settings.diagnostics.max_count,
        )
        return [to_diagnostic(doc, p, self.server.encoding) for p in shown]

    def publish(self, doc: Document, report: Report, only_if_changed: bool = False) -> None:
        if not self.pushing():
            if self.published.get(doc.uri) is not None:
                # pushing stopped since the last publish: withdraw what the client has
                self.server.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=[])
                )
                self.published[doc.uri] = None
                self.last_items.pop(doc.uri, None)
            return
        items = self.diagnostics_for(doc, report)
        if only_if_changed and self.last_items.get(doc.uri) == (report.version, items):
            return
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=doc.uri, version=report.version, diagnostics=items)
        )
        self.published[doc.uri] = report.version
        self.last_items[doc.uri] = (report.version, items)

    def republish_all(self) -> None:
        for uri in list(self.server.engine.documents):
            if uri in self.analysed or self.server.settings.diagnostics.trigger == "change":
                self.run(uri)
        self.refresh()

    def refresh(self) -> None:
        """Ask a pull client to pull again (when it supports workspace/diagnostic/refresh)."""
        caps = self.server.client_capabilities.workspace
        if caps is not None and caps.diagnostics is not None and caps.diagnostics.refresh_support:
            self.server.workspace_diagnostic_refresh(None)

    def result_id(self, report: Report, items: list[types.Diagnostic]) -> str:
        data = json.dumps(
            self.server.protocol._converter.unstructure(items), sort_keys=True, default=str
        )
        digest = hashlib.blake2b(data.encode("utf-8"), digest_size=8).hexdigest()
        return f"{report.version}:{self.server.settings_generation}:{digest}"

    def pull(self, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        uri = params.text_document.uri
        doc = self.server.engine.get(uri)
        if doc is None:
            raise JsonRpcInvalidParams(messages.render("not-open", {"uri": uri}))
        if self.server.settings.diagnostics.mode == "auto" and not self.client_pulls:
            self.client_pulls = True
            for other in [u for u, v in self.published.items() if v is not None]:
                # the client reads pulled results from now on: withdraw the pushed copies
                self.server.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(uri=other, diagnostics=[])
                )
                self.published[other] = None
                self.last_items.pop(other, None)
        report = self.analysed.get(uri)
        if self.server.settings.diagnostics.trigger == "change" or report is None:
            report = self.server.engine.analyse(doc)
            self.analysed[uri] = report
            self.follow_up(doc, report)
        items = self.diagnostics_for(doc, report)
        result_id = self.result_id(report, items)
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)


def register(server: TexleanServer) -> DiagnosticsFeature:
    feature = DiagnosticsFeature(server)
    server.on_document(feature.on_document)
    server.on_settings(feature.republish_all)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="texlean", inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )
    @server.guarded("pull diagnostics")
    def pull(params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        return feature.pull(params)

    return feature
