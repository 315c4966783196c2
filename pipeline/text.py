"""Text cleaning shared by every parser.

Two kinds of cleaning, kept apart on purpose:

* ``clean_text`` cleans a *value* for storage: HTML/markdown remnants, zero-width
  characters, no-break spaces and surrounding whitespace go; Chinese punctuation
  stays exactly as printed.
* ``label_key`` turns a *label* into a matching key: NFKC-folded (full-width to
  half-width), all whitespace and trailing colons removed. Never stored.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_TAG = re.compile(r"</?\s*[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_BREAK_TAG = re.compile(r"<\s*br\s*/?>", re.IGNORECASE)
#: Characters that show nothing: zero-width spaces and joiners, BOM, soft hyphen,
#: direction marks and embeddings, invisible operators, and control characters
#: (tab, the cell separator, is kept).
_INVISIBLE = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u2061\u2062\u2063\u2064\ufff9\ufffa\ufffb"
)
_CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)))
#: The invisible characters as one class (``re.sub`` removes them far faster than ``str.translate``).
_ZERO_WIDTH = re.compile("[" + re.escape(_INVISIBLE + _CONTROLS) + "]")
_SPACE_LIKE = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_WS_RUN = re.compile(r"[ \t]+")
#: Anything ``clean_text`` would change besides outer whitespace: markup starts,
#: entities, invisible/control characters, exotic spaces, tabs and space runs.
_NEEDS_CLEANING = re.compile(
    "[<&#*_\t" + re.escape(_INVISIBLE + _CONTROLS) + "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]|  "
)
_WS_ANY = re.compile(r"\s+")
_FULLWIDTH_ASCII = re.compile("[\uff01-\uff5e]")
#: Labels and short values repeat across rows and reports; long texts rarely do.
_CACHE_SIZE = 1 << 16


#: Any character ``strip_invisible`` removes or replaces.
_INVISIBLE_OR_SPACE_LIKE = re.compile(_ZERO_WIDTH.pattern[:-1] + _SPACE_LIKE.pattern[1:])


def strip_invisible(text: str) -> str:
    """Remove zero-width characters and turn exotic spaces into plain spaces."""
    if not _INVISIBLE_OR_SPACE_LIKE.search(text):
        return text  # the common case: one scan instead of two substitutions
    return _SPACE_LIKE.sub(" ", _ZERO_WIDTH.sub("", text))


@lru_cache(maxsize=_CACHE_SIZE)
def clean_text(text: str | None) -> str:
    """A stored value: no markup, no invisible characters, no outer whitespace."""
    if not text:
        return ""
    if not _NEEDS_CLEANING.search(text):
        return text.strip()  # the common case: nothing below would change it
    text = strip_invisible(text)
    text = _BREAK_TAG.sub(" ", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _MD_HEADING.sub("", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    text = _WS_RUN.sub(" ", text)
    return text.strip()


#: Anything ``clean_text`` would change besides whitespace: markup starts, entities,
#: invisible and control characters (exotic spaces and space runs only move word breaks).
_NEEDS_MORE_THAN_SPACES = re.compile("[<&#*_" + re.escape(_INVISIBLE + _CONTROLS) + "]")


def clean_words(text: str) -> list[str]:
    """``clean_text(text).split()``: the words of a PDF text line.

    A line with nothing to clean but its spacing is split as it is: ``str.split``
    already breaks at every space ``clean_text`` would fold (and the long line
    stays out of ``clean_text``'s cache).
    """
    if _NEEDS_MORE_THAN_SPACES.search(text) is None:
        return text.split()
    return clean_text(text).split()


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, several times faster on Chinese text.

    Full normalization is slow, and Chinese text is rarely NFKC only because of
    its full-width punctuation (，：（）). Those characters are first replaced by
    their compatibility decompositions (``，`` U+FF0C -> ``,``), which leaves
    the normal form unchanged and most often nothing else to normalize.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    text = _FULLWIDTH_ASCII.sub(_halfwidth, text)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _halfwidth(match: re.Match) -> str:
    """The ASCII character a full-width form (U+FF01..U+FF5E) decomposes to."""
    return chr(ord(match.group()) - 0xFEE0)


@lru_cache(maxsize=_CACHE_SIZE)
def label_key(text: str | None) -> str:
    """A key for comparing labels: width-folded, no whitespace, no trailing colon."""
    text = nfkc(clean_text(text))
    text = _WS_ANY.sub("", text)
    return text.rstrip(":")


#: Whitespace between two CJK ideographs: left by a ``<br>`` or a full-width space inside a
#: merged cell, never meaningful inside a name.
_SPACE_BETWEEN_IDEOGRAPHS = re.compile(r"(?<=[\u3400-\u4dbf\u4e00-\u9fff])\s+(?=[\u3400-\u4dbf\u4e00-\u9fff])")


def clean_name(text: str | None) -> str | None:
    """A project or indicator name: like ``clean_text``, and no whitespace between two
    Chinese characters (``政府聘用<br>辅助人员经费`` -> ``政府聘用辅助人员经费``)."""
    if text is None:
        return None
    return _SPACE_BETWEEN_IDEOGRAPHS.sub("", clean_text(text))


def join_wrapped(parts: list[str]) -> str:
    """Join the pieces of one value that a hard line wrap split.

    CJK text wraps without a space; a space is kept only between two
    latin/digit runs, where the original surely had one.
    """
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and part[0].isascii() and part[0].isalpha():
            out += " "
        out += part
    return out
