"""Finding and reading the raw report files under ``data/raw/`` and the manifest.

Nothing here raises on content: every file found comes back as a ``RawFile``,
hashed, or with a ``refusal`` saying in plain words why it is not read (a link
out of ``data/raw/``, an oversized file, an odd name ...), so the caller can
quarantine it and go on. Decoding lives in ``pipeline.decoding``.
"""

from __future__ import annotations

import csv
import hashlib
import os
import unicodedata
from stat import S_ISLNK, S_ISREG
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.decoding import Undecodable, decode  # noqa: F401  (re-exported)

MANIFEST_NAME = "manifest.csv"
#: Files in data/raw/ that are not reports (operating-system and git clutter).
IGNORED_NAMES = {MANIFEST_NAME, "README.md", ".gitkeep", ".DS_Store", "Thumbs.db", "desktop.ini"}
#: Larger files are refused rather than read (a report is a few hundred KB at most).
MAX_BYTES = 20 * 1024 * 1024
MAX_MANIFEST_BYTES = 5 * 1024 * 1024
_RAW = "data/raw/"


#: (size, mtime_ns, ctime_ns, inode) of a file: any write changes one of them.
FileStat = tuple[int, int, int, int]


def file_stat(stat: os.stat_result) -> FileStat:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


@dataclass(frozen=True)
class RawFile:
    """A raw file found under ``data/raw/``: where it is and what its bytes are."""

    source_file: str  # path relative to the raw folder, with forward slashes
    path: Path
    bytes: int
    sha256: str | None  # None when the file could not be read
    refusal: str | None = None  # why the file is not read at all
    stat: FileStat | None = field(default=None, compare=False)  # what the hash was taken of
    is_link: bool = field(default=False, compare=False)

    def __reduce__(self) -> tuple:
        # its field values, the path as text: pickled by default (the dataclass's state dict and
        # the path's parts) a raw folder's 36,479 files took 0.66 s to load, as a Dagster step does
        return _raw_file, (self.source_file, os.fspath(self.path), self.bytes, self.sha256, self.refusal,
                           self.stat, self.is_link)


def _raw_file(source_file: str, path: str, size: int, sha256: str | None, refusal: str | None,
              stat: FileStat | None, is_link: bool) -> RawFile:
    """A pickled ``RawFile`` back: its fields go straight into ``__dict__``, as the frozen
    ``__init__`` puts them (which costs several times as much)."""
    raw = object.__new__(RawFile)
    raw.__dict__.update(source_file=source_file, path=Path(path), bytes=size, sha256=sha256, refusal=refusal,
                        stat=stat, is_link=is_link)
    return raw


@dataclass(frozen=True)
class ManifestEntry:
    fiscal_year: int | None
    agency: str | None
    source_url: str | None


# --- discovery ---------------------------------------------------------------


def discover(raw_dir: Path, max_bytes: int = MAX_BYTES, known: dict[str, tuple[FileStat, str]] | None = None
             ) -> list[RawFile]:
    """Every file below ``raw_dir`` (recursively, sorted), hashed, or with a refusal.

    Folders behind links and hidden folders are not entered, but they are
    listed with a refusal, like unreadable folders: nothing is skipped silently.
    ``known`` maps names to the (stat, SHA-256) a previous run saw: a file whose
    size, mtime, ctime and inode are all unchanged keeps its hash without being read.
    """
    raw_dir = raw_dir.resolve()
    found: list[RawFile] = []

    def unreadable(exc: OSError) -> None:
        if exc.filename and Path(exc.filename) != raw_dir:
            found.append(_refused(raw_dir, Path(exc.filename), f"cannot read folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(raw_dir, onerror=unreadable, followlinks=False):
        here = Path(dirpath)
        folder = os.path.relpath(dirpath, raw_dir)
        prefix = "" if folder == "." else folder.replace(os.sep, "/") + "/"  # one relative path per folder, not per file
        entered = []
        for name in sorted(dirnames):
            refusal = _folder_refusal(raw_dir, here / name)
            if refusal:
                found.append(_refused(raw_dir, here / name, refusal))
            else:
                entered.append(name)
        dirnames[:] = entered
        for name in sorted(filenames):
            if name not in IGNORED_NAMES:
                found.append(inspect(raw_dir, here / name, max_bytes, known, prefix + name))
    return _unique_names(sorted(found, key=lambda f: f.source_file))


def _folder_refusal(raw_dir: Path, path: Path) -> str | None:
    if path.is_symlink():
        target = _resolved(path)
        if target is None or not target.is_relative_to(raw_dir):
            return "link points outside data/raw/: copy the folder into data/raw/ instead"
        return "link to a folder: folders behind links are not read (move the folder into data/raw/)"
    if path.name.startswith("."):
        return "hidden folder (name starts with '.'), not read"
    return None


def inspect(raw_dir: Path, path: Path, max_bytes: int = MAX_BYTES,
            known: dict[str, tuple[FileStat, str]] | None = None, relative: str | None = None) -> RawFile:
    """Size and hash one file, or refuse it with a reason (odd name, link out of
    data/raw/, not a regular file, oversized, unreadable); a file ``known`` with
    the same stat keeps its known hash. ``relative``: the path below ``raw_dir``
    (POSIX), when the caller knows it."""
    relative = relative if relative is not None else path.relative_to(raw_dir).as_posix()
    rel = shown_name(relative)
    problem = name_problem(relative)
    if problem:
        return RawFile(rel, path, 0, None, problem)
    if path.name.startswith("."):
        return RawFile(rel, path, 0, None, "hidden file (name starts with '.'), not read")
    try:
        own = path.lstat()
        resolved = path  # found by os.walk, which never enters linked folders: only a link moves it
        is_link = S_ISLNK(own.st_mode)
        if is_link:
            resolved = _resolved(path)
            if resolved is None:
                return RawFile(rel, path, 0, None, "link loop: the link points back to itself")
            if not resolved.exists():
                return RawFile(rel, path, 0, None, "broken link: its target does not exist")
            if not resolved.is_relative_to(raw_dir):
                return RawFile(rel, path, 0, None, "link points outside data/raw/: copy the file into data/raw/ instead")
            own = resolved.stat()
        if not S_ISREG(own.st_mode):
            return RawFile(rel, path, 0, None, "not a regular file (a device, pipe or socket)")
        stat = file_stat(own)
        size = stat[0]
        if size > max_bytes:
            limit = f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes} bytes"
            return RawFile(rel, path, size, None, f"file too large ({size:,} bytes; the limit is {limit}), not read")
        seen = (known or {}).get(rel)
        if seen is not None and tuple(seen[0]) == stat:
            return RawFile(rel, path, size, seen[1], stat=stat, is_link=is_link)
        data = resolved.read_bytes()
        if len(data) != size:  # written while we looked: a later run will see the new stat
            stat = None
        return RawFile(rel, path, len(data), hashlib.sha256(data).hexdigest(), stat=stat, is_link=is_link)
    except OSError as exc:
        return RawFile(rel, path, 0, None, f"cannot read file: {exc.strerror or exc}")


def _resolved(path: Path) -> Path | None:
    """Where a path really points (None for a link loop)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return None


def _refused(raw_dir: Path, path: Path, refusal: str) -> RawFile:
    return RawFile(relative_name(raw_dir, path), path, 0, None, refusal)


def relative_name(raw_dir: Path, path: Path) -> str:
    """The path relative to data/raw/ as it is shown and stored: NFC text, with
    bytes that are not UTF-8 and control characters escaped (``\\xb1``)."""
    return shown_name(path.relative_to(raw_dir).as_posix())


def shown_name(rel: str) -> str:
    """A relative path (POSIX) as it is shown and stored (see ``relative_name``)."""
    if rel.isascii() and rel.isprintable():
        return rel  # the common case: nothing to escape or normalize
    raw = os.fsencode(rel).decode("utf-8", errors="backslashreplace")
    shown = "".join(_escape(ch) if unicodedata.category(ch) in ("Cc", "Cf", "Cs") else ch for ch in raw)
    return unicodedata.normalize("NFC", shown)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def name_problem(rel: str) -> str | None:
    """Why a file name is refused: it must be UTF-8 text without control characters."""
    if rel.isascii() and rel.isprintable():
        return None
    try:
        os.fsencode(rel).decode("utf-8")
    except UnicodeDecodeError:
        return "odd file name: not valid UTF-8 text (rename the file)"
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in rel):
        return "odd file name: contains control or invisible characters (rename the file)"
    return None


def _unique_names(files: list[RawFile]) -> list[RawFile]:
    """Two names that differ only in Unicode form (or escaping) would share a key."""
    seen: set[str] = set()
    out = []
    for f in files:
        if f.source_file in seen:
            f = replace(
                f,
                source_file=f"{f.source_file} ({os.fsencode(str(f.path)).hex()[-12:]})",
                sha256=None,
                refusal="odd file name: another file has the same name in a different Unicode form (rename one)",
            )
        seen.add(f.source_file)
        out.append(f)
    return out


# --- manifest ----------------------------------------------------------------


def read_manifest(raw_dir: Path, files: list[RawFile] | None = None) -> tuple[dict[str, ManifestEntry], list[str]]:
    """The manifest's entries by relative path, and problems found in it.

    Every problem is a sentence naming the manifest line; entries naming paths
    outside data/raw/ are refused. Nothing raises. ``files`` (from ``discover``)
    spares looking up again each listed path that names one of them plainly.
    """
    path = raw_dir / MANIFEST_NAME
    if not path.exists() and not path.is_symlink():
        return {}, []
    root = raw_dir.resolve()
    text, problem = _manifest_text(root, path)
    if problem:
        return {}, [f"{MANIFEST_NAME}: {problem}; the manifest is ignored"]
    entries: dict[str, ManifestEntry] = {}
    first_line: dict[str, int] = {}
    problems: list[str] = []
    folders: dict[str, str] = {}
    plain = {f.source_file for f in files or [] if f.refusal is None and not f.is_link}
    try:
        reader = csv.DictReader(text.splitlines())
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        if "path" not in header:
            problem = f"no 'path' column in the header {reader.fieldnames!r}"
            return {}, [f"{MANIFEST_NAME}: {problem}; the manifest is ignored"]
        reader.fieldnames = header
        for row in reader:
            number = reader.line_num
            entry = _manifest_entry(root, row, number, problems, folders, plain)
            if entry is None:
                continue
            rel, value = entry
            if rel in entries:
                listed = f"{rel!r} is already listed on line {first_line[rel]}"
                problems.append(f"{MANIFEST_NAME} line {number}: {listed}; this line is ignored")
                continue
            entries[rel], first_line[rel] = value, number
    except csv.Error as exc:
        where = f"{MANIFEST_NAME} line {reader.line_num}"
        problems.append(f"{where}: not valid CSV ({exc}); the lines after it are ignored")
    return entries, problems


def _manifest_text(root: Path, path: Path) -> tuple[str, str | None]:
    """The manifest's text, or why it cannot be used."""
    try:
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            return "", "link points outside data/raw/, refused"
        if resolved.stat().st_size > MAX_MANIFEST_BYTES:
            return "", "file too large"
        text, _ = decode(resolved.read_bytes())
        return text.lstrip("\ufeff"), None
    except Undecodable as exc:
        return "", f"unreadable ({exc.reason})"
    except (OSError, RuntimeError) as exc:
        return "", f"unreadable ({getattr(exc, 'strerror', None) or exc})"


def _real_path(path: str, folders: dict[str, str]) -> str:
    """``os.path.realpath(path)``, resolving each folder once (``folders`` remembers them):
    a file that is not a link then costs one ``lstat``."""
    folder, name = os.path.split(path)
    if name in ("", ".", "..") or os.path.islink(path):
        return os.path.realpath(path)
    real_folder = folders.get(folder)
    if real_folder is None:
        real_folder = folders[folder] = os.path.realpath(folder)
    return os.path.join(real_folder, name)


def _manifest_entry(
    root: Path, row: dict, number: int, problems: list[str], folders: dict[str, str], plain: set[str]
) -> tuple[str, ManifestEntry] | None:
    """One manifest row as (relative path, entry), or None with a problem noted.

    Plain ``os.path`` string operations: a manifest lists every file of a corpus, and
    a path that plainly names a discovered file (``plain``) needs no lookup at all."""
    rel = _cell(row, "path")
    if not rel:
        problems.append(f"{MANIFEST_NAME} line {number}: no path, line ignored")
        return None
    if rel in plain and all(part not in ("", ".", "..") for part in rel.split("/")):
        return rel, _manifest_values(row, number, problems)
    if "\\" in rel and not (root / rel).exists():
        rel = rel.replace("\\", "/")  # written on Windows
    try:
        target = _real_path(os.path.join(root, rel), folders)
    except (RuntimeError, OSError, ValueError):
        problems.append(f"{MANIFEST_NAME} line {number}: path {rel!r} cannot be resolved (a link loop?), refused")
        return None
    prefix = os.path.join(root, "")
    if not target.startswith(prefix):
        problems.append(f"{MANIFEST_NAME} line {number}: path {rel!r} is outside {_RAW}, refused")
        return None
    key = unicodedata.normalize("NFC", Path(target[len(prefix):]).as_posix())
    if not os.path.isfile(target):
        problems.append(f"{MANIFEST_NAME} line {number}: no file {key!r} in {_RAW} (entry kept for when it arrives)")
    return key, _manifest_values(row, number, problems)


def _manifest_values(row: dict, number: int, problems: list[str]) -> ManifestEntry:
    year_text = _cell(row, "fiscal_year")
    year = _year(year_text)
    if year_text and year is None:
        problems.append(f"{MANIFEST_NAME} line {number}: fiscal_year {year_text!r} is not a year, ignored")
    return ManifestEntry(
        fiscal_year=year, agency=_cell(row, "agency") or None, source_url=_cell(row, "source_url") or None
    )


def _cell(row: dict, name: str) -> str:
    value = row.get(name)
    return value.strip() if isinstance(value, str) else ""


def _year(text: str) -> int | None:
    """A four-digit year (Excel may have written 2023.0)."""
    text = unicodedata.normalize("NFKC", text).removesuffix("年")
    if text.endswith(".0"):
        text = text[:-2]
    if len(text) == 4 and text.isascii() and text.isdigit() and 1949 <= int(text) <= 2100:
        return int(text)
    return None
