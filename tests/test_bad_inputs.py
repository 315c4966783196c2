"""The hand-made bad-input corpus, run together with the good seeds in one build.

Static cases live in ``tests/bad_inputs/files/`` (written by
``tests/bad_inputs/make_corpus.py``) with what each must give in
``tests/bad_inputs/expectations.csv``; cases git cannot hold (odd names, links,
a pipe, a huge file) are made here. The run must account for every file in
``source_files``, and the seeds in the same run must give all their rows.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.sources import MAX_BYTES  # noqa: E402
from tests.runs import SEED_FILES, Run, copy_seeds, run_folder  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
EXPECTATIONS = list(csv.DictReader((CORPUS / "expectations.csv").open(encoding="utf-8")))
SEED_000 = SEED_FILES[0]

#: Made at test time: (name as stored in source_files, status, reason starts with).
MADE_HERE = [
    ("line\\x0abreak.txt", "quarantined", "odd file name: contains control"),
    ("\\xb1\\xa8\\xb8\\xe6.txt", "quarantined", "odd file name: not valid UTF-8"),
    ("zero\\u200bwidth.txt", "quarantined", "odd file name: contains control or invisible"),
    ("link_out_file.txt", "quarantined", "link points outside data/raw/"),
    ("link_out_folder", "quarantined", "link points outside data/raw/"),
    ("link_in_folder", "quarantined", "link to a folder"),
    ("link_broken.txt", "quarantined", "broken link"),
    ("link_to_seed.txt", "duplicate", f"same report as {SEED_000}"),
    ("named_pipe.txt", "quarantined", "not a regular file"),
    ("huge.txt", "quarantined", "file too large"),
    (".hidden_folder", "quarantined", "hidden folder"),
    (unicodedata.normalize("NFC", "é报告.txt"), "quarantined", "unknown report family"),
    (unicodedata.normalize("NFC", "é报告.txt") + " (", "quarantined", "odd file name: another file has the same name"),
]


def make_odd_files(raw: Path, outside: Path) -> None:
    raw_bytes = os.fsencode(raw)
    for name in (b"line\nbreak.txt", b"\xb1\xa8\xb8\xe6.txt", "zero\u200bwidth.txt".encode()):
        with open(os.path.join(raw_bytes, name), "wb") as handle:
            handle.write("财政项目支出绩效自评表\n".encode())
    outside.mkdir()
    (outside / "secret.txt").write_text("不该读到")
    (raw / "link_out_file.txt").symlink_to(outside / "secret.txt")
    (raw / "link_out_folder").symlink_to(outside)
    (raw / "link_in_folder").symlink_to(raw / "nested")
    (raw / "link_broken.txt").symlink_to(raw / "not_there.txt")
    (raw / "link_to_seed.txt").symlink_to(raw / SEED_000)
    os.mkfifo(raw / "named_pipe.txt")
    with open(raw / "huge.txt", "wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    (raw / ".hidden_folder").mkdir()
    (raw / ".hidden_folder" / "x.txt").write_text("x")
    composed = unicodedata.normalize("NFC", "é报告.txt")
    (raw / composed).write_text("随便写的")
    (raw / unicodedata.normalize("NFD", composed)).write_text("另一个")
    with open(raw / "manifest.csv", "a", encoding="utf-8") as handle:
        handle.write("../../etc/passwd,2023,外部,\nnested/deeper/dup_12_seed001_gb18030.txt,2019,上海市人力资源和社会保障局,\n")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    base = tmp_path_factory.mktemp("corpus")
    raw = copy_seeds(base / "raw")
    shutil.copytree(CORPUS / "files", raw, dirs_exist_ok=True)
    make_odd_files(raw, base / "outside")
    return run_folder(raw, cache_dir=base / "cache")


@pytest.fixture(scope="module")
def seeds_alone(tmp_path_factory) -> Run:
    return run_folder(copy_seeds(tmp_path_factory.mktemp("seeds") / "raw"))


def test_the_corpus_is_dozens_of_files():
    assert len(EXPECTATIONS) + len(MADE_HERE) >= 50
    on_disk = {p.relative_to(CORPUS / "files").as_posix() for p in (CORPUS / "files").rglob("*") if p.is_file()}
    assert on_disk == {e["file"] for e in EXPECTATIONS}


def test_every_file_is_accounted_for_once(run):
    names = [row["source_file"] for row in run.tables["source_files"].to_pylist()]
    assert len(names) == len(set(names))
    expected = set(SEED_FILES) | {e["file"] for e in EXPECTATIONS}
    made = {name for name, _, _ in MADE_HERE if not name.endswith(" (")}
    assert expected | made <= set(names)
    unexpected = set(names) - expected - made
    assert len(unexpected) == 1 and next(iter(unexpected)).startswith(unicodedata.normalize("NFC", "é报告.txt") + " (")
    for row in run.tables["source_files"].to_pylist():
        assert row["status"] in ("parsed", "quarantined", "duplicate")
        if row["status"] != "parsed":
            assert row["reason"], row["source_file"]


@pytest.mark.parametrize("case", EXPECTATIONS, ids=[e["file"] for e in EXPECTATIONS])
def test_each_static_case_gives_what_was_expected(run, case):
    row = run.source_files()[case["file"]]
    assert row["status"] == case["status"], row["reason"]
    assert case["reason_contains"] in (row["reason"] or "")
    for column in ("reason_line", "projects"):
        if case[column]:
            assert row[column] == int(case[column]), column
    if case["rejected"]:
        assert row["rejected_projects"] == int(case["rejected"])
        listed = int(case["rejected"]) if row["status"] != "duplicate" else 0
        assert len(run.rows("rejections", case["file"])) == listed
    if case["encoding"]:
        assert row["encoding"] == case["encoding"]
    assert row["duplicate_of"] == (case["duplicate_of"] or None)
    if case["note_code"]:
        assert case["note_code"] in {n["code"] for n in run.rows("parse_notes", case["file"])}


@pytest.mark.parametrize(("name", "status", "reason"), MADE_HERE, ids=[m[0] for m in MADE_HERE])
def test_each_case_made_here_gives_what_was_expected(run, name, status, reason):
    rows = run.source_files()
    if name.endswith(" ("):
        [name] = [n for n in rows if n.startswith(name)]
    assert rows[name]["status"] == status
    assert rows[name]["reason"].startswith(reason)
    assert "不该读到" not in str(run.tables.arrow)


def test_every_rejection_names_its_reason_and_line(run):
    for row in run.tables["rejections"].to_pylist():
        assert row["reason"] and row["source_line"] >= 1
        assert row["reason_line"] is None or row["reason_line"] >= 1


def test_the_seeds_in_the_same_run_give_all_their_rows(run, seeds_alone):
    for table in ("projects", "funds", "indicators", "scores", "parse_notes"):
        for seed in SEED_FILES:
            assert run.rows(table, seed) == seeds_alone.rows(table, seed), (table, seed)
    for seed in SEED_FILES:
        assert run.source_files()[seed]["status"] == "parsed"


def test_the_projects_table_holds_exactly_the_parsed_files_projects(run):
    per_file = {row["source_file"]: row["projects"] for row in run.tables["source_files"].to_pylist()}
    counted: dict[str, int] = {}
    for row in run.rows("projects"):
        counted[row["source_file"]] = counted.get(row["source_file"], 0) + 1
    assert counted == {name: n for name, n in per_file.items() if n}
    ids = [row["project_id"] for row in run.rows("projects")]
    assert len(ids) == len(set(ids))


def test_manifest_problems_are_reported_not_raised(run):
    assert "manifest.csv line 7: path '../../etc/passwd' is outside data/raw/, refused" in run.manifest_problems
    assert run.manifest["nested/deeper/dup_12_seed001_gb18030.txt"].fiscal_year == 2019
