"""Property-based fuzzing: mutated seed reports never break a run, nothing is lost.

Every generated input - seed reports with lines dropped, duplicated, swapped
or truncated, cells shifted or blanked, numbers garbled, random bytes spliced
in, re-encoded - must give either valid facts (records with their required
fields, numbers of the right types, lines inside the file) or a
quarantine/rejection reason, and every report segment must end up as a
report or a rejection. Deterministic (``derandomize=True``); about 1,400
generated inputs in all.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from dataclasses import fields
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.decoding import Undecodable, decode_text  # noqa: E402
from pipeline.document import Document  # noqa: E402
from pipeline.families import split_segments  # noqa: E402
from pipeline.ingest import DUPLICATE, PARSED, QUARANTINED, FileResult, parse_bytes  # noqa: E402
from pipeline.records import FUND_SOURCES  # noqa: E402
from pipeline.tables import build_tables  # noqa: E402
from pipeline.vocabulary import REPORT_PERFORMANCE_TARGET, REPORT_SELF_EVALUATION  # noqa: E402
from tests.runs import SEED_FILES, SEED_PREFIXES, copy_seeds, run_folder, seed_text  # noqa: E402

SEEDS = [seed_text(prefix) for prefix in SEED_PREFIXES]
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- mutations ---------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_GARBLED_NUMBERS = ["9" * 40, "0.000000000001", "-5", "1e309", "１２３", "NaN", "3.14159265358979", "", "-", "∞"]


def drop_lines(lines, rng):
    i = rng.randrange(len(lines))
    del lines[i : i + rng.randint(1, 8)]


def duplicate_lines(lines, rng):
    i = rng.randrange(len(lines))
    lines[i:i] = lines[i : i + rng.randint(1, 12)]


def swap_lines(lines, rng):
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]


def truncate_lines(lines, rng):
    del lines[rng.randrange(1, len(lines)) :]


def cut_a_line(lines, rng):
    i = rng.randrange(len(lines))
    lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]


def shift_cells(lines, rng):
    """A run of rows gains (or loses) leading cells: columns shifted."""
    i = rng.randrange(len(lines))
    for k in range(i, min(len(lines), i + rng.randint(1, 6))):
        if rng.random() < 0.5:
            lines[k] = "\t" * rng.randint(1, 3) + lines[k]
        else:
            lines[k] = lines[k].split("\t", 1)[-1]


def blank_cells(lines, rng):
    i = rng.randrange(len(lines))
    cells = lines[i].split("\t")
    cells[rng.randrange(len(cells))] = ""
    lines[i] = "\t".join(cells)


def garble_numbers(lines, rng):
    i = rng.randrange(len(lines))
    lines[i] = _NUMBER.sub(lambda m: rng.choice(_GARBLED_NUMBERS) if rng.random() < 0.5 else m.group(), lines[i])


def insert_text(lines, rng, text):
    lines.insert(rng.randrange(len(lines) + 1), text)


def splice_title(lines, rng):
    """A report title where it does not belong (two reports run together)."""
    title = rng.choice(["财政项目支出绩效自评表", "项目绩效自我评价", "财政项目支出绩效目标表", "# 财政项目支出绩效自评表"])
    lines.insert(rng.randrange(len(lines) + 1), title)


LINE_MUTATIONS = [
    drop_lines, duplicate_lines, swap_lines, truncate_lines, cut_a_line,
    shift_cells, blank_cells, garble_numbers, splice_title,
]
ENCODINGS = [
    lambda t: t.encode("utf-8"),
    lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode("utf-8"),
    lambda t: t.encode("gb18030"),
    lambda t: t.encode("utf-16"),
    lambda t: t.encode("utf-16-be"),
    lambda t: t.replace("\n", "\r").encode("utf-8"),
]


@st.composite
def mutated_reports(draw) -> bytes:
    """A seed with 1-5 line-level mutations, then encoded one of several ways."""
    text = draw(st.sampled_from(SEEDS))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 5))):
        mutation = draw(st.sampled_from([*LINE_MUTATIONS, insert_text]))
        if not lines:
            break
        if mutation is insert_text:
            insert_text(lines, rng, draw(st.text(max_size=60)))
        else:
            mutation(lines, rng)
    encode = draw(st.sampled_from(ENCODINGS))
    try:
        return encode("\n".join(lines))
    except UnicodeEncodeError:  # generated text GB18030 or UTF-16 cannot hold (lone surrogates)
        return "\n".join(lines).encode("utf-8", errors="surrogateescape")


@st.composite
def damaged_bytes(draw) -> bytes:
    """A seed's bytes with random bytes spliced in, spans overwritten, or cut."""
    data = bytearray(draw(st.sampled_from(ENCODINGS))(draw(st.sampled_from(SEEDS))))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "overwrite", "truncate", "flip"]))
        at = rng.randrange(len(data) + 1)
        if kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "overwrite":
            data[at : at + 8] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif kind == "truncate":
            del data[at:]
        elif data:
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
    return bytes(data)


# --- what every result must satisfy ------------------------------------------------


def line_count(data: bytes) -> int:
    try:
        return max(1, len(decode_text(data).text.split("\n")))
    except Undecodable:
        return max(1, data.count(b"\n") + 1)


def assert_valid_record(record, lines: int) -> None:
    for f in fields(record):
        value = getattr(record, f.name)
        if f.name in ("source_line", "source_line_end") and value is not None:
            assert type(value) is int and 1 <= value <= lines, (f.name, value)
        elif isinstance(value, Decimal):
            assert value.is_finite(), (f.name, value)
        elif value is not None:
            assert isinstance(value, (str, int, bool, date)), (f.name, value)
            if isinstance(value, str):
                value.encode("utf-8")


def assert_valid_report(report, lines: int) -> None:
    p = report.project
    assert isinstance(p.project_name, str) and p.project_name.strip()
    assert p.report_type in (REPORT_SELF_EVALUATION, REPORT_PERFORMANCE_TARGET)
    assert isinstance(p.template, str) and p.template
    assert_valid_record(p, lines)
    for fund in report.funds:
        assert fund.fund_source in FUND_SOURCES
        assert_valid_record(fund, lines)
    for indicator in report.indicators:
        assert type(indicator.seq) is int and indicator.seq >= 1
        assert isinstance(indicator.name, str) and indicator.name.strip()
        assert_valid_record(indicator, lines)
    for score in report.scores:
        assert isinstance(score.component, str) and score.component
        assert_valid_record(score, lines)
    for note in report.notes:
        assert note.code and isinstance(note.message, str)
        assert_valid_record(note, lines)


def check(data: bytes) -> FileResult:
    result = parse_bytes("fuzzed.txt", data)  # must not raise
    lines = line_count(data)
    assert result.status in (PARSED, QUARANTINED)
    if result.status == QUARANTINED:
        assert isinstance(result.reason, str) and result.reason.strip()
        assert not result.reports
        assert result.reason_line is None or 1 <= result.reason_line <= lines
    else:
        assert result.reports
        for report in result.reports:
            assert_valid_report(report, lines)
    for rejection in result.rejections:
        assert rejection.reason.strip() and rejection.source_line >= 1
    if result.encoding is not None:
        segments = split_segments(Document.from_text("fuzzed.txt", decode_text(data).text))
        assert len(result.reports) + len(result.rejections) == len(segments), "a report segment was lost"
    build_tables([result], {})  # the tables accept whatever was kept
    return result


# --- the properties ---------------------------------------------------------------


@settings(FUZZ, max_examples=550)
@given(mutated_reports())
def test_mutated_reports_give_valid_facts_or_a_reason(data):
    check(data)


@settings(FUZZ, max_examples=400)
@given(damaged_bytes())
def test_damaged_bytes_give_valid_facts_or_a_reason(data):
    check(data)


@settings(FUZZ, max_examples=150)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_give_valid_facts_or_a_reason(data):
    check(data)


@settings(FUZZ, max_examples=100)
@given(st.text(max_size=400), st.sampled_from(SEEDS), st.integers(0, 2**32 - 1))
def test_arbitrary_text_inside_a_report_gives_valid_facts_or_a_reason(text, seed, position):
    lines = seed.split("\n")
    at = position % (len(lines) + 1)
    check("\n".join([*lines[:at], text, *lines[at:]]).encode("utf-8", errors="surrogateescape"))


def write_fuzzed_files(raw, count: int, seed: int, manifest_years: bool) -> None:
    """``count`` mutated seeds in ``raw``; listed in the manifest with their seed's year."""
    rng = random.Random(seed)
    manifest = csv.DictReader((raw / "manifest.csv").open(encoding="utf-8"))
    years = {row["path"][:3]: row["fiscal_year"] for row in manifest}
    listed = []
    for n in range(count):
        prefix = SEED_PREFIXES[n % len(SEEDS)]
        lines = SEEDS[n % len(SEEDS)].split("\n")
        for _ in range(rng.randint(1, 4)):
            rng.choice(LINE_MUTATIONS)(lines, rng)
        data = bytearray(rng.choice(ENCODINGS)("\n".join(lines)))
        if n % 3 == 0 and data:
            at = rng.randrange(len(data))
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
        name = f"fuzz_{n:03d}.txt"
        (raw / name).write_bytes(bytes(data))
        listed.append(f"{name},{years[prefix]},,\n")
    if manifest_years:
        with open(raw / "manifest.csv", "a", encoding="utf-8") as handle:
            handle.writelines(listed)


def test_fuzzed_files_beside_the_seeds_leave_the_seeds_whole_and_the_build_publishable(tmp_path):
    """150 generated bad files in the same build as the seeds: every file is
    accounted for, the seeds give exactly the rows they give alone, and the
    blocking integrity checks pass (one bad report never blocks publishing)."""
    alone = run_folder(copy_seeds(tmp_path / "alone"))
    raw = copy_seeds(tmp_path / "raw")
    write_fuzzed_files(raw, 150, seed=6, manifest_years=True)
    run = run_folder(raw)
    statuses = {row["source_file"]: row["status"] for row in run.tables["source_files"].to_pylist()}
    assert len(statuses) == 150 + len(SEED_FILES)
    assert set(statuses.values()) <= {PARSED, QUARANTINED, DUPLICATE}
    for table in ("projects", "funds", "indicators", "scores", "parse_notes"):
        for seed in SEED_FILES:
            assert run.rows(table, seed) == alone.rows(table, seed), (table, seed)
    assert_publishable(run)


def assert_publishable(run) -> None:
    from pipeline.quality.findings import find_all
    from pipeline.quality.integrity import validate_tables

    tables = dict(run.tables.arrow)
    tables["quality_findings"] = find_all(tables)
    failed = {name: v.failures for name, v in validate_tables(tables).items() if not v.success}
    assert not failed, failed


def test_a_report_without_any_fiscal_year_keeps_the_build_publishable(tmp_path):
    raw = copy_seeds(tmp_path / "raw")
    undated = [line for line in SEEDS[1].split("\n") if "自评时间" not in line]  # seed 001, older template
    (raw / "undated_not_in_manifest.txt").write_text("\n".join(undated), encoding="utf-8")
    run = run_folder(raw)
    assert_publishable(run)
    [project] = run.rows("projects", "undated_not_in_manifest.txt")
    assert project["fiscal_year"] is None and project["total_score"] is not None
    funds = run.rows("funds", "undated_not_in_manifest.txt")
    assert [f["fiscal_year"] for f in funds] == [None]  # the report's own year, unknown
    codes = {n["code"] for n in run.rows("parse_notes", "undated_not_in_manifest.txt")}
    assert {"fiscal_year_unknown", "other_year_figures_unplaced"} <= codes
