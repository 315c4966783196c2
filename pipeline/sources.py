"""Finding, reading and decoding the raw report files under ``data/raw/``.

Nothing here raises on content: a file that cannot be read or decoded comes
back with a reason, so the caller can quarantine it and go on.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = "manifest.csv"
#: Files in data/raw/ that are not reports.
IGNORED_NAMES = {MANIFEST_NAME, "README.md", ".gitkeep", ".DS_Store", "Thumbs.db"}
#: Larger files are refused rather than read (a report is a few hundred KB at most).
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class RawFile:
    """A raw file found under ``data/raw/``: where it is and what its bytes are."""

    source_file: str  # path relative to the raw folder, with forward slashes
    path: Path
    bytes: int
    sha256: str | None  # None when the file could not be read
    refusal: str | None = None  # why the file is not read at all


@dataclass(frozen=True)
class ManifestEntry:
    fiscal_year: int | None
    agency: str | None
    source_url: str | None


def discover(raw_dir: Path) -> list[RawFile]:
    """Every file below ``raw_dir`` (recursively, sorted), hashed, or with a refusal."""
    raw_dir = raw_dir.resolve()
    found = []
    for dirpath, dirnames, filenames in os.walk(raw_dir, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name in IGNORED_NAMES or name.startswith("."):
                continue
            path = Path(dirpath) / name
            found.append(inspect(raw_dir, path))
    return sorted(found, key=lambda f: f.source_file)


def inspect(raw_dir: Path, path: Path) -> RawFile:
    """Size and hash one file, refusing links out of the raw folder and oversized files."""
    rel = path.relative_to(raw_dir).as_posix()
    try:
        resolved = path.resolve()
        if not resolved.is_relative_to(raw_dir):
            return RawFile(rel, path, 0, None, "link points outside data/raw/")
        if not resolved.is_file():
            return RawFile(rel, path, 0, None, "not a regular file")
        size = resolved.stat().st_size
        if size > MAX_BYTES:
            return RawFile(rel, path, size, None, f"file too large ({size} bytes > {MAX_BYTES})")
        digest = hashlib.sha256(resolved.read_bytes()).hexdigest()
        return RawFile(rel, path, size, digest)
    except OSError as exc:
        return RawFile(rel, path, 0, None, f"cannot read file: {exc.strerror or exc}")


class Undecodable(Exception):
    """The bytes are not text in any encoding the reports use."""


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode(data: bytes) -> tuple[str, str]:
    """Decode report bytes; returns (text, encoding name) or raises Undecodable."""
    if not data.strip():
        raise Undecodable("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_as(data[len(bom):], encoding.replace("-sig", "")), encoding
    if _looks_utf16(data):
        encoding = "utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be"
        return _decode_as(data, encoding), encoding
    if b"\x00" in data:
        raise Undecodable("binary file (contains NUL bytes)")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible_text(text):
            return text, encoding
    raise Undecodable("not decodable as UTF-8, UTF-16 or GB18030 text")


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise Undecodable(f"invalid {encoding} text at byte {exc.start}") from exc
    if not _plausible_text(text):
        raise Undecodable(f"{encoding} decoding gives no readable text")
    return text


def _looks_utf16(data: bytes) -> bool:
    sample = data[:4096]
    if len(sample) < 4:
        return False
    zeros_even, zeros_odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) / 2
    return max(zeros_even, zeros_odd) > 0.3 * half and min(zeros_even, zeros_odd) < 0.05 * half


def _plausible_text(text: str) -> bool:
    """Reject decodings that are mostly control characters or private-use glyphs."""
    if not text:
        return False
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\r\n\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad <= max(2, len(text) // 100)


def read_manifest(raw_dir: Path) -> tuple[dict[str, ManifestEntry], list[str]]:
    """The manifest's entries by relative path, and refusals for bad entries."""
    path = raw_dir / MANIFEST_NAME
    if not path.exists():
        return {}, []
    entries: dict[str, ManifestEntry] = {}
    problems: list[str] = []
    try:
        text, _ = decode(path.read_bytes())
    except (OSError, Undecodable) as exc:
        return {}, [f"{MANIFEST_NAME}: unreadable ({exc})"]
    root = raw_dir.resolve()
    for number, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        rel = (row.get("path") or "").strip()
        if not rel:
            problems.append(f"{MANIFEST_NAME} line {number}: no path")
            continue
        target = (root / rel).resolve()
        if not target.is_relative_to(root):
            problems.append(f"{MANIFEST_NAME} line {number}: path {rel!r} is outside data/raw/, refused")
            continue
        year_text = (row.get("fiscal_year") or "").strip()
        year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
        if year_text and year is None:
            problems.append(f"{MANIFEST_NAME} line {number}: fiscal_year {year_text!r} is not a year, ignored")
        entries[target.relative_to(root).as_posix()] = ManifestEntry(
            fiscal_year=year,
            agency=(row.get("agency") or "").strip() or None,
            source_url=(row.get("source_url") or "").strip() or None,
        )
    return entries, problems
