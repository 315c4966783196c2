"""Expected facts of seed 000 (2023 self-evaluations, 上海市人力资源和社会保障局).

Written by hand from the raw text of data/raw/000_a594e32171d85801.txt, not
from parser output. Decimals are strings; line numbers are 1-based lines of
the raw file. The tuple layouts are FUND_COLUMNS, INDICATOR_COLUMNS and
SCORE_COLUMNS in tests/test_self_eval_current.py.

Hand checks (DOMAIN-RULES §5):
* C7: indicator weights sum to 90 in every project (A 65+15+10, B 60+20+10,
  C 45+35+10, D 50+20+20), fund 分数 10, printed max 100.
* C8: A 10+90=100, B 10+90=100, C 10+86=96, D 9.78+88.86=98.64.
* Indicator counts: A 12, B 8, C 10, D 6 = 36.
"""

SOURCE = "000_a594e32171d85801.txt"

from golden.current_helpers import A, COST, EFF, MET, OUT, P, PART, QTY, QUA, SAT, SOC, SRV, SUS, TIM, project

DEPARTMENT = "上海市人力资源和社会保障局"
UNIT = "上海市人力资源和社会保障局咨询服务中心"
TITLE = "财政项目支出绩效自我评价"

INDICATOR_COUNTS = (12, 8, 10, 6)


def _project(name, line, total, expected, actual):
    # fiscal year: no year printed; the table stage takes it from the manifest
    return project(
        title=TITLE, department=DEPARTMENT, unit=UNIT, fiscal_year=None, fiscal_year_source=None,
        name=name, line=line, total=total, expected=expected, actual=actual,
    )


_GOAL_A = (
    "由于中心办公场地实行24小时不间断、三班轮岗的工作模式且工作场所规模较大，"
    "保障12333咨询服务平台设备及场地的维修维护，保障中心电力供应。"
)
_GOAL_B_EXPECTED = (
    "建立并完善咨询中心对第三方服务商的监督与考核机制，开展1次审计工作，并针对第三方服务情况，"
    "每季度向市民群众开展一次12333热线咨询服务满意度测评，年末开展1次12345热线咨询服务年度满意度测评，"
    "全年共计开展6次，样本量不低于500人，受访对象的综合满意度达到97%以上，"
    "对在审计、满意度测评工作中发现的问题进行整改，为社会公众提供更为优质的咨询服务。"
)
_GOAL_B_ACTUAL = (
    "建立并完善咨询中心对第三方服务商的监督与考核机制，开展1次审计工作，并针对第三方服务情况，"
    "每季度向市民群众开展一次12333热线咨询服务满意度测评，开展2次12345热线咨询服务满意度测评，"
    "全年共计开展6次，样本量不低于500人，受访对象的综合满意度达到97%以上，"
    "对在审计、满意度测评工作中发现的问题进行整改，为社会公众提供更为优质的咨询服务。"
)
_GOAL_C = (
    "租赁坐席，及时排除12333热线平台故障，保障12333热线平台全年365天正常运行，"
    "及时为社会公众解决政策咨询、信息查询等问题。并建立健全的长效管理制度，通过培训和考核，"
    "确保服务人员的咨询服务质量达到98%以上，综合接通率达到80%，投诉率低于千分之六，"
    "群众对服务的综合满意度达到97%以上。"
)
_GOAL_D_EXPECTED = (
    "为全面对接“12345”市民服务热线各项工作，及时处理工单和提供知识库内容、转接座席设置、政策培训、"
    "派驻指导老师等工作，努力完成“12345”市民热线的各项考核指标，使“12345”市民服务热线满意、使人民群众满意。"
)
_GOAL_D_ACTUAL = (
    "为全面对接“12345”市民服务热线各项工作，及时处理工单和提供知识库内容、转接座席设置、政策培训、"
    "派驻指导老师等工作，完成“12345”市民热线的各项考核指标，使“12345”市民服务热线满意、使人民群众满意。"
)


def _funds(first_line, total_label, amount, amount_yuan, executed, executed_yuan, rate, score):
    """The four fund rows of a 2023 report whose 年初 = 全年 and other sources are 0."""
    zero = ("0.00", "0")
    return [
        ("total", first_line, total_label, amount, amount_yuan, amount, amount_yuan,
         executed, executed_yuan, "10.00", rate, score),
        ("current_appropriation", first_line + 1, "其中：当年财政拨款", amount, amount_yuan, amount, amount_yuan,
         executed, executed_yuan, "-", rate, "-"),
        ("prior_carryover", first_line + 2, "上年结转资金", *zero, *zero, *zero, "-", "0.00", "-"),
        ("other", first_line + 3, "其他资金", *zero, *zero, *zero, "-", "0.00", "-"),
    ]


PROJECTS = [
    # --- 000A -------------------------------------------------------------------
    {
        "project": _project("12333咨询平台场地运行维护经费", 3, "100", _GOAL_A, _GOAL_A),
        "funds": _funds(8, "年度资金总额", "108.70", "1087000", "108.70", "1087000", "100.00", "10.00"),
        "indicators": [
            (15, OUT, QTY, OUT, QTY, "设备维护工作完成率", "100", None, "100", None, MET, None, None, None, A, "10.00", "10.00", None),
            (16, OUT, QTY, OUT, QTY, "场地保洁完成情况", "2", None, "2", None, MET, None, None, None, A, "10.00", "10.00", None),
            (17, OUT, QTY, OUT, QTY, "月度电费结算完成情况", "12.00", None, "12.00", None, MET, None, None, None, A, "5.00", "5.00", None),
            (18, OUT, QUA, OUT, QUA, "场地清洁达标率", "100", None, "100", None, MET, None, None, None, A, "10.00", "10.00", None),
            (19, OUT, QUA, OUT, QUA, "设备维护达标率", "100", None, "100", None, MET, None, None, None, A, "10.00", "10.00", None),
            (20, OUT, QUA, OUT, QUA, "费用结算准确率", "100", None, "100", None, MET, None, None, None, A, "10.00", "10.00", None),
            (21, OUT, TIM, OUT, TIM, "设备场地维修维护及时性", "及时", None, None, None, MET, None, None, None, A, "5.00", "5.00", None),
            (22, OUT, TIM, OUT, TIM, "拨付电费及时性", "及时", None, None, None, MET, None, None, None, A, "5.00", "5.00", None),
            (23, EFF, SOC, EFF, SOC, "办公场地形象", "整洁有序", None, None, None, MET, None, None, None, A, "5.00", "5.00", None),
            (24, EFF, SOC, EFF, SOC, "办公设备正常运转天数", "365", None, "365", None, MET, None, None, None, A, "5.00", "5.00", None),
            (25, EFF, SOC, EFF, SOC, "咨询中心正常运转天数", "365", None, "365", None, MET, None, None, None, A, "5.00", "5.00", None),
            (26, SAT, SRV, SAT, SRV, "办公人员满意度", "90", None, "90", None, MET, None, None, None, A, "10.00", "10.00", None),
        ],
        "scores": [
            ("budget_execution", 8, "10.00", "10.00", "10.00", "10.00", "10.00"),
            (OUT, 15, None, "65", "65", None, None),
            (EFF, 23, None, "15", "15", None, None),
            (SAT, 26, None, "10", "10", None, None),
            ("total", 27, "100", "100", "100", "100", "100"),
        ],
        "notes": [],
    },
    # --- 000B -------------------------------------------------------------------
    {
        "project": _project("咨询服务工作经费", 30, "100", _GOAL_B_EXPECTED, _GOAL_B_ACTUAL),
        # line 37 (其他资金) is shifted one cell left in the raw file
        "funds": _funds(34, "年度资金总额", "41.00", "410000", "41.00", "410000", "100.00", "10.00"),
        "indicators": [
            (41, OUT, QTY, OUT, QTY, "满意度测评完成率", "100", None, "100", None, MET, None, None, None, A, "15.00", "15.00", None),
            (42, OUT, QUA, OUT, QUA, "审计报告合格率", "100", None, "100", None, MET, None, None, None, A, "10.00", "10.00", None),
            (43, OUT, QUA, OUT, QUA, "满意度评价样本量", "500", None, "500", None, MET, None, None, None, A, "15.00", "15.00", None),
            (44, OUT, TIM, OUT, TIM, "审计工作及时性", "及时性", None, None, None, MET, None, None, None, A, "10.00", "10.00", None),
            (45, OUT, TIM, OUT, TIM, "季度评测及时性", "及时性", None, None, None, MET, None, None, None, A, "10.00", "10.00", None),
            (46, EFF, SOC, EFF, SOC, "发现问题整改率", "1", None, "1", None, MET, None, None, None, A, "10.00", "10.00", None),
            # name and target are printed as the category label itself
            (47, EFF, SUS, EFF, SUS, "可持续影响指标", "可持续影响指标", None, None, None, MET, None, None, None, A, "10.00", "10.00", None),
            (48, SAT, SRV, SAT, SRV, "综合满意度", "97", None, "97", None, MET, None, None, None, A, "10.00", "10.00", None),
        ],
        "scores": [
            ("budget_execution", 34, "10.00", "10.00", "10.00", "10.00", "10.00"),
            (OUT, 41, None, "60", "60", None, None),
            (EFF, 46, None, "20", "20", None, None),
            (SAT, 48, None, "10", "10", None, None),
            ("total", 49, "100", "100", "100", "100", "100"),
        ],
        "notes": [],
    },
    # --- 000C -------------------------------------------------------------------
    {
        "project": _project("12333热线咨询平台项目经费", 52, "96", _GOAL_C, _GOAL_C),
        "funds": _funds(56, "年度资金总额", "7,888.89", "78888900", "7,888.89", "78888900", "100.00", "10.00"),
        "indicators": [
            (63, OUT, QTY, OUT, QTY, "坐席人员数", "390", None, "390", None, MET, None, None, None, A, "10.00", "10.00", None),
            (64, OUT, QTY, OUT, QTY, "系统/设备租赁数", "556", None, "556", None, MET, None, None, None, A, "10.00", "10.00", None),
            (65, OUT, QUA, OUT, QUA, "系统正常运行天数", "365", None, "365", None, MET, None, None, None, A, "5.00", "5.00", None),
            (66, OUT, QUA, OUT, QUA, "质量控制合格率", "98", None, "98", None, MET, None, None, None, A, "10.00", "10.00", None),
            # free-text composite target: operators inside it are not a measure
            (67, OUT, TIM, OUT, TIM, "系统故障解决时间", "一级故障<=90分钟，二级故障<=180分钟，三级故障",
             None, None, None, PART, None, None, None, P, "10.00", "6.00",
             "个别工单通过接口传递数据发送故障并导致超期情况，现已通过增加人工及技术监控报警，保障故障及时发现及时处理"),
            (68, EFF, SOC, EFF, SOC, "热线投诉率", "0.006", None, "0.006", None, MET, None, None, None, A, "10.00", "10.00", None),
            (69, EFF, SOC, EFF, SOC, "综合服务率", "80", None, "80", None, MET, None, None, None, A, "10.00", "10.00", None),
            (70, EFF, SUS, EFF, SUS, "人员培训覆盖率", "100", None, "100", None, MET, None, None, None, A, "10.00", "10.00", None),
            (71, EFF, SUS, EFF, SUS, "长效管理制度健全性", "健全", None, None, None, MET, None, None, None, A, "5.00", "5.00", None),
            (72, SAT, SRV, SAT, SRV, "综合满意度", "97", None, "97", None, MET, None, None, None, A, "10.00", "10.00", None),
        ],
        "scores": [
            ("budget_execution", 56, "10.00", "10.00", "10.00", "10.00", "10.00"),
            (OUT, 63, None, "45", "41", None, None),
            (EFF, 68, None, "35", "35", None, None),
            (SAT, 72, None, "10", "10", None, None),
            ("total", 73, "100", "100", "96", "96", "96"),
        ],
        "notes": [],
    },
    # --- 000D -------------------------------------------------------------------
    {
        "project": _project("政府聘用辅助人员经费", 76, "98.64", _GOAL_D_EXPECTED, _GOAL_D_ACTUAL),
        "funds": _funds(80, "年度资金总额", "887.50", "8875000", "868.09", "8680900", "97.81", "9.78"),
        "indicators": [
            (87, OUT, QTY, OUT, QTY, "12345工单受理率", "=100(%)", "=", "100", "%", "100.00(%)", None, "100.00", "%", None, "10.00", "10.00", None),
            (88, OUT, QUA, OUT, QUA, "人员到位率", "=100(%)", "=", "100", "%", "88.66(%)", None, "88.66", "%", None, "10.00", "8.86",
             "2023年先后两次开展招聘，共计招录新进人员38人，其中有部分新人无法通过岗前专项政策培训和考核评估，已离职。"),
            (89, OUT, TIM, OUT, TIM, "先行联系率", "=100(%)", "=", "100", "%", "100.00(%)", None, "100.00", "%", None, "20.00", "20.00", None),
            (90, OUT, TIM, OUT, TIM, "按时办结率", "=100(%)", "=", "100", "%", "100.00(%)", None, "100.00", "%", None, "10.00", "10.00", None),
            (91, EFF, SOC, EFF, SOC, "诉求解决率", "≥98(%)", "≥", "98", "%", "99.98(%)", None, "99.98", "%", None, "20.00", "20.00", None),
            (92, SAT, SRV, SAT, SRV, "市民满意率", "≥98(%)", "≥", "98", "%", "98.05(%)", None, "98.05", "%", None, "20.00", "20.00", None),
        ],
        "scores": [
            ("budget_execution", 80, "10.00", "10.00", "9.78", "9.78", "9.78"),
            (OUT, 87, None, "50", "48.86", None, None),
            (EFF, 91, None, "20", "20", None, None),
            (SAT, 92, None, "20", "20", None, None),
            ("total", 93, "100", "100", "98.64", "98.64", "98.64"),
        ],
        "notes": [],
    },
]
