"""From bytes to parsed reports or a quarantine reason; duplicates."""

from __future__ import annotations

import dataclasses
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pipeline.families.dispatch as dispatch  # noqa: E402
import pipeline.ingest as ingest  # noqa: E402
from pipeline.document import Document  # noqa: E402
from pipeline.ingest import (  # noqa: E402
    DUPLICATE,
    PARSED,
    QUARANTINED,
    FileResult,
    content_fingerprint,
    mark_duplicates,
    parse_bytes,
    parse_raw_file,
)
from pipeline.records import ReportRejected  # noqa: E402
from pipeline.report_check import UnfitReport, fit_report  # noqa: E402
from pipeline.schema import TABLES  # noqa: E402
from pipeline.sources import RawFile  # noqa: E402
from pipeline.tables import build_tables, to_arrow  # noqa: E402
from tests import forms  # noqa: E402
from tests.runs import RAW as RAW_DIR  # noqa: E402
from tests.runs import facts  # noqa: E402
from tests.runs import SEED_PREFIXES, seed_text  # noqa: E402

SEEDS = {prefix: seed_text(prefix) for prefix in SEED_PREFIXES}
PROJECTS_IN_SEEDS = {"000": 4, "001": 1, "002": 2, "003": 4, "004": 2}




@pytest.fixture(scope="module")
def originals() -> dict[str, FileResult]:
    return {prefix: parse_bytes(f"{prefix}.txt", text.encode()) for prefix, text in SEEDS.items()}


def test_every_seed_parses_completely(originals):
    for prefix, result in originals.items():
        assert result.status == PARSED, (prefix, result.reason)
        assert result.rejections == []
        assert len(result.reports) == PROJECTS_IN_SEEDS[prefix]
        assert result.encoding == "utf-8"


SAVED_AGAIN = {
    "gbk": lambda t: t.encode("gbk"),
    "utf8-bom-crlf": lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode(),
    "cr-only": lambda t: t.replace("\n", "\r").encode(),
    "utf16-bom": lambda t: t.encode("utf-16"),
    "utf16be-no-bom": lambda t: t.encode("utf-16-be"),
    "no-break-spaces": lambda t: t.replace(" ", "\u00a0").encode(),
    "zero-width": lambda t: t.replace("项目", "项\u200b目\u200e").replace("\t", "\u2060\t").encode(),
}


@pytest.mark.parametrize("variant", list(SAVED_AGAIN))
@pytest.mark.parametrize("prefix", SEED_PREFIXES)
def test_the_same_report_saved_again_gives_the_same_facts(originals, prefix, variant):
    result = parse_bytes(f"{prefix}-{variant}.txt", SAVED_AGAIN[variant](SEEDS[prefix]))
    assert result.status == PARSED
    assert facts(result) == facts(originals[prefix])
    assert result.text_sha256 == originals[prefix].text_sha256


def test_the_content_fingerprint_ignores_layout_but_not_content():
    text = SEEDS["003"]
    base = content_fingerprint(Document.from_text("a", text))
    for render in (forms.to_tab, forms.to_pipe, forms.to_text, forms.with_blank_lines):
        assert content_fingerprint(Document.from_text("b", render(text))) == base
    changed = text.replace("187.92", "187.93", 1)
    assert content_fingerprint(Document.from_text("c", changed)) != base


def test_a_refused_file_is_quarantined_with_its_refusal():
    raw = RawFile("x.txt", Path("/nonexistent"), 5, None, "link points outside data/raw/: copy the file")
    result = parse_raw_file(raw)
    assert (result.status, result.reason) == (QUARANTINED, "link points outside data/raw/: copy the file")


def test_a_file_that_vanished_is_quarantined():
    result = parse_raw_file(RawFile("gone.txt", Path("/nonexistent/gone.txt"), 5, "ab" * 32))
    assert result.status == QUARANTINED and result.reason.startswith("cannot read file")


def test_text_without_a_report_title_names_how_the_file_starts():
    result = parse_bytes("notes.txt", "\n\n会议纪要：关于热线工作的安排\n一、时间\n".encode())
    assert result.status == QUARANTINED
    assert result.reason.startswith("unknown report family: no report title")
    assert "“会议纪要：关于热线工作的安排”" in result.reason
    assert result.reason_line == 3


def test_a_saved_web_page_is_called_one():
    result = parse_bytes("page.html", b"<!doctype html><html><body>Error 502</body></html>")
    assert "a web page (HTML)" in result.reason


def lines(prefix: str) -> list[str]:
    return SEEDS[prefix].split("\n")


def test_one_broken_project_does_not_lose_the_others(originals):
    broken = "\n".join(line for n, line in enumerate(lines("003"), start=1) if not 40 <= n <= 45)
    result = parse_bytes("x.txt", broken.encode())
    assert result.status == PARSED
    names = [r.project.project_name for r in result.reports]
    assert names == [r.project.project_name for i, r in enumerate(originals["003"].reports) if i != 1]
    [rejection] = result.rejections
    assert rejection.source_line == 34 and rejection.reason and rejection.family == "self_evaluation_2021"


def test_when_every_project_is_rejected_the_first_reason_is_given_and_the_rest_counted():
    text = "\n".join(line for line in lines("000") if not line.startswith(("项目资金", "\t\t项目资金")))
    text = "\n".join(line for line in text.split("\n") if "项目资金（万元）" not in line)
    result = parse_bytes("x.txt", text.encode())
    assert result.status == QUARANTINED
    assert result.reason.startswith("no report could be parsed: ")
    assert result.reason.endswith("(and 3 more rejected reports: see the rejections table)")
    assert result.reason_line == result.rejections[0].reason_line
    assert len(result.rejections) == 4


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_damaged_bytes_reject_only_the_project_they_are_in(originals, encoding):
    text = SEEDS["003"]
    head = "\n".join(lines("003")[:80]) + "\n"
    data = head.encode(encoding) + b"\xff" + text[len(head):].encode(encoding)
    result = parse_bytes("x.txt", data)
    assert result.status == PARSED and result.encoding == encoding
    assert [r.project.project_name for r in result.reports] == [
        r.project.project_name for i, r in enumerate(originals["003"].reports) if i != 2
    ]
    [rejection] = result.rejections
    assert rejection.source_line == 72 and rejection.reason_line == 81
    assert rejection.reason.startswith(f"damaged text at line 81: invalid {encoding.upper()} bytes")


def test_an_interrupted_download_is_named_in_the_rejection_of_the_cut_project():
    data = ("\n".join(lines("004")[:45]) + "\n").encode() + b"\x00" * 3000
    result = parse_bytes("x.txt", data)
    assert result.status == PARSED and len(result.reports) == 1
    [rejection] = result.rejections
    assert rejection.reason.endswith("also: 3000 NUL bytes at the end dropped: an interrupted download? (line 45)")


def test_a_cut_last_character_becomes_a_parse_note_of_the_last_project():
    data = ("\n".join(lines("000")[:27]) + "\n评分等级\t\t").encode() + "优".encode()[:2]
    result = parse_bytes("x.txt", data)
    assert result.status == PARSED
    notes = [(n.code, n.source_line) for n in result.reports[-1].notes if n.code.startswith("file_")]
    assert notes == [("file_cut_mid_character", 28)]


def test_a_crashing_family_parser_rejects_its_segment_only(monkeypatch):
    real = dispatch._PARSERS["self_evaluation_2021"]
    calls = []

    def flaky(segment):
        calls.append(segment.first_line)
        if len(calls) == 2:
            raise ZeroDivisionError("boom")
        return real(segment)

    monkeypatch.setitem(dispatch._PARSERS, "self_evaluation_2021", flaky)
    result = parse_bytes("x.txt", SEEDS["000"].encode())
    assert result.status == PARSED and len(result.reports) == 3
    assert result.rejections[0].reason == "parser error: ZeroDivisionError: boom"


def test_a_crash_outside_the_family_parsers_quarantines_the_file(monkeypatch):
    def broken(document):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(ingest, "parse_document", broken)
    result = parse_bytes("x.txt", SEEDS["000"].encode())
    assert result.status == QUARANTINED
    assert result.reason == "parser error: RecursionError: maximum recursion depth exceeded"


# --- facts the warehouse cannot store -----------------------------------------------


def first_report(prefix: str = "000"):
    return parse_bytes("x.txt", SEEDS[prefix].encode()).reports[0]


def test_every_seed_report_fits(originals):
    for result in originals.values():
        for report in result.reports:
            fit_report(report, 500)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda r: setattr(r.project, "project_name", ""), "项目名称 (project_name) is missing"),
        (lambda r: setattr(r.project, "template", None), "模板 (template) is missing"),
        (lambda r: setattr(r.funds[0], "executed_yuan", Decimal("1E+30")), "is too large"),
        (lambda r: setattr(r.funds[0], "executed_yuan", Decimal("1.005")), "more than 2 decimal places"),
        (lambda r: setattr(r.funds[0], "executed_yuan", Decimal("NaN")), "is NaN, not a number"),
        (lambda r: setattr(r.funds[0], "executed_yuan", 1.5), "not an exact decimal"),
        (lambda r: setattr(r.indicators[0], "seq", 40000), "40000 is out of range"),
        (lambda r: setattr(r.indicators[0], "seq", True), "not a whole number"),
        (lambda r: setattr(r.indicators[0], "source_line", 9999), "9999 is not a line of the file"),
        (lambda r: setattr(r.indicators[0], "source_line", 0), "0 is not a line of the file"),
        (lambda r: setattr(r.indicators[1], "seq", r.indicators[0].seq), "two indicators with the same seq"),
        (lambda r: setattr(r.project, "evaluation_date", "2024-01-01"), "not a date"),
        (lambda r: setattr(r.project, "is_recurring", "是"), "not yes/no"),
        (lambda r: setattr(r.project, "title", b"bytes"), "not text"),
        (lambda r: setattr(r.project, "title", "bad \udcff"), "not valid Unicode"),
        (lambda r: r.indicators.append("not a record"), "a str among the indicators"),
        (lambda r: setattr(r.funds[1], "fund_source", r.funds[0].fund_source), "two fund rows with the same"),
    ],
)
def test_a_fact_the_warehouse_cannot_store_is_named(spoil, message):
    report = first_report()
    spoil(report)
    with pytest.raises(UnfitReport) as caught:
        fit_report(report, 94)
    assert message in caught.value.reason


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda r: setattr(r.indicators[0], "weight", Decimal("-5")), "weight -5 is outside 0..100"),
        (lambda r: setattr(r.funds[0], "executed_yuan", Decimal("-1.00")), "executed_yuan -1.00 is outside 0.."),
        (lambda r: setattr(r.project, "fiscal_year", 1900), "fiscal_year 1900 is outside 1990..2100"),
        (
            lambda r: setattr(r.indicators[0], "level1", "投入与管理"),
            "category 投入与管理 / 数量指标 is not in the vocabulary of template self_evaluation_2021",
        ),
        (lambda r: setattr(r.indicators[0], "target_operator", "≈"), "target_operator '≈' is not one of"),
        (lambda r: setattr(r.scores[0], "weight_sum", Decimal("126")), "weight_sum 126 is outside 0..100"),
        (lambda r: setattr(r.indicators[0], "source_line_end", r.indicators[0].source_line - 1), "source_line_end"),
    ],
)
def test_a_fact_the_integrity_checks_would_refuse_is_named_with_the_rule(spoil, message):
    """One such report would otherwise block publishing the whole warehouse."""
    report = first_report()
    spoil(report)
    with pytest.raises(UnfitReport) as caught:
        fit_report(report, 94)
    assert message in caught.value.reason and "(rule: " in caught.value.reason


def test_exact_trailing_zeros_are_rescaled_not_rejected():
    report = first_report()
    report.funds[0].executed_yuan = Decimal("55070152.0000")  # 5507.0152 万元
    fit_report(report, 94)
    assert report.funds[0].executed_yuan == Decimal("55070152.00")
    assert report.funds[0].executed_yuan.as_tuple().exponent == -2


def test_a_parser_returning_unstorable_facts_gives_a_rejection(monkeypatch):
    real = dispatch._PARSERS["self_evaluation_2021"]

    def sloppy(segment):
        report = real(segment)
        if segment.first_line > 40:
            report.indicators[0].weight = Decimal("123456789012.5")
        return report

    monkeypatch.setitem(dispatch._PARSERS, "self_evaluation_2021", sloppy)
    result = parse_bytes("x.txt", SEEDS["000"].encode())
    assert result.status == PARSED and len(result.reports) == 2
    assert [r.source_line for r in result.rejections] == [52, 76]
    assert all(r.reason.startswith("cannot be stored: indicator at line ") for r in result.rejections)
    assert "is too large" in result.rejections[0].reason
    build_tables([result], {})  # and the tables build


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    value=st.decimals(allow_nan=True, allow_infinity=True)
    | st.decimals(min_value=-(10**19), max_value=10**19, places=6),
    column=st.sampled_from(["executed_yuan", "execution_rate_reported_pct", "weight"]),
)
def test_what_fits_can_be_written_by_the_tables(value, column):
    """The check must never accept a value the tables would refuse to write."""
    report = first_report()
    setattr(report.funds[0], column, value)
    try:
        fit_report(report, 94)
    except UnfitReport:
        return
    row = dataclasses.asdict(report.funds[0]) | {"project_id": "p", "source_file": "f"}
    to_arrow(TABLES["funds"], [row])


# --- duplicates -----------------------------------------------------------------


def parsed(name: str, fingerprint: str, status: str = PARSED) -> FileResult:
    return FileResult(name, name * 2, 1, status, text_sha256=fingerprint)


def test_later_copies_become_duplicates_of_the_first_by_name():
    files = [parsed("c.txt", "T"), parsed("a.txt", "T"), parsed("b.txt", "U"), parsed("d/e.txt", "T")]
    results = mark_duplicates(files)
    status = {r.source_file: (r.status, r.duplicate_of) for r in results}
    assert status == {
        "a.txt": (PARSED, None),
        "b.txt": (PARSED, None),
        "c.txt": (DUPLICATE, "a.txt"),
        "d/e.txt": (DUPLICATE, "a.txt"),
    }
    assert results[0].reason == "same report as a.txt (its projects are counted once, from that file)"


def test_quarantined_files_are_never_duplicates():
    results = mark_duplicates([parsed("a.txt", "T", QUARANTINED), parsed("b.txt", "T")])
    assert [r.status for r in results] == [QUARANTINED, PARSED]


def test_reports_rejected_by_parsers_keep_their_family_and_line():
    with pytest.raises(ReportRejected):
        raise ReportRejected("x", 1)  # the exception type parsers use
    result = parse_bytes("t.txt", "财政项目支出绩效自评表\n".encode())
    [rejection] = result.rejections
    assert rejection.family == "self_evaluation_2021" and rejection.source_line == 1


DAMAGED_FIRST_TITLES = [
    # (seed file, its first title, the title damaged)
    ("000_a594e32171d85801.txt", "财政项目支出绩效自我评价", "财政项目甲支出绩效自我评价"),
    ("002_7afd7b1555bf85c6.txt", "财政项目支出绩效目标表", "财政项目支出绩效目X表"),
    ("003_c5fddddb41e6eafd.txt", "财政项目支出绩效自评表", "财政项目支出绩X自评表"),
]


@pytest.mark.parametrize("name, title, damaged", DAMAGED_FIRST_TITLES, ids=lambda v: str(v)[:3])
def test_a_damaged_first_title_never_loses_its_report(name, title, damaged):
    """Rows before the first recognised title that hold a 项目名称 row are a report whose
    title is missing: parsed (with a report_title_missing note) like the others, never dropped,
    and with everything printed above its 项目名称 row (year line, 申报单位名称): only the
    title is unknown."""
    data = (RAW_DIR / name).read_bytes()
    broken = data.replace(title.encode(), damaged.encode(), 1)
    assert broken != data
    intact, result = parse_bytes(name, data), parse_bytes(name, broken)
    assert result.status == "parsed" and not result.rejections
    assert [r.project.project_name for r in result.reports] == [r.project.project_name for r in intact.reports]
    first, first_intact = result.reports[0], intact.reports[0]
    assert [n.code for n in first.notes if n.code == "report_title_missing"] == ["report_title_missing"]
    assert first.project.title is None and first_intact.project.title == title
    assert dataclasses.replace(first.project, title=title) == first_intact.project
    assert (first.funds, first.indicators, first.scores) == (first_intact.funds, first_intact.indicators,
                                                             first_intact.scores)
    assert [n for n in first.notes if n.code != "report_title_missing"] == first_intact.notes
    assert [r for r in result.reports[1:]] == intact.reports[1:]


def test_rows_before_the_first_title_without_a_project_are_still_ignored():
    data = (RAW_DIR / "003_c5fddddb41e6eafd.txt").read_bytes()
    result = parse_bytes("x.txt", "附件2\n上海市某局 2021 年度\n\n".encode() + data)
    intact = parse_bytes("x.txt", data)
    assert len(result.reports) == len(intact.reports) and not result.rejections
