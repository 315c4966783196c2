"""A deterministic synthetic corpus: N project reports in files, plus their ground truth.

``plan`` decides, from the seed alone, how many files there are and which
family and how many reports each holds; ``generate_file`` rebuilds any single
file (text and truth) from (seed, plan entry) without touching the others, so
the benchmark can regenerate the truth of a sample instead of storing it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.records import ProjectReport
from pipeline.synthetic import compose, current, legacy, pools, target
from pipeline.synthetic.layout import FORMS, PIPE, TAB, TEXT, render

MODULES = {current.FAMILY: current, legacy.FAMILY: legacy, target.FAMILY: target}
FAMILY_SHARE = ((current.FAMILY, 0.5), (legacy.FAMILY, 0.25), (target.FAMILY, 0.25))
REPORTS_PER_FILE = {current.FAMILY: (1, 6), legacy.FAMILY: (1, 3), target.FAMILY: (1, 3)}
FORM_SHARE = {
    current.FAMILY: ((TAB, 0.6), (PIPE, 0.2), (TEXT, 0.2)),
    legacy.FAMILY: ((TAB, 0.4), (PIPE, 0.4), (TEXT, 0.2)),
    target.FAMILY: ((TEXT, 0.7), (TAB, 0.15), (PIPE, 0.15)),
}
YEARS = {current.FAMILY: (2021, 2024), legacy.FAMILY: (2016, 2020), target.FAMILY: (2018, 2021)}
FILES_PER_FOLDER = 1000
MARKER = "corpus.json"


@dataclass(frozen=True)
class FilePlan:
    index: int
    family: str
    reports: int

    @property
    def source_file(self) -> str:
        return f"{self.index // FILES_PER_FOLDER:04d}/{self.index:07d}.txt"


@dataclass
class GeneratedFile:
    """One file's bytes, its manifest row and the truth of every report in it (in order)."""

    plan: FilePlan
    form: str
    text: str  # before encoding (utf-8, gb18030, BOM or CRLF variants of it are in ``data``)
    data: bytes
    manifest: dict[str, str]
    reports: list[ProjectReport] = field(default_factory=list)
    quirks: list[set[str]] = field(default_factory=list)

    @property
    def source_file(self) -> str:
        return self.plan.source_file


def _weighted(rng: random.Random, options) -> str:
    roll, acc = rng.random(), 0.0
    for value, share in options:
        acc += share
        if roll < acc:
            return value
    return options[-1][0]


def plan(n: int, seed: int) -> list[FilePlan]:
    """The files of a corpus of ``n`` reports: family and report count of each."""
    rng = random.Random(f"plan:{seed}")
    out: list[FilePlan] = []
    remaining = n
    while remaining > 0:
        family = _weighted(rng, FAMILY_SHARE)
        low, high = REPORTS_PER_FILE[family]
        count = min(remaining, rng.randint(low, high))
        out.append(FilePlan(len(out), family, count))
        remaining -= count
    return out


def generate_file(seed: int, entry: FilePlan) -> GeneratedFile:
    """Text and truth of one planned file, a pure function of (seed, entry)."""
    rng = random.Random(f"file:{seed}:{entry.index}")
    module = MODULES[entry.family]
    form = _weighted(rng, FORM_SHARE[entry.family])
    low, high = YEARS[entry.family]
    year = rng.randint(low, high)
    agency = _agency(rng)
    year_in_title = entry.family == target.FAMILY or (entry.family == current.FAMILY and rng.random() < 0.6)
    style = compose.FileStyle(entry.family, form, year, agency, compose.unit_name(rng, agency), year_in_title)
    style.variant = module.file_variant(rng, form)
    used: set[str] = set()
    drafts = [module.generate(rng, style, used) for _ in range(entry.reports)]
    lines = [line for d in drafts for line in d.lines]
    physical, where = render(lines, form)
    offset = 0
    for draft in drafts:
        for record, index in draft.anchors:
            record.source_line = where[offset + index]
        offset += len(draft.lines)
    text = "\n".join(physical) + "\n"
    data = _encode(rng, text)
    year_derivable = year_in_title or entry.family == legacy.FAMILY  # printed, or 自评时间 - 1
    manifest = {"path": entry.source_file, "fiscal_year": "" if year_derivable and rng.random() < 0.05 else str(year),
                "agency": agency, "source_url": ""}
    return GeneratedFile(entry, form, text, data, manifest, [d.report for d in drafts], [d.quirks for d in drafts])


def _agency(rng: random.Random) -> str:
    """A municipal agency (a third of files) or a district one: a few hundred agencies in all."""
    if rng.random() < 0.33:
        return rng.choice(pools.AGENCIES)
    return f"上海市{rng.choice(pools.DISTRICTS)}{rng.choice(pools.DISTRICT_BUREAUS)}"


def _encode(rng: random.Random, text: str) -> bytes:
    roll = rng.random()
    if roll < 0.03:
        return text.encode("gb18030")
    if roll < 0.05:
        return "\ufeff".encode() + text.encode("utf-8")
    if roll < 0.08:
        return text.replace("\n", "\r\n").encode("utf-8")
    return text.encode("utf-8")


@lru_cache(maxsize=1)
def generator_version() -> str:
    """Hash of the generator's source: a corpus made by other code is not reused."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        if path.name == "truth.py":  # comparing is not generating
            continue
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class Corpus:
    folder: Path
    n: int
    seed: int
    files: int
    indicators: int
    bytes: int
    seconds: float
    reused: bool

    @property
    def raw_dir(self) -> Path:
        return self.folder / "raw"


def _write_chunk(args: tuple[int, list[FilePlan], str]) -> tuple[int, int, list[dict]]:
    seed, entries, raw_dir = args
    indicators = size = 0
    rows = []
    for entry in entries:
        generated = generate_file(seed, entry)
        path = Path(raw_dir) / entry.source_file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(generated.data)
        size += len(generated.data)
        indicators += sum(len(r.indicators) for r in generated.reports)
        rows.append(generated.manifest)
    return indicators, size, rows


def build_corpus(root: Path, n: int, seed: int, workers: int = 2) -> Corpus:
    """The corpus under ``root/corpus-<n>-<seed>/``, reused when the same generator made it."""
    folder = root / f"corpus-{n}-{seed}"
    marker = folder / MARKER
    if marker.exists():
        meta = json.loads(marker.read_text())
        if meta.get("generator") == generator_version():
            return Corpus(folder, n, seed, meta["files"], meta["indicators"], meta["bytes"], meta["seconds"], True)
    started = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)
    raw_dir = folder / "raw"
    raw_dir.mkdir(parents=True)
    entries = plan(n, seed)
    chunks = [(seed, entries[i:i + 200], str(raw_dir)) for i in range(0, len(entries), 200)]
    if workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_write_chunk, chunks))
    else:
        results = [_write_chunk(c) for c in chunks]
    rows = [r for _, _, chunk_rows in results for r in chunk_rows]
    _write_manifest(raw_dir, rows)
    meta = {"generator": generator_version(), "n": n, "seed": seed, "files": len(entries),
            "indicators": sum(r[0] for r in results), "bytes": sum(r[1] for r in results),
            "seconds": round(time.perf_counter() - started, 3)}
    marker.write_text(json.dumps(meta, indent=2))
    return Corpus(folder, n, seed, meta["files"], meta["indicators"], meta["bytes"], meta["seconds"], False)


def _write_manifest(raw_dir: Path, rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["path", "fiscal_year", "agency", "source_url"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    tmp = raw_dir / ".manifest.csv.tmp"
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    os.replace(tmp, raw_dir / "manifest.csv")


def sample(entries: list[FilePlan], limit: int | None, seed: int) -> list[FilePlan]:
    """All entries, or an evenly spread deterministic sample of ``limit`` of them."""
    if limit is None or len(entries) <= limit:
        return entries
    rng = random.Random(f"sample:{seed}")
    return sorted(rng.sample(entries, limit), key=lambda e: e.index)


__all__ = ["FORMS", "Corpus", "FilePlan", "GeneratedFile", "build_corpus", "generate_file", "plan", "sample"]
