"""Incremental builds: the previous build's tables, patched for the files that changed.

A published build keeps its tables as an Arrow snapshot and its ``build_state.json``
(every file's hash and outcome). When the next run finds only a few files
added, changed or removed, only those are parsed, their rows are cut out of the
previous tables and the new rows spliced in at the place a full build would put
them (every table is ordered by source file): the result is the same tables a
full build gives, in the same order.

A full build is needed instead (``plan_delta`` or ``patch_tables`` says None)
when the code or the manifest changed, when many files changed, or when a
touched file shares content with an untouched one (duplicates are decided across
files) or a project key with one (project ids are decided across files).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.build_state import STATS_ONLY, BuildState, code_fingerprint, manifest_digest
from pipeline.ingest import DUPLICATE, PARSED, FileResult
from pipeline.snapshot import SortedNames, read_snapshot
from pipeline.sources import ManifestEntry, RawFile
from pipeline.tables import PROJECT_KEY_FIELDS

#: Above this share of touched files a full build is about as fast, and simpler.
MAX_TOUCHED_SHARE = 0.25


@dataclass
class PreviousBuild:
    folder: Path
    state: BuildState
    tables: dict[str, pa.Table]  # memory-mapped snapshot of every table


@dataclass
class Delta:
    changed: list[RawFile]  # new or modified files (and files never hashed: they are re-inspected)
    removed: list[str]  # files of the previous build that are gone

    @property
    def touched(self) -> list[str]:
        """Every file whose rows are replaced, sorted."""
        return sorted({*(f.source_file for f in self.changed), *self.removed})


def previous_build(folder: Path, state: BuildState) -> PreviousBuild | None:
    """The published build a run can patch: made by this code, with its snapshot."""
    if state.code != code_fingerprint() or any(f.status == STATS_ONLY for f in state.files.values()):
        return None
    tables = read_snapshot(folder)
    return PreviousBuild(folder, state, tables) if tables is not None else None


# --- what changed ------------------------------------------------------------


def _texts_of(state: BuildState, names) -> Counter:
    """How many of the files ``names`` (parsed or duplicate) hold each content fingerprint."""
    files = [state.files[name] for name in names]
    return Counter(f.text_sha256 for f in files if f.status in (PARSED, DUPLICATE) and f.text_sha256)


def plan_delta(files: list[RawFile], manifest: dict[str, ManifestEntry], previous: PreviousBuild) -> Delta | None:
    """The files to parse and the files to drop, or None when a full build is needed."""
    state = previous.state
    if state.manifest != manifest_digest(manifest):
        return None
    names = {f.source_file for f in files}
    changed = [
        f for f in files
        if f.sha256 is None or f.source_file not in state.files or state.files[f.source_file].sha256 != f.sha256
    ]
    removed = sorted(set(state.files) - names)
    delta = Delta(changed, removed)
    touched = delta.touched
    if len(touched) > MAX_TOUCHED_SHARE * max(len(files), 1):
        return None
    # A touched file whose old content had a copy: which copy is the original may change.
    shared = _texts_of(state, state.files)
    if any(shared[text] > 1 for text in _texts_of(state, [n for n in touched if n in state.files])):
        return None
    return delta


def _projects_kept_and_dropped(previous: PreviousBuild, touched: list[str]) -> tuple[pa.Table, pa.Table]:
    """The previous build's projects of untouched files, and those of touched files."""
    projects = previous.tables["projects"]
    kept = pc.invert(pc.is_in(projects.column("source_file"), value_set=pa.array(touched, pa.string())))
    return projects.filter(kept), projects.filter(pc.invert(kept))


def _project_keys(projects: pa.Table) -> set[str]:
    """Each project's key (``tables.project_key``), column-wise: equal keys mean equal plain ids."""
    parts = []
    for name in PROJECT_KEY_FIELDS:
        column = projects.column(name)
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        parts.append(pc.fill_null(column.cast(pa.string()), ""))
    return set(pc.binary_join_element_wise(*parts, "|").to_pylist())


def independent_of_untouched(previous: PreviousBuild, delta: Delta, results: list[FileResult],
                             partial: dict[str, pa.Table]) -> bool:
    """True when the untouched files neither share content (duplicates) nor a project key
    (id collisions) with the touched files, old or new: then patching equals rebuilding."""
    state, touched = previous.state, set(delta.touched)
    untouched_texts = _texts_of(state, [n for n in state.files if n not in touched])
    if any(r.text_sha256 in untouched_texts for r in results if r.status in (PARSED, DUPLICATE)):
        return False
    kept, dropped = _projects_kept_and_dropped(previous, sorted(touched))
    touched_keys = _project_keys(dropped) | _project_keys(partial["projects"])
    return not (touched_keys & _project_keys(kept))


def touched_years(previous: PreviousBuild, delta: Delta, partial: dict[str, pa.Table]) -> set[int]:
    """The fiscal years of the touched files' reports, before and after."""
    _, dropped = _projects_kept_and_dropped(previous, delta.touched)
    years = {*dropped.column("fiscal_year").to_pylist(), *partial["projects"].column("fiscal_year").to_pylist()}
    return {year for year in years if year is not None}


# --- splicing ----------------------------------------------------------------


def _file_bounds(sources: pa.ChunkedArray, name: str) -> tuple[int, int]:
    """First and end row of ``name`` in a column sorted by file name (binary search)."""
    view = SortedNames(sources)
    return bisect_left(view, name), bisect_right(view, name)


def splice(old: pa.Table, new: pa.Table, touched: list[str]) -> pa.Table:
    """``old`` without the rows of ``touched`` files, with ``new`` (rows of those files)
    in their place; both are ordered by source_file, and so is the result. Zero-copy."""
    old_sources, new_sources = old.column("source_file"), new.column("source_file")
    pieces, at = [], 0
    for name in touched:
        start, end = _file_bounds(old_sources, name)
        new_start, new_end = _file_bounds(new_sources, name)
        pieces += [old.slice(at, start - at), new.slice(new_start, new_end - new_start)]
        at = end
    pieces.append(old.slice(at))
    return pa.concat_tables([p for p in pieces if p.num_rows] or [old.schema.empty_table()])


def patch_tables(previous: PreviousBuild, delta: Delta, partial: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Every table but quality_findings: the previous rows with the touched files' rows replaced."""
    touched = delta.touched
    return {name: splice(previous.tables[name], table, touched) for name, table in partial.items()}
