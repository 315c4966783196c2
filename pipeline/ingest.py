"""From one raw file to its parsed reports, or a quarantine reason.

``parse_file`` is a pure function of the file's bytes (plus its relative path),
so its result can be cached by content hash and computed in parallel.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from pipeline.document import Document
from pipeline.families import Rejection, parse_document
from pipeline.records import ProjectReport
from pipeline.sources import RawFile, Undecodable, decode

PARSED = "parsed"
QUARANTINED = "quarantined"
DUPLICATE = "duplicate"


@dataclass
class FileResult:
    """What one raw file gave: reports and rejections, or why it was quarantined."""

    source_file: str
    sha256: str | None
    bytes: int
    status: str
    encoding: str | None = None
    text_sha256: str | None = None  # hash of the normalized text: finds re-encoded copies
    families: list[str] = field(default_factory=list)
    reports: list[ProjectReport] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    reason: str | None = None
    reason_line: int | None = None
    duplicate_of: str | None = None


def normalized_text_hash(text: str) -> str:
    """Hash of the text with line endings, BOMs and Unicode forms folded."""
    folded = unicodedata.normalize("NFC", text.replace("\ufeff", ""))
    folded = "\n".join(line.rstrip() for line in folded.splitlines()).strip()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def parse_bytes(source_file: str, data: bytes) -> FileResult:
    """Decode and parse a file's bytes. Never raises on content."""
    digest = hashlib.sha256(data).hexdigest()
    result = FileResult(source_file=source_file, sha256=digest, bytes=len(data), status=QUARANTINED)
    try:
        text, encoding = decode(data)
    except Undecodable as exc:
        result.reason = str(exc)
        return result
    result.encoding = encoding
    result.text_sha256 = normalized_text_hash(text)
    try:
        parsed = parse_document(Document.from_text(source_file, text))
    except Exception as exc:  # noqa: BLE001 - never let content crash the run
        result.reason = f"parser error: {type(exc).__name__}: {exc}"
        return result
    result.families = parsed.families
    result.reports = parsed.reports
    result.rejections = parsed.rejections
    if parsed.reports:
        result.status = PARSED
    elif parsed.rejections:
        first = parsed.rejections[0]
        result.reason = f"no report could be parsed: {first.reason}"
        result.reason_line = first.reason_line or first.source_line
    else:
        result.reason = "unknown report family: no report title (绩效自评表 / 项目绩效自我评价 / 绩效目标表) found"
    return result


def parse_raw_file(raw: RawFile) -> FileResult:
    """Read and parse one discovered file (refused files are quarantined as they are)."""
    if raw.refusal is not None:
        return FileResult(raw.source_file, raw.sha256, raw.bytes, QUARANTINED, reason=raw.refusal)
    try:
        data = raw.path.read_bytes()
    except OSError as exc:
        return FileResult(raw.source_file, None, raw.bytes, QUARANTINED, reason=f"cannot read file: {exc}")
    return parse_bytes(raw.source_file, data)


def parse_all(files: list[RawFile], workers: int = 1) -> list[FileResult]:
    """Parse files, in parallel processes when ``workers`` > 1; order is preserved."""
    if workers <= 1 or len(files) < 2:
        return [parse_raw_file(f) for f in files]
    chunk = max(1, len(files) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(parse_raw_file, files, chunksize=chunk))


def mark_duplicates(results: list[FileResult]) -> list[FileResult]:
    """The second and later copies of the same text become ``duplicate`` of the first."""
    first_by_text: dict[str, str] = {}
    for result in sorted(results, key=lambda r: r.source_file):
        if result.status != PARSED or result.text_sha256 is None:
            continue
        original = first_by_text.setdefault(result.text_sha256, result.source_file)
        if original != result.source_file:
            result.status = DUPLICATE
            result.duplicate_of = original
            result.reason = f"same report as {original}"
    return results


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)

