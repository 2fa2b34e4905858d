"""The columns of the three ledgers, in the order offices file them.

The hazard ledger's headers are also what the import looks for: an exported hazard
ledger imports back as it is.
"""

from zongzhi.ledgers.layout import Column, Kind

CASE_COLUMNS = [
    Column("序号", 5, Kind.INT),
    Column("查询码", 15, Kind.CODE),
    Column("登记日期", 11, Kind.DATE),
    Column("来源渠道", 8),
    Column("一级分类", 10),
    Column("二级分类", 10),
    Column("事项标题", 22, Kind.WRAP),
    Column("发生地", 18, Kind.WRAP),
    Column("当事人", 10, Kind.WRAP),
    Column("涉及人数", 8, Kind.INT),
    Column("涉及金额（元）", 11, Kind.AMOUNT),
    Column("风险等级", 8),
    Column("主办单位", 14, Kind.WRAP),
    Column("状态", 8),
    Column("办理期限", 11, Kind.DATE),
    Column("办结日期", 11, Kind.DATE),
    Column("办结结果", 12, Kind.WRAP),
    Column("回访满意度", 9.5),
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
