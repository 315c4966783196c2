"""Re-render a report in another physical form, row by row, for form-independence tests.

The transformation is mechanical and family-agnostic: every line is split into
cells by the document model and written back as tab-separated cells, a markdown
pipe row, or space-separated PDF-like text (where empty cells vanish, as they do
in real PDF text).
"""

from __future__ import annotations

from pipeline.document import Form, split_cells


def _lines(text: str) -> list[tuple[Form, tuple[str, ...], str]]:
    out = []
    for line in text.splitlines():
        form, cells = split_cells(line)
        if form is Form.PIPE and not cells:
            continue  # markdown separator row
        out.append((form, cells, line))
    return out


def to_tab(text: str) -> str:
    return "\n".join("\t".join(cells) for _, cells, _ in _lines(text)) + "\n"


def to_pipe(text: str) -> str:
    rows = []
    for _, cells, _ in _lines(text):
        rows.append("| " + " | ".join(cells) + " |" if any(cells) else "")
    return "\n".join(rows) + "\n"


def to_text(text: str) -> str:
    return "\n".join(" ".join(c for c in cells if c) for _, cells, _ in _lines(text)) + "\n"


def with_blank_lines(text: str, every: int = 1) -> str:
    """Insert a blank line after every ``every`` lines (a page break between rows)."""
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        out.append(line)
        if i % every == 0:
            out.append("")
    return "\n".join(out) + "\n"


FORMS = {"tab": to_tab, "pipe": to_pipe, "text": to_text}
