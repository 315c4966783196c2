"""What a published build was made from: every raw file's hash and outcome, the
manifest and the code, stored beside the build as ``build_state.json``.

The next build reads it to skip rehashing unchanged files (their stat is the
same) and to patch the previous tables for the files that changed instead of
rebuilding everything (``pipeline.incremental``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.memory import collections_paused
from pipeline.sources import FileStat, ManifestEntry

STATE_NAME = "build_state.json"
FORMAT = 1
#: The status of files in a state that records only stats and hashes (no parse outcome).
STATS_ONLY = "stats_only"


@dataclass(frozen=True)
class FileState:
    """One raw file as the build saw it."""

    sha256: str | None
    text_sha256: str | None  # content fingerprint: duplicates are found by it
    status: str
    stat: FileStat | None

    def __reduce__(self) -> tuple:
        # its field values (one constructor call), not an empty object and its state dict
        return FileState, (self.sha256, self.text_sha256, self.status, self.stat)


@dataclass
class BuildState:
    code: str  # fingerprint of the code that built the tables
    manifest: str  # digest of data/raw/manifest.csv as read
    raw_dir: str  # the raw folder the stats were taken in
    files: dict[str, FileState]

    def known_stats(self, raw_dir: Path) -> dict[str, tuple[FileStat, str]]:
        """(stat, SHA-256) of every file hashed in ``raw_dir`` by this build, for ``discover``."""
        if self.raw_dir != str(raw_dir.resolve()):
            return {}
        return {name: (f.stat, f.sha256) for name, f in self.files.items() if f.stat and f.sha256}


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of every module of the pipeline package, its SQL and the expectation suites:
    a previous build is only patched by the very code that made it."""
    root = Path(__file__).parent
    paths = sorted([*root.rglob("*.py"), *root.rglob("*.sql"), *(root.parent / "expectations").glob("*.json")])
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(root.parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def manifest_digest(manifest: dict[str, ManifestEntry]) -> str:
    rows = sorted((name, entry.fiscal_year, entry.agency, entry.source_url) for name, entry in manifest.items())
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def write_state(state: BuildState, folder: Path) -> Path:
    path = folder / STATE_NAME
    doc = {
        "format": FORMAT,
        "code": state.code,
        "manifest": state.manifest,
        "raw_dir": state.raw_dir,
        "files": {name: [f.sha256, f.text_sha256, f.status, f.stat] for name, f in state.files.items()},
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path


def read_state(folder: Path | None) -> BuildState | None:
    """The state stored in a build folder; None when there is none or it is unreadable."""
    if folder is None:
        return None
    try:
        with collections_paused():  # a record per raw file: no cycles, and collections cost 2-3x the reading
            doc = json.loads((folder / STATE_NAME).read_text(encoding="utf-8"))
            if doc.get("format") != FORMAT:
                return None
            files = {
                name: FileState(sha, text, status, tuple(stat) if stat else None)
                for name, (sha, text, status, stat) in doc["files"].items()
            }
        return BuildState(doc["code"], doc["manifest"], doc["raw_dir"], files)
    except (OSError, ValueError, KeyError, TypeError):
        return None
