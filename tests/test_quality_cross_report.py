"""The check across reports (pipeline/quality/cross_report.py): last year's figures a
report prints match the previous year's report of the same project, found by budget,
unit and a similar name."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.quality.cross_report import match_prior_year_reports, similarity, similarity_if_reachable
from pipeline.quality.data import CheckData
from pipeline.quality.findings import find_all
from tests.quality_fixtures import legacy_report, tables_of, target_report


def prior_pair(target_executed="70784807", target_name="热线咨询平台项目经费", legacy_name="热线全媒体智能咨询平台项目经费",
               legacy_budget="70,785,200.00", legacy_executed="70,784,807.00", target_unit=None):
    target = target_report(name=target_name, prior_executed=target_executed)
    if target_unit:
        target.project.implementing_unit = target_unit
    legacy = legacy_report(name=legacy_name, budget=legacy_budget, executed=legacy_executed, rate="100.00%")
    return tables_of(("001.txt", [legacy]), ("002.txt", [target]))


def test_prior_year_figures_match_the_previous_report_despite_different_names():
    tables = prior_pair()
    matches = match_prior_year_reports(CheckData.from_tables(tables))
    assert len(matches) == 1
    assert find_all(tables).to_pandas().query("check_name == 'prior_year_matches_previous_report'").empty


def test_prior_year_figures_that_differ_are_flagged():
    df = find_all(prior_pair(target_executed="70000000")).to_pandas()
    hits = df[df["check_name"] == "prior_year_matches_previous_report"]
    assert list(hits["row_key"]) == ["fiscal_year=2019;fund_source=total"]
    assert hits.iloc[0]["source_file"] == "002.txt"
    assert "001.txt" in hits.iloc[0]["expected"]


def test_prior_year_match_by_unit_and_similar_name_when_the_budget_differs():
    df = find_all(prior_pair(legacy_budget="70,000,000.00", legacy_executed="70,000,000.00",
                             legacy_name="热线咨询平台项目经费")).to_pandas()
    assert "prior_year_matches_previous_report" in set(df["check_name"])


def test_no_match_for_an_unrelated_project():
    tables = prior_pair(legacy_budget="1,000,000.00", legacy_executed="1,000,000.00", legacy_name="社区服务体系管理")
    assert match_prior_year_reports(CheckData.from_tables(tables)).empty


def test_ambiguous_previous_reports_are_not_compared():
    target = target_report(prior_executed="1")
    twins = [legacy_report(name="热线咨询平台项目经费A", budget="70,785,200.00", executed="70,784,807.00"),
             legacy_report(name="热线咨询平台项目经费B", budget="70,785,200.00", executed="70,784,807.00")]
    tables = tables_of(("001.txt", twins), ("002.txt", [target]))
    assert match_prior_year_reports(CheckData.from_tables(tables)).empty


@given(st.text(alphabet="项目经费热线平台咨询服务123", max_size=12), st.text(alphabet="项目经费热线平台咨询服务123", max_size=12),
       st.sampled_from([0.0, 0.5, 0.75, 0.9]))
def test_similarity_if_reachable_is_exact_whenever_it_could_matter(a, b, needed):
    exact = similarity(a, b)
    quick = similarity_if_reachable(a, b, needed)
    assert quick == exact or (quick == 0.0 and exact < needed)
