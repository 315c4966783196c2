"""Finding and refusing raw files, and reading the manifest."""

from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.sources import MAX_BYTES, discover, read_manifest  # noqa: E402


# --- discovery -------------------------------------------------------------------


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "raw"
    folder.mkdir(parents=True)
    return folder


def found(raw_dir: Path, **kwargs) -> dict[str, object]:
    return {f.source_file: f for f in discover(raw_dir, **kwargs)}


def test_files_are_found_recursively_hashed_and_sorted(raw):
    (raw / "b.txt").write_text("乙")
    (raw / "sub" / "deeper").mkdir(parents=True)
    (raw / "sub" / "deeper" / "a.txt").write_text("甲")
    for clutter in ("manifest.csv", "README.md", ".DS_Store", ".gitkeep", "Thumbs.db"):
        (raw / clutter).write_text("x")
    files = discover(raw)
    assert [f.source_file for f in files] == ["b.txt", "sub/deeper/a.txt"]
    assert all(f.refusal is None and f.sha256 and f.bytes == 3 for f in files)


def test_hidden_files_and_folders_are_listed_with_a_refusal(raw):
    (raw / ".~lock.report.txt#").write_text("lock")
    (raw / ".cache").mkdir()
    (raw / ".cache" / "x.txt").write_text("x")
    files = found(raw)
    assert files[".~lock.report.txt#"].refusal.startswith("hidden file")
    assert files[".cache"].refusal.startswith("hidden folder")
    assert ".cache/x.txt" not in files


def test_links_out_of_the_raw_folder_are_refused(raw, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("机密")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "r.txt").write_text("报告")
    (raw / "to_file.txt").symlink_to(outside)
    (raw / "to_etc").symlink_to("/etc")
    (raw / "to_folder").symlink_to(tmp_path / "elsewhere")
    files = found(raw)
    for name in ("to_file.txt", "to_etc", "to_folder"):
        assert files[name].refusal.startswith("link points outside data/raw/"), name
        assert files[name].sha256 is None
    assert not any(name.startswith("to_folder/") for name in files)


def test_links_inside_the_raw_folder(raw):
    (raw / "real.txt").write_text("报告")
    (raw / "sub").mkdir()
    (raw / "alias.txt").symlink_to(raw / "real.txt")
    (raw / "sub_alias").symlink_to(raw / "sub")
    files = found(raw)
    assert files["alias.txt"].refusal is None and files["alias.txt"].sha256 == files["real.txt"].sha256
    assert files["sub_alias"].refusal.startswith("link to a folder")


def test_broken_links_and_link_loops_are_refused(raw):
    (raw / "gone.txt").symlink_to(raw / "never-there.txt")
    (raw / "loop_a").symlink_to(raw / "loop_b")
    (raw / "loop_b").symlink_to(raw / "loop_a")
    files = found(raw)
    assert files["gone.txt"].refusal.startswith("broken link")
    assert files["loop_a"].refusal.startswith("link loop") or files["loop_a"].refusal.startswith("broken link")


def test_a_named_pipe_is_refused_without_blocking(raw):
    os.mkfifo(raw / "pipe.txt")
    assert found(raw)["pipe.txt"].refusal.startswith("not a regular file")


def test_oversized_files_are_refused_before_reading(raw):
    with open(raw / "huge.txt", "wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing is written
    (raw / "small.txt").write_bytes(b"x" * 100)
    files = found(raw)
    assert files["huge.txt"].refusal.startswith("file too large (20,971,521 bytes; the limit is 20 MB)")
    refusal = found(raw, max_bytes=99)["small.txt"].refusal
    assert refusal == "file too large (100 bytes; the limit is 99 bytes), not read"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        (b"line\nbreak.txt", "line\\x0abreak.txt"),
        (b"\xb1\xa8\xb8\xe6.txt", "\\xb1\\xa8\\xb8\\xe6.txt"),  # GBK bytes of 报告
        ("zero\u200bwidth.txt".encode(), "zero\\u200bwidth.txt"),
        (b"bell\x07.txt", "bell\\x07.txt"),
    ],
)
def test_odd_file_names_are_refused_and_shown_escaped(raw, name, shown):
    with open(os.path.join(os.fsencode(raw), name), "wb") as handle:
        handle.write("报告".encode())
    files = found(raw)
    assert list(files) == [shown]
    assert files[shown].refusal.startswith("odd file name")
    shown.encode("utf-8")  # storable


def test_ordinary_unusual_names_are_fine(raw):
    for name in ("报告 (1) 副本.txt", "2023年 绩效自评表【终稿】.TXT", "-leading-dash.txt", "no_extension"):
        (raw / name).write_text("x")
    assert all(f.refusal is None for f in discover(raw))


def test_names_differing_only_in_unicode_form_get_distinct_keys(raw):
    composed = unicodedata.normalize("NFC", "é报告.txt")
    decomposed = unicodedata.normalize("NFD", composed)
    (raw / composed).write_text("一")
    (raw / decomposed).write_text("二")
    files = discover(raw)
    assert len({f.source_file for f in files}) == 2
    assert files[0].source_file == composed
    assert files[1].refusal.startswith("odd file name: another file has the same name")


def test_unreadable_files_and_folders_are_refused(raw, monkeypatch):
    """Permission errors are simulated at the OS calls (chmod would not stop root, who runs CI)."""
    (raw / "locked.txt").write_text("x")
    (raw / "closed").mkdir()
    (raw / "closed" / "inside.txt").write_text("x")
    real_read_bytes, real_scandir = Path.read_bytes, os.scandir

    def read_bytes(path):
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    def scandir(path="."):
        if Path(path).name == "closed":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(os, "scandir", scandir)
    files = found(raw)
    assert files["locked.txt"].refusal == "cannot read file: Permission denied"
    assert files["closed"].refusal == "cannot read folder: Permission denied"
    assert "closed/inside.txt" not in files


# --- manifest ------------------------------------------------------------------


def write_manifest(raw_dir: Path, text: str, encoding: str = "utf-8") -> None:
    (raw_dir / "manifest.csv").write_bytes(text.encode(encoding))


def test_the_seed_manifest_reads_cleanly():
    entries, problems = read_manifest(Path(__file__).resolve().parents[1] / "data" / "raw")
    assert problems == []
    assert entries["003_c5fddddb41e6eafd.txt"].fiscal_year == 2023
    assert entries["003_c5fddddb41e6eafd.txt"].agency == "上海市绿化和市容管理局"


def test_manifest_entries_outside_the_raw_folder_are_refused(raw, tmp_path):
    (raw / "a.txt").write_text("x")
    (tmp_path / "outside.txt").write_text("x")
    (raw / "sneaky.txt").symlink_to(tmp_path / "outside.txt")
    write_manifest(
        raw,
        "path,fiscal_year,agency,source_url\n"
        "a.txt,2023,甲局,\n"
        "../outside.txt,2023,乙局,\n"
        "/etc/passwd,2023,丙局,\n"
        "sub/../../outside.txt,2022,丁局,\n"
        "sneaky.txt,2021,戊局,\n",
    )
    entries, problems = read_manifest(raw)
    assert list(entries) == ["a.txt"]
    assert problems == [
        "manifest.csv line 3: path '../outside.txt' is outside data/raw/, refused",
        "manifest.csv line 4: path '/etc/passwd' is outside data/raw/, refused",
        "manifest.csv line 5: path 'sub/../../outside.txt' is outside data/raw/, refused",
        "manifest.csv line 6: path 'sneaky.txt' is outside data/raw/, refused",
    ]


def test_manifest_problems_name_their_line(raw):
    (raw / "a.txt").write_text("x")
    (raw / "sub").mkdir()
    (raw / "sub" / "b.txt").write_text("x")
    write_manifest(
        raw,
        "\ufeffPath,Fiscal_Year,Agency,Source_URL\n"
        "a.txt,2023.0,甲局,http://example.org/a\n"
        ",2023,乙局,\n"
        "missing.txt,2023,丙局,\n"
        "a.txt,2020,重复,\n"
        "sub\\b.txt,二〇二二,丁局,\n"
        '"sub/./b.txt",2022年,"戊局, 一处",\n',
    )
    entries, problems = read_manifest(raw)
    assert entries["a.txt"].fiscal_year == 2023 and entries["a.txt"].source_url == "http://example.org/a"
    assert entries["missing.txt"].agency == "丙局"
    assert entries["sub/b.txt"].fiscal_year is None
    assert problems == [
        "manifest.csv line 3: no path, line ignored",
        "manifest.csv line 4: no file 'missing.txt' in data/raw/ (entry kept for when it arrives)",
        "manifest.csv line 5: 'a.txt' is already listed on line 2; this line is ignored",
        "manifest.csv line 6: fiscal_year '二〇二二' is not a year, ignored",
        "manifest.csv line 7: 'sub/b.txt' is already listed on line 6; this line is ignored",
    ]


def test_a_gbk_manifest_is_read(raw):
    (raw / "a.txt").write_text("x")
    write_manifest(raw, "path,fiscal_year,agency,source_url\na.txt,2019,上海市民政局,\n", "gbk")
    entries, problems = read_manifest(raw)
    assert entries["a.txt"].agency == "上海市民政局" and problems == []


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"name,year\na.txt,2023\n", "no 'path' column"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "unreadable (a PNG image, not text)"),
        (b"path,agency\n\"a.txt,\"" + b"x" * 200_000 + b"\n", "not valid CSV"),
    ],
)
def test_an_unusable_manifest_is_reported_not_raised(raw, content, problem):
    (raw / "manifest.csv").write_bytes(content)
    entries, problems = read_manifest(raw)
    assert entries == {}
    assert len(problems) == 1 and problem in problems[0]


def test_a_manifest_linked_from_outside_is_refused(raw, tmp_path):
    (tmp_path / "m.csv").write_text("path\na.txt\n")
    (raw / "manifest.csv").symlink_to(tmp_path / "m.csv")
    assert read_manifest(raw) == ({}, ["manifest.csv: link points outside data/raw/, refused; the manifest is ignored"])


def test_no_manifest_is_fine(raw):
    assert read_manifest(raw) == ({}, [])
