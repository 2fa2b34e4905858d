"""The columns of the three ledgers, in the order offices file them.

The hazard and case ledgers' headers are also what their imports look for: an exported
ledger imports back as it is.
"""

from zongzhi.ledgers.layout import Column, Kind


class C:
    """The case ledger's headers, named once for the export and the import: an exported
    case ledger imports back as it is (ledgers.case_import)."""

    NUMBER = "序号"
    CODE = "查询码"
    REGISTERED = "登记日期"
    CHANNEL = "来源渠道"
    TOP_CATEGORY = "一级分类"
    CATEGORY = "二级分类"
    TITLE = "事项标题"
    DESCRIPTION = "简要情况"
    PLACE = "发生地"
    PARTIES = "当事人"
    PEOPLE = "涉及人数"
    AMOUNT = "涉及金额（元）"
    RISK = "风险等级"
    UNIT = "主办单位"
    STATUS = "状态"
    DUE = "办理期限"
    CLOSED = "办结日期"
    OUTCOME = "办结结果"
    SATISFACTION = "回访满意度"
    # Read when a hand-made ledger has them; the export does not write them.
    PHONE = "联系电话"
    REGION_CODE = "区划代码"
    TOWNSHIP = "乡镇（街道）"
    ADDRESS = "详细地址"


CASE_COLUMNS = [
    Column(C.NUMBER, 5, Kind.INT),
    Column(C.CODE, 15, Kind.CODE),
    Column(C.REGISTERED, 11, Kind.DATE),
    Column(C.CHANNEL, 8),
    Column(C.TOP_CATEGORY, 10),
    Column(C.CATEGORY, 10),
    Column(C.TITLE, 22, Kind.WRAP),
    Column(C.DESCRIPTION, 30, Kind.WRAP),
    Column(C.PLACE, 18, Kind.WRAP),
    Column(C.PARTIES, 10, Kind.WRAP),
    Column(C.PEOPLE, 8, Kind.INT),
    Column(C.AMOUNT, 11, Kind.AMOUNT),
    Column(C.RISK, 8),
    Column(C.UNIT, 14, Kind.WRAP),
    Column(C.STATUS, 8),
    Column(C.DUE, 11, Kind.DATE),
    Column(C.CLOSED, 11, Kind.DATE),
    Column(C.OUTCOME, 12, Kind.WRAP),
    Column(C.SATISFACTION, 9.5),
]


class H:
    """The hazard ledger's headers, named once for the export and the import."""

    NUMBER = "序号"
    CODE = "编号"
    TITLE = "隐患名称"
    DESCRIPTION = "隐患描述"
    CATEGORY = "类别"
    REGION_CODE = "所在地区划代码"
    REGION_NAME = "所在地"
    ADDRESS = "详细地址"
    PEOPLE = "涉及人数"
    AMOUNT = "涉及金额（元）"
    LEVEL = "风险等级"
    LEVEL_REASONS = "定级理由"
    UNIT = "责任单位"
    GUARDIAN = "包保责任人"
    PHONE = "联系电话"
    MEASURES = "管控措施"
    DISCOVERED = "发现日期"
    REVIEW_DAYS = "复查周期（天）"
    NEXT_REVIEW = "下次复查日期"
    STATUS = "状态"
    CLOSED = "销号日期"


HAZARD_COLUMNS = [
    Column(H.NUMBER, 5, Kind.INT),
    Column(H.CODE, 15, Kind.CODE),
    Column(H.TITLE, 16, Kind.WRAP),
    Column(H.DESCRIPTION, 26, Kind.WRAP),
    Column(H.CATEGORY, 9),
    Column(H.REGION_CODE, 16, Kind.CODE),
    Column(H.REGION_NAME, 12, Kind.WRAP),
    Column(H.ADDRESS, 12, Kind.WRAP),
    Column(H.PEOPLE, 8, Kind.INT),
    Column(H.AMOUNT, 11, Kind.AMOUNT),
    Column(H.LEVEL, 8),
    Column(H.LEVEL_REASONS, 14, Kind.WRAP),
    Column(H.UNIT, 12, Kind.WRAP),
    Column(H.GUARDIAN, 9.5),
    Column(H.PHONE, 12, Kind.CODE),
    Column(H.MEASURES, 28, Kind.WRAP),
    Column(H.DISCOVERED, 11, Kind.DATE),
    Column(H.REVIEW_DAYS, 8, Kind.INT),
    Column(H.NEXT_REVIEW, 11, Kind.DATE),
    Column(H.STATUS, 8),
    Column(H.CLOSED, 11, Kind.DATE),
]

SCREENING_COLUMNS = [
    Column("序号", 5, Kind.INT),
    Column("轮次", 26, Kind.WRAP),
    Column("类型", 8),
    Column("期间", 12),
    Column("报送期限", 11, Kind.DATE),
    Column("填报对象", 18, Kind.WRAP),
    Column("状态", 8),
    Column("上报日期", 11, Kind.DATE),
    Column("零报告", 6),
    Column("发现数", 6, Kind.INT),
    Column("其中事项", 8, Kind.INT),
    Column("其中隐患", 8, Kind.INT),
    Column("说明", 24, Kind.WRAP),
]
