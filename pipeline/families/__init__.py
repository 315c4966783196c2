"""Report families: detect which template a document holds, split it into one
segment per project report, and hand each segment to its family's parser.

Every family module exposes ``FAMILY`` (its name), ``is_title(row)`` (does this
row open a report of the family?) and ``parse(segment) -> ProjectReport``; it may
expose ``split_segment(segment) -> list[Segment]`` to cut a segment where a new
report starts without a title line. ``dispatch`` does the detecting, splitting
and handing over; its public names are re-exported here.
"""

from pipeline.families.dispatch import (
    FAMILIES,
    DocumentParse,
    Rejection,
    family_of,
    parse_document,
    split_segments,
    with_clean_names,
)

__all__ = ["FAMILIES", "DocumentParse", "Rejection", "family_of", "parse_document", "split_segments", "with_clean_names"]
