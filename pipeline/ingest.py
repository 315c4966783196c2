"""From one raw file to its parsed reports, or a quarantine reason.

``parse_bytes`` is a pure function of the file's bytes (plus its relative path),
so its result can be cached by content hash and computed in parallel. It never
raises on content: whatever the bytes, the file ends ``parsed`` (with the
reports that could be trusted and the rejected ones beside them) or
``quarantined`` with a reason an analyst understands and, where possible, the
line. ``mark_duplicates`` then turns later copies of the same report into
``duplicate``.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TypeVar

from pipeline.decoding import DAMAGED, DecodedText, DecodeNote, Undecodable, decode_text
from pipeline.document import Document, Segment
from pipeline.families import DocumentParse, Rejection, parse_document, split_segments
from pipeline.records import ParseNote, ProjectReport
from pipeline.report_check import UnfitReport, fit_report
from pipeline.sources import RawFile
from pipeline.text import nfkc

PARSED = "parsed"
#: Files per task sent to a worker process: small enough that results stream back steadily.
MAX_CHUNK = 64
#: The worker processes' first-generation garbage collection threshold (Python's default is
#: 700). Parsing allocates millions of short-lived containers that reference counting frees;
#: collecting them every 700 allocations cost about 10 % of the parse time (measured on the
#: synthetic corpus). Cyclic garbage, which parsing does leave, is still collected.
WORKER_GC_THRESHOLD = 10_000
QUARANTINED = "quarantined"
DUPLICATE = "duplicate"

_TITLES = "绩效自评表 / 项目绩效自我评价 / 绩效目标表"


@dataclass
class FileResult:
    """What one raw file gave: reports and rejections, or why it was quarantined."""

    source_file: str
    sha256: str | None
    bytes: int
    status: str
    encoding: str | None = None
    text_sha256: str | None = None  # fingerprint of the content: finds re-encoded or re-laid-out copies
    families: list[str] = field(default_factory=list)
    reports: list[ProjectReport] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    reason: str | None = None
    reason_line: int | None = None
    duplicate_of: str | None = None


def content_fingerprint(document: Document) -> str:
    """Hash of what the report says, blind to encoding, BOM, line ends, blank
    lines, invisible characters, character width and cell layout."""
    folded = ("".join(nfkc("".join(row.values)).split()) for row in document.rows)  # split(): at any ``\s``
    text = "".join(f"{row}\n" for row in folded if row)
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def parse_bytes(source_file: str, data: bytes) -> FileResult:
    """Decode and parse a file's bytes. Never raises on content."""
    result = FileResult(source_file, hashlib.sha256(data).hexdigest(), len(data), QUARANTINED)
    try:
        decoded = decode_text(data)
    except Undecodable as exc:
        result.reason, result.reason_line = exc.reason, exc.line
        return result
    except Exception as exc:  # noqa: BLE001 - a decoder bug must not crash the run either
        result.reason = f"decoding error: {type(exc).__name__}: {exc}"
        return result
    result.encoding = decoded.encoding
    try:
        document = Document.from_text(source_file, decoded.text)
        result.text_sha256 = content_fingerprint(document)
        parsed = parse_document(document)
        screen_reports(parsed, document, decoded)
    except Exception as exc:  # noqa: BLE001 - never let content crash the run
        result.reason = f"parser error: {type(exc).__name__}: {exc}"
        return result
    result.families, result.reports, result.rejections = parsed.families, parsed.reports, parsed.rejections
    if parsed.reports:
        result.status = PARSED
    elif parsed.rejections:
        first = parsed.rejections[0]
        more = len(parsed.rejections) - 1
        result.reason = f"no report could be parsed: {first.reason}" + (
            f" (and {more} more rejected report{'s' * (more > 1)}: see the rejections table)" if more else ""
        )
        result.reason_line = first.reason_line or first.source_line
    else:
        result.reason, result.reason_line = unknown_family_reason(document, decoded)
    return result


def screen_reports(parsed: DocumentParse, document: Document, decoded: DecodedText) -> None:
    """Move reports that cannot be trusted to the rejections: those whose segment
    holds damaged bytes, and those with a fact the warehouse cannot store.

    What decoding noticed lands where the analyst will look: in the reason of
    the rejected report whose segment holds the line, else as a parse note of
    the kept report whose segment holds it (or the nearest one before it).
    """
    segments = parsed.segments or split_segments(document)
    kept: list[ProjectReport] = []
    rejections = list(parsed.rejections)
    for report in parsed.reports:
        segment = _segment_of(_line_or_one(report), segments)
        try:
            fit_report(report, len(document.rows))
        except UnfitReport as exc:
            family = segment.family if segment else (parsed.families[0] if parsed.families else "unknown")
            start = segment.first_line if segment else _line_or_one(report)
            rejections.append(Rejection(family, start, f"cannot be stored: {exc.reason}", exc.line))
            continue
        kept.append(report)
    by_start = {r.source_line: r for r in rejections}
    for note in decoded.notes:
        segment = _segment_of(note.line, segments)
        rejection = by_start.get(segment.first_line) if segment else None
        if rejection is not None:
            _blame_rejection(rejection, note)
        elif note.code == DAMAGED and segment is not None:
            report = next(r for r in kept if _segment_of(_line_or_one(r), segments) is segment)
            kept.remove(report)
            reason = f"damaged text at line {note.line}: {note.message}"
            rejection = Rejection(segment.family, segment.first_line, reason, note.line)
            rejections.append(rejection)
            by_start[segment.first_line] = rejection
        elif note.code != DAMAGED and kept:
            _nearest_report(note.line, kept, segments).notes.append(ParseNote(note.code, note.message, note.line))
    parsed.reports = kept
    parsed.rejections = sorted(rejections, key=lambda r: r.source_line)


def _blame_rejection(rejection: Rejection, note: DecodeNote) -> None:
    """A rejected report whose text was damaged or cut: say so first."""
    if note.code == DAMAGED and not rejection.reason.startswith("damaged text"):
        found = rejection.reason
        rejection.reason = f"damaged text at line {note.line}: {note.message} (the parser then found: {found})"
        rejection.reason_line = note.line
    elif note.code != DAMAGED:
        rejection.reason = f"{rejection.reason}; also: {note.message} (line {note.line})"


def _nearest_report(line: int, reports: list[ProjectReport], segments: list[Segment]) -> ProjectReport:
    """The report whose segment starts last at or before ``line`` (else the first)."""
    target = reports[0]
    for report in reports:
        segment = _segment_of(_line_or_one(report), segments)
        if segment and segment.first_line <= line:
            target = report
    return target


def _line_or_one(report: object) -> int:
    line = getattr(getattr(report, "project", None), "source_line", None)
    return line if isinstance(line, int) and not isinstance(line, bool) and line >= 1 else 1


def _segment_of(line: int, segments: list[Segment]) -> Segment | None:
    """The report segment holding a line (a report's project line, a note's line)."""
    for segment in segments:
        if segment.first_line <= line <= segment.last_line:
            return segment
    return None


def unknown_family_reason(document: Document, decoded: DecodedText) -> tuple[str, int | None]:
    """Why no report was found, with what the file starts with as a hint."""
    first = next((row for row in document.rows if not row.is_blank), None)
    if first is None:
        return "empty file (no text)", None
    opening = " ".join(first.values)
    opening = opening if len(opening) <= 40 else opening[:40] + "…"
    if re.match(r"\s*<(!doctype\s+html|html|\?xml)", decoded.text[:500].lstrip("\ufeff"), re.IGNORECASE):
        return f"unknown report family: a web page (HTML), not a report; no report title ({_TITLES}) found", first.line
    damage = decoded.damaged_lines
    hint = f"; the text is damaged from line {damage[0]}" if damage else ""
    reason = f"unknown report family: no report title ({_TITLES}) found; the file starts with “{opening}”{hint}"
    return reason, first.line


def parse_raw_file(raw: RawFile) -> FileResult:
    """Read and parse one discovered file (refused files are quarantined as they are)."""
    if raw.refusal is not None:
        return FileResult(raw.source_file, raw.sha256, raw.bytes, QUARANTINED, reason=raw.refusal)
    try:
        data = raw.path.read_bytes()
    except OSError as exc:
        reason = f"cannot read file: {exc.strerror or exc}"
        return FileResult(raw.source_file, None, raw.bytes, QUARANTINED, reason=reason)
    return parse_bytes(raw.source_file, data)


_T = TypeVar("_T")


def parse_stream(
    files: list[RawFile], workers: int = 1, task: Callable[[RawFile], _T] = parse_raw_file
) -> Iterator[_T]:
    """Parse files one after the other, in parallel processes when ``workers`` > 1,
    yielding each result in the order of ``files`` as soon as it is ready.

    ``task`` is what is done with each file (a module-level function, or a
    ``functools.partial`` of one, so that it reaches the worker processes):
    by default ``parse_raw_file``. If a worker process dies (killed, out of
    memory), the files not yet yielded are done in this process rather than
    failing the run.
    """
    if workers <= 1 or len(files) < 2:
        yield from map(task, files)
        return
    chunk = max(1, min(MAX_CHUNK, len(files) // (workers * 8)))
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker) as pool:
            for result in pool.map(task, files, chunksize=chunk):
                done += 1
                yield result
    except BrokenProcessPool:
        yield from map(task, files[done:])


def _start_worker() -> None:
    """Set up a parse worker process: garbage collection on, whatever the parent's state when
    it forked (parsing leaves reference cycles; the parent pauses collection while results
    stream in), with fewer young-generation collections (``WORKER_GC_THRESHOLD``)."""
    gc.enable()
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def parse_all(files: list[RawFile], workers: int = 1) -> list[FileResult]:
    """Every file parsed (see ``parse_stream``), in the order of ``files``."""
    return list(parse_stream(files, workers))


class DuplicateMarker:
    """Marks results, visited in file-name order, as ``duplicate`` of the first file
    with the same content, whatever the encoding, line ends or layout. A result is a
    ``FileResult`` or a ``pipeline.packed.PackedFile`` (the same file-level fields)."""

    def __init__(self) -> None:
        self.first_by_text: dict[str, str] = {}

    def mark(self, result: _T) -> _T:
        if result.status != PARSED or result.text_sha256 is None:
            return result
        original = self.first_by_text.setdefault(result.text_sha256, result.source_file)
        if original != result.source_file:
            result.status = DUPLICATE
            result.duplicate_of = original
            result.reason = f"same report as {original} (its projects are counted once, from that file)"
        return result


def mark_duplicates(results: list[FileResult]) -> list[FileResult]:
    """The second and later copies of the same report become ``duplicate`` of the first (by file name)."""
    marker = DuplicateMarker()
    for result in sorted(results, key=lambda r: r.source_file):
        marker.mark(result)
    return results


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
