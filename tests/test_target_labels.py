"""Category label rules of the performance target table parser, on small synthetic reports
(pipeline/families/target_labels.py): labels taken off rows in either vocabulary, labels a
wrap split, rows printing no category, centred labels. The other rules are in
test_target_rules.py.
"""

from __future__ import annotations

from pipeline.document import Document
from pipeline.families import parse_document
from pipeline.report_contract import check_report
from pipeline.vocabulary import CURRENT_TREE, LEGACY_TREE, TEMPLATE_TARGET
from target_parse import grid_of, kept_notes, parse_one, synthetic


def test_level1_inferred_from_level2_when_the_level1_label_is_missing():
    grid = "满意度 综合满意度 >97%\n投入与管理\n财务管理 专款专用率 =1"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert grid_of(report) == [
        ("效果目标", "满意度", "综合满意度", ">97%"),
        ("投入与管理", "财务管理", "专款专用率", "=1"),
    ]
    assert report.indicators[0].level1_raw is None
    assert "level1_inferred_from_level2" in [n.code for n in report.notes]


def test_indicator_named_like_a_category_label():
    grid = "效果目标\n满意度\n满意度 >90%"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert grid_of(report) == [("效果目标", "满意度", "满意度", ">90%")]


def test_wrapped_category_labels_are_joined_by_the_vocabulary():
    """Bug: 投入与管 + 理 became an indicator named 投入与管理 with no category (report quarantined)."""
    grid = "投入与管\n理\n投入管理 预算执行率 >95%\n财务管理 资金使用规范性 规范\n产出目标 数\n量 网格巡查覆盖率 =100%"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert grid_of(report) == [
        ("投入与管理", "投入管理", "预算执行率", ">95%"),
        ("投入与管理", "财务管理", "资金使用规范性", "规范"),
        ("产出目标", "数量", "网格巡查覆盖率", "=100%"),
    ]
    assert [i.level1_raw for i in report.indicators] == ["投入与管理", "投入与管理", "产出目标"]
    assert [(n.code, n.source_line) for n in kept_notes(report)] == [
        ("category_label_wrapped", 6),
        ("category_label_wrapped", 10),
    ]


def test_rows_above_centred_labels_take_the_label_below():
    """Bug: the first grid row sat above its centred label and the report was quarantined."""
    grid = (
        "预算编制合理性 合理\n"
        "投入与管理 投入管理 预算执行率 >95%\n"
        "预算资金到位率 =100%\n"
        "财务管理制度健全性 健全\n"
        "财务管理 财务监控有效性 有效\n"
        "资金使用规范性 规范\n"
        "数量 转接接通率 >86%\n"
        "产出目标 质量 先行联系率 =100%\n"
        "时效 工单办理及时情况 及时"
    )
    report = parse_one(synthetic("项目名称： 测试", grid))
    im, out = "投入与管理", "产出目标"
    assert grid_of(report) == [
        (im, "投入管理", "预算编制合理性", "合理"),
        (im, "投入管理", "预算执行率", ">95%"),
        (im, "投入管理", "预算资金到位率", "=100%"),
        (im, "财务管理", "财务管理制度健全性", "健全"),
        (im, "财务管理", "财务监控有效性", "有效"),
        (im, "财务管理", "资金使用规范性", "规范"),
        (out, "数量", "转接接通率", ">86%"),
        (out, "质量", "先行联系率", "=100%"),
        (out, "时效", "工单办理及时情况", "及时"),
    ]
    assert [(n.code, n.source_line) for n in kept_notes(report)] == [
        ("orphan_row_assigned_to_next_label", 5),
        ("category_uncertain", 7),
        ("orphan_row_assigned_by_keyword", 8),
        ("category_uncertain", 10),
        ("level1_inferred_from_level2", 11),
    ]


def test_label_printed_mid_span_never_misgroups_silently():
    """Probe v23b: a level-2 label centred in its span; the row above it names that category."""
    grid = (
        "投入与管理 投入管理 预算编制合理性 合理\n"
        "预算执行率 >95%\n"
        "财务管理制度健全性 健全\n"
        "财务管理 财务监控有效性 有效\n"
        "资金使用规范性 规范\n"
        "数量 转接接通率 >86%\n"
        "产出目标 质量 先行联系率 =100%"
    )
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert [(i.name, i.level2) for i in report.indicators] == [
        ("预算编制合理性", "投入管理"),
        ("预算执行率", "投入管理"),
        ("财务管理制度健全性", "财务管理"),
        ("财务监控有效性", "财务管理"),
        ("资金使用规范性", "财务管理"),
        ("转接接通率", "数量"),
        ("先行联系率", "质量"),
    ]
    assert [(n.code, n.source_line) for n in kept_notes(report)] == [
        ("category_uncertain", 6),
        ("orphan_row_assigned_by_keyword", 7),
        ("category_uncertain", 9),
        ("level1_inferred_from_level2", 10),
    ]


def test_top_aligned_level2_label_moves_a_row_only_on_keyword_evidence():
    grid = (
        "投入与管理\n投入管理 预算编制合理性 合理\n预算执行率 >95%\n财务管理制度健全性 健全\n"
        "财务管理 财务监控有效性 有效\n效果目标\n社会效益 按时办结率 =100%\n诉求解决率 >98%\n满意度 市民满意率 >98%"
    )
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert [(i.name, i.level2) for i in report.indicators] == [
        ("预算编制合理性", "投入管理"),
        ("预算执行率", "投入管理"),
        ("财务管理制度健全性", "财务管理"),
        ("财务监控有效性", "财务管理"),
        ("按时办结率", "社会效益"),
        ("诉求解决率", "社会效益"),
        ("市民满意率", "满意度"),
    ]
    assert [(n.code, n.source_line) for n in kept_notes(report)] == [("orphan_row_assigned_by_keyword", 8)]


def test_grid_without_any_category_label_is_rejected_naming_the_line():
    text = synthetic("项目名称： 测试", "预算编制合理性 合理\n预算执行率 >95%")
    result = parse_document(Document.from_text("bad.txt", text))
    assert result.reports == []
    assert [(r.reason, r.reason_line) for r in result.rejections] == [
        ("no category label before the first target row (line 5)", 5)
    ]


NATIONAL_GRID = (
    "产出指标\n"
    "数量指标 巡查覆盖街镇数 ≥215个\n"
    "质量 问题整改率 =100%\n"
    "效益指标\n"
    "社会效益指标 市民投诉率 ≤0.5%\n"
    "满意度指标\n"
    "服务对象满意度指标 市民满意度 ≥90%"
)


def test_national_vocabulary_is_read():
    """Bug: a target table printing 产出指标/数量指标 … was rejected for having no category label."""
    text = synthetic("项目名称： 测试", NATIONAL_GRID).replace("一级目标 二级目标 三级目标 指标目标值", "一级指标 二级指标 三级指标 指标值")
    report = parse_one(text)
    assert grid_of(report) == [
        ("产出指标", "数量指标", "巡查覆盖街镇数", "≥215个"),
        ("产出指标", "质量指标", "问题整改率", "=100%"),
        ("效益指标", "社会效益指标", "市民投诉率", "≤0.5%"),
        ("满意度指标", "服务对象满意度指标", "市民满意度", "≥90%"),
    ]
    assert [i.level2_raw for i in report.indicators] == ["数量指标", "质量", "社会效益指标", "服务对象满意度指标"]
    assert report.notes == []
    check_report(report)  # the integrity suite's category_path set admits the national paths


def test_both_vocabularies_admitted_by_the_integrity_suite():
    from pipeline.report_contract import row_rules

    rule = next(r for r in row_rules("indicators") if r["kwargs"].get("column") == "category_path")
    admitted = set(rule["kwargs"]["value_set"])
    for tree in (LEGACY_TREE, CURRENT_TREE):
        for level1, children in tree.items():
            assert {f"{TEMPLATE_TARGET}|{level1}|{child}" for child in children} <= admitted


def test_row_with_a_level1_label_and_no_level2_keeps_level2_empty_and_the_report():
    # 影响力目标's first row prints no level-2 label; the row below prints its own
    grid = "影响力目标 对项目的长期发展应该有相应的管理措施 建立\n人力资源 人员配备 满足"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert grid_of(report) == [
        ("影响力目标", None, "对项目的长期发展应该有相应的管理措施", "建立"),
        ("影响力目标", "人力资源", "人员配备", "满足"),
    ]
    [note] = [n for n in report.notes if n.code == "level2_missing"]
    assert note.source_line == report.indicators[0].source_line and "left empty" in note.message
    check_report(report)  # the warehouse admits an empty level 2 (the report is not rejected)


def test_row_with_a_level1_label_and_no_level2_takes_its_only_level2():
    grid = "满意度指标 服务对象满意度 ≥90%"
    report = parse_one(synthetic("项目名称： 测试", grid))
    assert grid_of(report) == [("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%")]
    assert [n.code for n in report.notes if n.code == "level2_missing"] == ["level2_missing"]
