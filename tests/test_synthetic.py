"""The synthetic corpus generator and the benchmark.

* the generator is deterministic and its ground truth is self-consistent
  (weights, totals and fund rows add up the way the templates say);
* every family and every physical form is produced;
* parse accuracy on a small corpus: exact for the families whose parser
  handles every generated quirk, known gaps (if any) left out of the exact
  check, and closed gaps pinned per quirk so they stay closed;
* a small-N smoke run of the whole benchmark (no timing assertions).
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal

import pytest

from pipeline.parse_stage import inventory, parse_files
from pipeline.document import Form, split_cells
from pipeline.synthetic import build_corpus, generate_file, plan
from pipeline.synthetic.layout import PIPE, TAB, TEXT
from pipeline.synthetic.truth import compare, summary
from pipeline.tables import build_tables
from pipeline.vocabulary import TEMPLATE_CURRENT, TEMPLATE_LEGACY, TEMPLATE_TARGET

SEED = 11
N = 150

#: Families whose parser reads every generated fact exactly (checked below).
EXACT_FAMILIES = (TEMPLATE_LEGACY, TEMPLATE_TARGET)
#: Known parser gaps: (family, quirk) generated faithfully but not yet parsed right.
KNOWN_GAPS: tuple[tuple[str, str], ...] = ()
#: Former gaps, now parsed exactly: each must occur in the corpus and read right.
CLOSED_GAPS = ((TEMPLATE_CURRENT, "name_split_across_page_break"),)


@pytest.fixture(scope="module")
def generated():
    return [generate_file(SEED, entry) for entry in plan(N, SEED)]


@pytest.fixture(scope="module")
def parsed_tables(tmp_path_factory, generated):
    corpus = build_corpus(tmp_path_factory.mktemp("bench"), N, SEED, workers=1)
    inv = inventory(corpus.raw_dir)
    results = parse_files(inv.files, cache_dir=None, workers=1)
    return build_tables(results, inv.manifest).arrow


def test_plan_and_files_are_deterministic():
    assert plan(N, SEED) == plan(N, SEED)
    assert sum(e.reports for e in plan(N, SEED)) == N
    entry = plan(N, SEED)[3]
    first, second = generate_file(SEED, entry), generate_file(SEED, entry)
    assert first.data == second.data
    assert first.reports == second.reports
    assert generate_file(SEED + 1, entry).data != first.data


def test_every_family_and_form_is_generated(generated):
    seen = {(g.plan.family, g.form) for g in generated}
    for family in (TEMPLATE_CURRENT, TEMPLATE_LEGACY, TEMPLATE_TARGET):
        assert {form for fam, form in seen if fam == family} == {TAB, PIPE, TEXT}, family


def test_physical_form_matches_the_document_model(generated):
    """Table rows of a file split into cells in the form it claims to be (markdown separators aside)."""
    expected = {TAB: Form.TAB, PIPE: Form.PIPE, TEXT: Form.TEXT}
    for g in generated[:40]:
        forms = {split_cells(line)[0] for line in g.text.splitlines() if "\t" in line or line.startswith("|")}
        if g.form == TEXT:
            assert not forms, g.source_file
        else:
            assert forms == {expected[g.form]}, g.source_file


QUIRKS = {
    TEMPLATE_CURRENT: {"level1_label_mid_span", "cost_label_mid_span", "label_in_wrong_column", "row_shifted_left",
                       "row_shifted_right", "page_break_in_table", "name_split_across_page_break", "fund_row_shifted",
                       "extra_column_missing", "spaced_goal_label", "level2_not_printed"},
    TEMPLATE_LEGACY: {"group_label_mid_span", "orphan_rows_before_group_label", "page_break_in_table",
                      "name_split_across_page_break", "value_spilled_into_next_cell"},
    TEMPLATE_TARGET: {"wrapped_project_name", "wrapped_name", "wrapped_value", "blank_line_inside_narrative",
                      "level2_not_printed"},
}


def test_every_layout_quirk_is_generated():
    """A few hundred reports carry every quirk of every family (so the accuracy tests cover them)."""
    seen: dict[str, set[str]] = {}
    for entry in plan(600, SEED):
        g = generate_file(SEED, entry)
        seen.setdefault(entry.family, set()).update(*g.quirks)
    for family, quirks in QUIRKS.items():
        assert quirks <= seen[family], quirks - seen[family]


def test_truth_adds_up(generated):
    """Weights and scores of the truth follow the templates' arithmetic."""
    for g in generated:
        for report in g.reports:
            p, inds = report.project, report.indicators
            assert 5 <= len(inds) <= 40
            assert [i.seq for i in inds] == list(range(1, len(inds) + 1))
            assert all(i.score <= i.weight for i in inds if i.weight is not None)
            if p.template == TEMPLATE_CURRENT:
                assert sum(i.weight for i in inds) == 90
                total, current, carry, other = report.funds
                for name in ("budget_initial_yuan", "budget_full_year_yuan", "executed_yuan"):
                    parts = sum(getattr(f, name) for f in (current, carry, other))
                    assert parts == getattr(total, name)
                assert p.total_score == total.score + sum(i.score for i in inds)
            elif p.template == TEMPLATE_LEGACY:
                groups = {s.component: s for s in report.scores}
                assert [groups[g].weight_sum for g in ("投入与管理", "产出目标", "效果目标", "影响力目标")] == [36, 34, 15, 15]
                assert p.total_score == sum(i.score for i in inds)
                assert p.evaluation_date.year == p.fiscal_year + 1
            else:
                assert all(i.weight is None and i.actual_raw is None for i in inds)
                assert p.project_total_budget_yuan >= report.funds[0].budget_full_year_yuan


def test_truth_money_is_exact(generated):
    for g in generated:
        for report in g.reports:
            for fund in report.funds:
                for value in (fund.budget_initial_yuan, fund.budget_full_year_yuan, fund.executed_yuan):
                    assert value is None or (isinstance(value, Decimal) and value == value.quantize(Decimal("0.01")))


@pytest.mark.parametrize("family", EXACT_FAMILIES)
def test_parse_accuracy_is_exact(generated, parsed_tables, family):
    files = [g for g in generated if g.plan.family == family]
    digest = summary(compare(files, parsed_tables))
    assert digest["by_family"][family] == 1.0, json.dumps(digest["worst_fields"][:5], ensure_ascii=False)


def test_current_template_is_exact_apart_from_known_gaps(generated, parsed_tables):
    files = [g for g in generated if g.plan.family == TEMPLATE_CURRENT]
    gaps = frozenset(q for fam, q in KNOWN_GAPS if fam == TEMPLATE_CURRENT)
    digest = summary(compare(files, parsed_tables, exclude_quirks=gaps))
    assert digest["accuracy"] == 1.0, json.dumps(digest["worst_fields"][:5], ensure_ascii=False)


@pytest.mark.parametrize("family,quirk", CLOSED_GAPS)
def test_closed_gap_stays_closed(generated, parsed_tables, family, quirk):
    files = [g for g in generated if g.plan.family == family]
    assert any(quirk in q for g in files for q in g.quirks), f"{quirk} not generated in this corpus"
    digest = summary(compare(files, parsed_tables))
    assert digest["by_quirk"][quirk] == 1.0, json.dumps(digest["worst_fields"][:5], ensure_ascii=False)


def test_benchmark_smoke(tmp_path):
    from bench.run import main

    figures = main(["--n", "12", "--seed", "5", "--bench-dir", str(tmp_path), "--accuracy-files", "0"])
    written = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    for key in ("reports", "seconds_total", "reports_per_second", "peak_rss_mb", "read_csv_seconds",
                "ratio_vs_read_csv", "incremental_seconds", "validation_seconds", "max_query_ms", "accuracy"):
        assert key in written and written[key] is not None, key
    assert written["reports"] == 12
    assert written["incremental"]["reparsed_files"] == 1
    assert written["incremental"]["patched"] is True
    # the rebuild ran in a fresh process, timed from its launch to its exit
    rebuild = written["incremental"]
    assert rebuild["integrity_failures"] == {}
    assert rebuild["seconds"] == written["incremental_seconds"]
    assert 0 < rebuild["startup_seconds"] and 0 <= rebuild["exit_seconds"]
    assert rebuild["startup_seconds"] + rebuild["build_seconds"] <= rebuild["seconds"] + 0.01
    assert set(rebuild["stage_peak_rss_mb"]) <= set(rebuild["stages"])
    # memory is reported per phase: the cold build, the queries, the incremental build
    assert written["peak_rss_mb"] > 0 and written["queries_peak_rss_mb"] > 0
    assert written["incremental"]["peak_rss_mb"] > 0
    assert set(written["stage_peak_rss_mb"]) == set(written["stage_seconds"])
    # CPU time of the process tree, per stage (the parse workers' included)
    assert set(written["stage_cpu_seconds"]) == set(written["stage_seconds"])
    assert written["stage_cpu_seconds"]["parse"] > 0 and written["incremental"]["cpu_seconds"] > 0
    assert written["cpu_seconds_total"] >= written["stage_cpu_seconds"]["parse"]
    assert set(written["stage_own_cpu_seconds"]) == set(written["stage_seconds"])
    assert all(0 <= own <= written["stage_cpu_seconds"][stage] + 0.01  # (rounded to 0.01)
               for stage, own in written["stage_own_cpu_seconds"].items())
    assert written["parsers"] in ("compiled", "python")
    # which interpreter ran it (the distribution's build and pyenv's differ by 10 % in speed)
    assert written["machine"]["python_home"] == sys.base_prefix
    # the Dagster graph, materialized whole on the same corpus
    assert written["dagster"]["success"] is True and written["dagster"]["peak_rss_mb"] > 0
    assert written["dagster"]["tables_built"] == "full: every file"
    # and again with one file changed: the graph patches its own build
    patched = written["dagster"]["patched"]
    assert patched["success"] is True and patched["tables_built"] == "patched: 1 file(s) parsed"
    # in a fresh process, timed from its launch
    assert patched["seconds"] > patched["in_process_seconds"] > 0 and patched["exit_seconds"] >= 0
    # with each step's time (the assets' and the integrity checks')
    assert {"raw_files", "tidy_tables", "quality_findings", "warehouse"} <= set(patched["step_seconds"])
    assert sum(step.endswith("_integrity") for step in patched["step_seconds"]) == 2
    assert all(seconds >= 0 for seconds in patched["step_seconds"].values())
    assert 0 < figures["accuracy"] <= 1
