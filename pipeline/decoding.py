"""Turning a raw file's bytes into report text, or saying plainly why not.

Reports arrive as UTF-8 (with or without BOM), GB18030/GBK, or UTF-16 (with or
without BOM), with CRLF, CR or LF line ends. ``decode_text`` finds the
encoding, folds every line end to ``\\n`` (so line numbers match what an editor
shows) and refuses bytes that are not report text with a reason an analyst
understands, naming the line where that helps.

Damage that leaves the text readable is tolerated and reported as a
``DecodeNote`` with its line: a character cut off at the very end (an
interrupted download), stray NUL bytes, or a few invalid bytes (shown as U+FFFD;
the report segment holding them is rejected later, the others are kept).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

#: (signature at the start of the file, what the file is).
_BINARY_SIGNATURES = (
    (b"%PDF-", "a PDF file, not text: extract its text first (e.g. `pdftotext -layout`)"),
    (b"PK\x03\x04", "a ZIP archive (or .xlsx/.docx file), not text: export the report as text"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.xls/.doc), not text: export the report as text"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image, not text"),
    (b"\xff\xd8\xff", "a JPEG image, not text"),
    (b"GIF87a", "a GIF image, not text"),
    (b"GIF89a", "a GIF image, not text"),
    (b"\x1f\x8b", "a gzip archive, not text"),
    (b"Rar!\x1a\x07", "a RAR archive, not text"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive, not text"),
)

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

#: CRLF and CR become LF; the other Unicode line separators (form feed at PDF
#: page breaks, U+2028 ...) become a space, so line numbers stay an editor's.
_OTHER_SEPARATORS = str.maketrans({c: " " for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})
_OTHER_SEPARATOR = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_BYTE_LINE_END = re.compile(rb"\r\n?|\n")

#: Invalid bytes are first decoded to this private marker (so they can be told
#: apart from a genuine U+FFFD in the file), then shown as U+FFFD.
_MARK = "\U0010fffd"
_ERRORS = "perfwh-mark-damage"
codecs.register_error(_ERRORS, lambda exc: (_MARK, exc.end))

#: At most this share of the non-ASCII characters may be damaged for the text
#: to count as damaged text of this encoding rather than something else.
_DAMAGE_SHARE = 0.02
_CUT_OFF = ("unexpected end of data", "truncated data", "incomplete multibyte sequence")

DAMAGED = "damaged_bytes"
CUT_MID_CHARACTER = "file_cut_mid_character"
TRAILING_NULS = "file_ends_in_nul_bytes"
STRAY_NULS = "nul_bytes_removed"
MIXED = "mixed_encodings"


class Undecodable(Exception):
    """The bytes are not report text; ``reason`` says why, ``line`` where if known."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class DecodeNote:
    """Damage found (and worked around) while decoding, with its line."""

    code: str
    message: str
    line: int


@dataclass
class DecodedText:
    text: str
    encoding: str
    notes: list[DecodeNote] = field(default_factory=list)

    @property
    def damaged_lines(self) -> list[int]:
        return [n.line for n in self.notes if n.code == DAMAGED]


def decode(data: bytes) -> tuple[str, str]:
    """Decode report bytes; returns (text, encoding name) or raises Undecodable."""
    decoded = decode_text(data)
    return decoded.text, decoded.encoding


def decode_text(data: bytes) -> DecodedText:
    """Decode report bytes into text with LF line ends, or raise Undecodable."""
    if not data.strip():
        raise Undecodable("empty file" if not data else "empty file (only spaces and line breaks)")
    for signature, what in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise Undecodable(what, 1)
    decoded = _decode_any(data)
    if not decoded.text.strip(" \t\n\u3000\u00a0\ufeff\u200b"):
        raise Undecodable("empty file (only spaces and line breaks)")
    return decoded


def normalize_line_ends(text: str) -> str:
    """CRLF and CR become LF; other line separators become spaces."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _OTHER_SEPARATOR.search(text):  # rare: ``str.translate`` is slow on long text, so only then
        text = text.translate(_OTHER_SEPARATORS)
    return text


def _line_of_byte(data: bytes, offset: int) -> int:
    """1-based line of a byte offset in 8-bit text (CRLF, CR or LF line ends)."""
    return len(_BYTE_LINE_END.findall(data, 0, offset)) + 1


def _decode_any(data: bytes) -> DecodedText:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            if not body.strip(b"\x00 \t\r\n"):
                raise Undecodable("empty file (only a byte-order mark)")
            decoded = _decode_lenient(body, encoding.replace("-sig", ""))
            if decoded is None:
                what = "the text after it is unreadable (damaged, or bytes lost or added)"
                raise Undecodable(f"{encoding.upper()} byte-order mark, but {what}")
            decoded.encoding = encoding
            return decoded
    if b"\x00" in data:
        return _try_utf16(data) or _decode_with_stray_nuls(data)
    return _decode_8bit(data)


def _try_utf16(data: bytes) -> DecodedText | None:
    """UTF-16 without a BOM: the NUL bytes of ASCII characters sit on one side."""
    sample = data[:8192]
    zeros_even, zeros_odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(zeros_even, zeros_odd) < 0.1 * len(sample) / 2:
        return None  # too few NULs for text with tabs, digits and line ends
    candidates = ("utf-16-le", "utf-16-be") if zeros_odd >= zeros_even else ("utf-16-be", "utf-16-le")
    for encoding in candidates:
        decoded = _decode_lenient(data, encoding)
        if decoded is not None and "\n" in decoded.text:
            return decoded
    return None


def _decode_with_stray_nuls(data: bytes) -> DecodedText:
    """8-bit text with NUL bytes: a few, or a run at the end (as an interrupted
    download leaves), are dropped and noted; a file full of them is binary."""
    body = data.rstrip(b"\x00")
    inner = body.count(b"\x00")
    if inner > max(2, len(body) // 1000) or not body.strip():
        raise Undecodable("binary file (contains NUL bytes), not text")
    notes = []
    if len(body) < len(data):
        message = f"{len(data) - len(body)} NUL bytes at the end dropped: an interrupted download?"
        notes.append(DecodeNote(TRAILING_NULS, message, _line_of_byte(body, len(body.rstrip(b" \t\r\n")))))
    if inner:
        line = _line_of_byte(body, body.index(b"\x00"))
        notes.append(DecodeNote(STRAY_NULS, f"{inner} stray NUL byte(s) removed", line))
        body = body.replace(b"\x00", b"")
    decoded = _decode_8bit(body)
    decoded.notes[:0] = notes
    return decoded


def _decode_8bit(data: bytes) -> DecodedText:
    """UTF-8 first (it is self-checking), then GB18030 (a superset of GBK/GB2312);
    the one with fewer damaged lines wins."""
    utf8 = _decode_lenient(data, "utf-8")
    if utf8 is not None and not utf8.damaged_lines:
        return utf8
    gb = _decode_lenient(data, "gb18030")
    if gb is not None and not gb.damaged_lines:
        return gb
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed
    candidates = [d for d in (utf8, gb) if d is not None]
    if not candidates:
        raise Undecodable("not text in UTF-8, UTF-16 or GB18030/GBK (binary, or an unsupported encoding)")
    return min(candidates, key=lambda d: len(d.damaged_lines))  # min is stable: UTF-8 wins ties


def _decode_mixed(data: bytes) -> DecodedText | None:
    """Files pasted together from UTF-8 and GB18030 parts: decoded line by line
    when every line is clean in one of the two."""
    lines, first_gb = [], None
    for number, raw_line in enumerate(normalize_line_ends_bytes(data).split(b"\n"), start=1):
        try:
            lines.append(raw_line.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            pass
        try:
            text = raw_line.decode("gb18030")
        except UnicodeDecodeError:
            return None
        if not cjk_plausible(text):
            return None
        lines.append(text)
        first_gb = first_gb or number
    text = normalize_line_ends("\n".join(lines))
    if first_gb is None or not plausible_text(text):
        return None
    message = (
        f"the file mixes encodings: UTF-8 and GB18030 lines (the first GB18030 line is {first_gb}); "
        "decoded line by line"
    )
    return DecodedText(text, "utf-8+gb18030", [DecodeNote(MIXED, message, first_gb)])


def normalize_line_ends_bytes(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _decode_lenient(data: bytes, encoding: str) -> DecodedText | None:
    """Decode as ``encoding`` with LF line ends; a character cut off at the end
    and a few damaged bytes are tolerated (and noted); None when the bytes are
    not text in this encoding."""
    notes: list[DecodeNote] = []
    try:
        text = normalize_line_ends(data.decode(encoding))
    except UnicodeDecodeError as exc:
        if exc.reason in _CUT_OFF and len(data) - exc.start <= 3:
            text = normalize_line_ends(data[: exc.start].decode(encoding, errors=_ERRORS))
            message = "the file ends in the middle of a character: cut off?"
            notes.append(DecodeNote(CUT_MID_CHARACTER, message, text.rstrip().count("\n") + 1))
        else:
            text = normalize_line_ends(data.decode(encoding, errors=_ERRORS))
        bad = text.count(_MARK)
        if bad > _DAMAGE_SHARE * _non_ascii_count(text):
            return None
        notes.extend(_damage_notes(text, encoding))
        text = text.replace(_MARK, "\ufffd")
    if not plausible_text(text) or not cjk_plausible(text):
        return None
    return DecodedText(text, encoding, notes)


def _damage_notes(text: str, encoding: str) -> list[DecodeNote]:
    """One note per line where invalid bytes were found."""
    message = f"invalid {encoding.upper()} bytes, shown as \ufffd: the file is corrupted or mixes encodings"
    return [
        DecodeNote(DAMAGED, message, number)
        for number, line in enumerate(text.split("\n"), start=1)
        if _MARK in line
    ]


def plausible_text(text: str) -> bool:
    """Reject decodings that are mostly control characters or private-use glyphs."""
    if not text:
        return False
    bad = _count(_IMPLAUSIBLE, text)
    return bad <= max(2, len(text) // 100)


#: Control characters (but tab and line feed) and private-use glyphs.
_IMPLAUSIBLE = re.compile("[\x00-\x08\x0b-\x1f\ue000-\uf8ff]")


def _count(pattern: re.Pattern, text: str) -> int:
    """How many characters of ``text`` the one-character ``pattern`` matches."""
    return sum(1 for _ in pattern.finditer(text))


def _non_ascii_count(text: str) -> int:
    """How many characters of ``text`` are beyond ASCII (counted in C, not per character)."""
    return len(text) - len(text.encode("ascii", errors="ignore"))


#: Blocks the characters of a Chinese report come from (beyond ASCII).
_CJK_RANGES = (
    (0x00A0, 0x024F),  # Latin-1 supplement and extensions: · × é
    (0x0370, 0x04FF),  # Greek, Cyrillic (in GBK)
    (0x2000, 0x27BF),  # punctuation, letterlike ℃, numbers Ⅰ①, arrows, maths ≥≤, boxes, shapes
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x33FF),  # CJK punctuation 、。「」, kana, bopomofo, enclosed, compatibility
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFEFF, 0xFEFF),  # BOM / zero-width no-break space
    (0xFF00, 0xFFEF),  # full-width forms （）：，％
    (0xFFFD, 0xFFFD),  # replacement character
    (0x20000, 0x3134F),  # CJK extensions B-G
    (0x10FFFD, 0x10FFFD),  # the damage marker
)
_SAMPLE = 200_000


#: One non-ASCII character outside every block of ``_CJK_RANGES``.
_UNFITTING = re.compile("[^\x00-\x7f" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES) + "]")


def cjk_plausible(text: str) -> bool:
    """True when the non-ASCII characters are those of Chinese text, not mojibake."""
    sample = text[:_SAMPLE]
    wide = _non_ascii_count(sample)
    if not wide:
        return True
    fitting = wide - _count(_UNFITTING, sample)
    return fitting >= 0.9 * wide
