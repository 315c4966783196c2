"""Parsing helper shared by the older self-evaluation tests: every legacy
segment of a text parsed by the family parser itself.
"""

from __future__ import annotations

from pipeline.document import Document
from pipeline.families import self_eval_legacy, split_segments

FAMILY = self_eval_legacy.FAMILY


def parse_text(text: str, name: str = "test.txt"):
    """Every legacy segment of ``text`` parsed by the family parser itself (errors surface)."""
    document = Document.from_text(name, text)
    return [self_eval_legacy.parse(s) for s in split_segments(document) if s.family == FAMILY]
