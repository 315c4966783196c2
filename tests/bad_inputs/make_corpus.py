"""Writes the hand-made bad-input corpus into ``tests/bad_inputs/files/``.

Each case is a small, deliberate kind of trouble real report collections have:
empty and binary files, renamed PDFs and spreadsheets, wrong encodings,
damaged bytes, cut-off downloads, mangled tables, and the same report saved
again in another encoding, line-end convention or layout. What each case must
give is written by hand in ``expectations.csv`` next to this script.

Cases that git cannot hold (odd file names, links, pipes, huge files) are made
at test time in ``tests/test_robustness_corpus.py``.

Run from the repository root: ``.venv/bin/python tests/bad_inputs/make_corpus.py``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.forms import to_pipe, to_text, with_blank_lines  # noqa: E402

SEEDS = ROOT / "data" / "raw"
OUT = Path(__file__).resolve().parent / "files"


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def lines_of(prefix: str) -> list[str]:
    return seed(prefix).split("\n")


def keep(prefix: str, first: int, last: int) -> str:
    """Lines first..last (1-based, inclusive) of a seed."""
    return "\n".join(lines_of(prefix)[first - 1 : last]) + "\n"


def without(prefix: str, *line_numbers: int) -> str:
    drop = set(line_numbers)
    return "\n".join(line for n, line in enumerate(lines_of(prefix), start=1) if n not in drop)


def insert_byte(data: bytes, text: str, line: int, byte: bytes, column: int = 6) -> bytes:
    """``data`` (the encoding of ``text``) with ``byte`` inserted on a given line."""
    before = "\n".join(text.split("\n")[: line - 1]) + "\n"
    offset = len(before.encode(_encoding_of(data, text))) + column
    return data[:offset] + byte + data[offset:]


def _encoding_of(data: bytes, text: str) -> str:
    return "utf-8" if data == text.encode("utf-8") else "gb18030"


def invisible_spaces(text: str) -> str:
    """Spaces become no-break and ideographic spaces; zero-width characters and
    direction marks are sprinkled into names."""
    text = text.replace(" ", "\u00a0")
    text = text.replace("项目名称", "项目\u200b名称\u200e").replace("咨询", "咨\u200d询")
    return text.replace("\t优", "\t\u3000优\ufeff")


def pdf_text_with_page_breaks(text: str) -> str:
    """As pdftotext would give it: space-separated cells, blank lines and form feeds."""
    out = with_blank_lines(to_text(text), every=9)
    return out.replace("\n\n", "\n\f\n")


def cases() -> dict[str, bytes]:
    rng = random.Random(20240601)
    s003 = seed("003")
    s000 = seed("000")
    s000_gbk = s000.encode("gb18030")
    return {
        # --- not text at all -------------------------------------------------
        "bad_01_empty.txt": b"",
        "bad_02_whitespace_only.txt": b" \r\n\t\n   \n\n",
        "bad_03_bom_only.txt": b"\xef\xbb\xbf",
        "bad_04_utf16_bom_and_spaces.txt": b"\xff\xfe" + "  \r\n \n".encode("utf-16-le"),
        "bad_05_pdf_saved_as_txt.txt": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        + bytes(rng.randrange(256) for _ in range(600)),
        "bad_06_xlsx_renamed.txt": b"PK\x03\x04\x14\x00\x06\x00" + bytes(rng.randrange(256) for _ in range(400)),
        "bad_07_xls_renamed.txt": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(400)),
        "bad_08_png_renamed.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(200)),
        "bad_09_gzip_renamed.txt": b"\x1f\x8b\x08\x00" + bytes(rng.randrange(256) for _ in range(300)),
        "bad_10_random_bytes.bin": bytes(rng.randrange(256) for _ in range(4096)),
        "bad_11_high_bytes_no_nul.txt": bytes(range(0x80, 0x100)) * 16,
        "bad_12_latin1_text.txt": "Rapport annuel: résumé, café, élève, déjà vu, à côté.\n".encode("latin-1"),
        "bad_13_big5_text.txt": "財政項目支出績效自評表\n項目名稱\t熱線服務保障經費\n主管部門\t綠化和市容管理局\n".encode("big5"),
        "bad_14_control_characters.txt": bytes(rng.choice(b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11") for _ in range(500)),
        "bad_15_nul_every_few_bytes.txt": b"".join(s003.encode()[i : i + 7] + b"\x00" for i in range(0, 3000, 7)),
        "bad_16_utf16_bom_then_garbage.txt": b"\xff\xfe" + b"\x00\xd8" * 300,
        # --- text, but not a report --------------------------------------------
        "bad_17_error_page.html": b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
        b"<body><h1>Not Found</h1></body></html>\n",
        "bad_18_meeting_notes.txt": "\n关于12333热线工作的会议纪要\n\n一、会议时间：2023年3月1日\n二、参会人员：略\n".encode(),
        "bad_19_other_table.csv": "序号,单位,金额（万元）\n1,上海市民政局,120.50\n2,上海市绿化和市容管理局,88.00\n".encode(),
        "bad_20_title_only.txt": "财政项目支出绩效自评表\n".encode(),
        # --- a report, but broken ---------------------------------------------
        "bad_21_header_only.txt": keep("000", 3, 6).encode(),
        "bad_22_cut_after_funds.txt": keep("000", 1, 13).encode(),
        "bad_23_cut_in_indicator_table.txt": keep("003", 1, 20).encode(),
        "bad_24_legacy_scoring_table_missing.txt": (keep("001", 1, 13) + keep("001", 35, 40)).encode(),
        "bad_25_one_of_four_mangled.txt": without("003", 40, 41, 42, 43, 44, 45).encode(),
        "bad_26_two_of_four_mangled.txt": without("000", 33, 34, 35, 36, 37, 55, 56, 57, 58, 59).encode(),
        "bad_27_lines_reversed.txt": "\n".join(reversed(lines_of("001"))).encode(),
        "bad_28_damaged_byte_utf8.txt": insert_byte(s003.encode(), s003, 60, b"\xff"),
        "bad_29_damaged_byte_gbk.txt": insert_byte(s000_gbk, s000, 56, b"\x80"),
        "bad_30_interrupted_download_nuls.txt": keep("004", 1, 45).encode() + b"\x00" * 4096,
        "bad_31_cut_mid_character.txt": keep("003", 1, 104).encode() + "评分等级\t\t".encode() + "优".encode()[:2],
        # --- the same report again: must be recognised as a duplicate ----------
        "dup_01_seed000_gbk.txt": s000.encode("gbk"),
        "dup_02_seed001_utf16le_bom.txt": b"\xff\xfe" + seed("001").encode("utf-16-le"),
        "dup_03_seed002_utf16be_no_bom.txt": seed("002").encode("utf-16-be"),
        "dup_04_seed003_utf8_bom_crlf.txt": b"\xef\xbb\xbf" + s003.replace("\n", "\r\n").encode(),
        "dup_05_seed004_cr_only.txt": seed("004").replace("\n", "\r").encode(),
        "dup_06_seed000_invisible_spaces.txt": invisible_spaces(s000).encode(),
        "dup_07_seed001_as_markdown.txt": to_pipe(seed("001")).encode(),
        "dup_08_seed004_as_pdf_text.txt": pdf_text_with_page_breaks(seed("004")).encode(),
        "dup_09_seed003_utf32.txt": s003.encode("utf-32"),
        "dup_10_seed000_mixed_utf8_gbk.txt": keep("000", 1, 29).encode() + "\n".join(lines_of("000")[29:]).encode("gbk"),
        "dup_11_seed001_stray_nul.txt": insert_byte(seed("001").encode(), seed("001"), 9, b"\x00", 3),
        "报告 (1) 副本.txt": seed("002").encode(),
        "nested/deeper/dup_12_seed001_gb18030.txt": seed("001").encode("gb18030"),
        # --- names that are refused -------------------------------------------
        ".~lock.report.txt#": b"lock file of an office program\n",
    }


def main() -> None:
    for name, data in cases().items():
        path = OUT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(cases())} files into {OUT}")


if __name__ == "__main__":
    main()
