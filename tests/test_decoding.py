"""Decoding raw bytes (``pipeline.decoding``): encodings, line ends, NUL bytes, damaged and cut text."""

from __future__ import annotations

import pytest

from pipeline import decoding
from pipeline.decoding import Undecodable, decode_text, normalize_line_ends
from tests.runs import seed_text

SEED = seed_text("000")


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8-sig"),
        (lambda t: t.encode("gbk"), "gb18030"),
        (lambda t: t.encode("gb18030"), "gb18030"),
        (lambda t: t.encode("utf-16"), "utf-16-le"),  # Python writes a BOM
        (lambda t: b"\xfe\xff" + t.encode("utf-16-be"), "utf-16-be"),
        (lambda t: t.encode("utf-16-le"), "utf-16-le"),  # no BOM
        (lambda t: t.encode("utf-16-be"), "utf-16-be"),  # no BOM
        (lambda t: t.encode("utf-32"), "utf-32-le"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16-bom", "utf16be-bom", "utf16le", "utf16be", "utf32"],
)
def test_every_supported_encoding_gives_the_same_text(encode, encoding):
    decoded = decode_text(encode(SEED))
    assert decoded.text == SEED
    assert decoded.encoding == encoding
    assert decoded.notes == []


def test_gb18030_four_byte_characters_survive():
    text = "项目名称\t𠮷野家与€符号\n"
    assert decode_text(text.encode("gb18030")).text == text


@pytest.mark.parametrize("line_end", ["\r\n", "\r", "\n"])
def test_line_ends_fold_to_lf_and_keep_line_numbers(line_end):
    decoded = decode_text(SEED.replace("\n", line_end).encode())
    assert decoded.text == SEED
    assert decoded.text.count("\n") == SEED.count("\n")


def test_mixed_line_ends_in_one_file():
    assert decode_text("一\r\n二\r三\n四".encode()).text == "一\n二\n三\n四"


def test_form_feeds_and_unicode_separators_do_not_add_lines():
    text = "第一页\n\f第二页\u2028续\n末行\x0b"
    assert normalize_line_ends(text) == "第一页\n 第二页 续\n末行 "
    assert decode_text(text.encode()).text.count("\n") == 2


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \r\n\t\n", "only spaces and line breaks"),
        (b"\xef\xbb\xbf", "only a byte-order mark"),
        (b"\xff\xfe" + " \n".encode("utf-16-le"), "only a byte-order mark"),
        ("\u3000\u00a0\n\u200b".encode(), "only spaces and line breaks"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF file"),
        (b"PK\x03\x04rest", "ZIP archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old Office file"),
        (b"\x89PNG\r\n\x1a\nrest", "PNG image"),
        (b"\xff\xd8\xff\xe0rest", "JPEG image"),
        (b"\x1f\x8b\x08rest", "gzip archive"),
        (bytes(range(256)) * 4, "binary file (contains NUL bytes)"),
        (bytes(range(0x80, 0x100)) * 4, "not text in UTF-8"),
        ("café, déjà vu, élève".encode("latin-1"), "not text in UTF-8"),
        (b"\x01\x02\x03\x04\x05\x06" * 50, "not text in UTF-8"),
        (b"\xff\xfe" + b"\x00\xd8" * 100, "byte-order mark, but the text after it is unreadable"),
    ],
)
def test_bytes_that_are_not_report_text_are_refused_with_a_reason(data, reason):
    with pytest.raises(Undecodable) as caught:
        decode_text(data)
    assert reason in caught.value.reason


def test_trailing_nul_bytes_of_an_interrupted_download_are_dropped_and_noted():
    decoded = decode_text(SEED.encode() + b"\x00" * 5000)
    assert decoded.text == SEED
    [note] = decoded.notes
    assert note.code == decoding.TRAILING_NULS and note.line == len(SEED.rstrip().split("\n"))
    assert "5000 NUL bytes" in note.message


def test_a_stray_nul_byte_is_removed_and_its_line_named():
    lines = SEED.split("\n")
    data = ("\n".join(lines[:8]) + "\n项目\x00名称" + "\n".join(lines[8:])).encode()
    decoded = decode_text(data)
    assert "\x00" not in decoded.text
    assert [(n.code, n.line) for n in decoded.notes] == [(decoding.STRAY_NULS, 9)]


def test_text_full_of_nul_bytes_is_binary():
    data = b"".join(SEED.encode()[i : i + 9] + b"\x00" for i in range(0, 2000, 9))
    with pytest.raises(Undecodable, match="binary file"):
        decode_text(data)


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_damaged_byte_is_shown_as_replacement_and_its_line_named(encoding, line_end):
    lines = SEED.split("\n")
    head = line_end.join(lines[:40]) + line_end
    data = head.encode(encoding) + b"\x80" + line_end.join(lines[40:]).encode(encoding)
    decoded = decode_text(data)
    assert decoded.encoding == encoding
    assert decoded.damaged_lines == [41]
    assert "\ufffd" in decoded.text.split("\n")[40]
    assert decoded.text.count("\n") == SEED.count("\n")


def test_a_genuine_replacement_character_is_not_damage():
    decoded = decode_text(("项目名称\t旧系统导出的\ufffd字符\n" + SEED).encode())
    assert decoded.damaged_lines == []


def test_too_much_damage_is_not_text():
    data = bytearray(SEED.encode())
    for i in range(0, len(data), 40):
        data[i] = 0xFF
    with pytest.raises(Undecodable, match="not text"):
        decode_text(bytes(data))


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16-le"])
def test_a_file_cut_inside_its_last_character_is_read_and_noted(encoding):
    data = (SEED.rstrip("\n") + "优").encode(encoding)[:-1]
    decoded = decode_text(data)
    assert decoded.text == SEED.rstrip("\n")
    [note] = decoded.notes
    assert note.code == decoding.CUT_MID_CHARACTER and note.line == SEED.rstrip("\n").count("\n") + 1


def test_utf8_and_gbk_pasted_together_are_decoded_line_by_line():
    lines = SEED.split("\n")
    data = "\n".join(lines[:29]).encode() + b"\n" + "\n".join(lines[29:]).encode("gbk")
    decoded = decode_text(data)
    assert decoded.text == SEED
    assert decoded.encoding == "utf-8+gb18030"
    assert [(n.code, n.line) for n in decoded.notes] == [(decoding.MIXED, 30)]


def test_mojibake_candidates_are_not_taken_for_chinese():
    assert decoding.cjk_plausible(SEED)
    utf8_read_as_utf16 = SEED.encode("utf-8")[:2000].decode("utf-16-le", errors="replace")
    assert not decoding.cjk_plausible(utf8_read_as_utf16)
