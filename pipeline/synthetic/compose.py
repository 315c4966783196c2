"""Random building blocks shared by the family generators.

``Draft`` is what a family generator fills in: the logical lines, the ground
truth report, which record starts on which logical line, and the layout quirks
applied (so accuracy can be broken down by quirk).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.records import ProjectReport
from pipeline.synthetic import pools
from pipeline.synthetic.layout import Line


@dataclass
class FileStyle:
    """Choices shared by every report of one file (one export, one agency, one year)."""

    family: str
    form: str
    year: int
    agency: str
    unit: str
    year_in_title: bool
    variant: dict = field(default_factory=dict)


@dataclass
class Draft:
    """One generated project report: its lines, its truth and its quirks."""

    lines: list[Line] = field(default_factory=list)
    report: ProjectReport | None = None
    anchors: list[tuple[object, int]] = field(default_factory=list)  # (record, logical line index)
    quirks: set[str] = field(default_factory=set)

    def add(self, line: Line, *records: object) -> int:
        self.lines.append(line)
        index = len(self.lines) - 1
        for record in records:
            self.anchors.append((record, index))
        return index

    def anchor(self, record: object, index: int) -> None:
        self.anchors.append((record, index))


def integer_weights(rng: random.Random, count: int, total: int) -> list[int]:
    """``count`` positive integers summing to ``total`` (count <= total)."""
    weights = [1] * count
    for _ in range(total - count):
        weights[rng.randrange(count)] += 1
    return weights


def split_counts(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` rows split into ``parts`` groups of at least one row."""
    return integer_weights(rng, parts, total)


def unit_name(rng: random.Random, agency: str) -> str:
    if rng.random() < 0.15:
        return agency
    return agency + rng.choice(pools.UNIT_SUFFIXES)


def project_name(rng: random.Random, used: set[str]) -> str:
    for _ in range(50):
        name = rng.choice(pools.PROJECT_TOPICS) + rng.choice(pools.PROJECT_KINDS)
        if name not in used:
            used.add(name)
            return name
    name = f"{rng.choice(pools.PROJECT_TOPICS)}第{len(used) + 1}期{rng.choice(pools.PROJECT_KINDS)}"
    used.add(name)
    return name


def indicator_name(rng: random.Random, templates: tuple[str, ...]) -> str:
    template = rng.choice(templates)
    return template.format(o=rng.choice(pools.OBJECTS), a=rng.choice(pools.ACTIVITIES), s=rng.choice(pools.SERVED))


def sentence(rng: random.Random, clauses: int) -> str:
    """Clauses joined with full-width punctuation, ending with 。 ."""
    picked = [rng.choice(pools.NARRATIVE_CLAUSES) for _ in range(clauses)]
    return "，".join(picked) + "。"


def narrative(rng: random.Random, low: int = 2, high: int = 6, numbers: bool = False) -> str:
    """A paragraph; with ``numbers`` some figures are set off by single spaces, as PDF text prints them."""
    text = "".join(sentence(rng, rng.randint(1, 3)) for _ in range(rng.randint(low, high)))
    if numbers:
        # PDF text sets a figure off by a space before it: "…热线 365天，…"
        figure = rng.choice(("365天", "24小时", "12345热线", "12333热线", f"{rng.randint(2, 99)}人"))
        cut = rng.choice([i for i, ch in enumerate(text) if ch in "，。"])
        text = text[:cut] + " " + figure + text[cut:]
    return text


def deviation_reason(rng: random.Random) -> str:
    picked = rng.sample(pools.DEVIATION_CLAUSES, rng.randint(1, 2))
    return "；".join(picked) + "。"


def wrap_text(text: str, width: int) -> list[str]:
    """Hard line wraps as PDF text prints them: never at a space, never before punctuation."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > width:
        cut = start + width
        while cut > start + 1 and (text[cut - 1] == " " or text[cut] == " " or text[cut] in "，。；、）》"):
            cut -= 1
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def split_name(rng: random.Random, name: str, is_label=lambda text: False) -> tuple[str, str] | None:
    """A name cut in two (a wrapped cell or a name split across a page break).

    None when every cut leaves a tail that could be read as something else: a
    number or a category label.
    """
    cuts = list(range(max(1, len(name) - 4), len(name)))
    rng.shuffle(cuts)
    for cut in cuts:
        tail = name[cut:]
        if not any(ch.isdigit() for ch in tail) and not is_label(tail) and len(name[:cut]) >= 2:
            return name[:cut], tail
    return None


def pick_decimal(rng: random.Random, low: int, high: int, decimals: int) -> Decimal:
    scale = 10**decimals
    return Decimal(rng.randint(low * scale, high * scale)) / scale
