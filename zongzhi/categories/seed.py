"""The categories every deployment starts with (SPEC.md, "A case and its life").

Administrators add, rename and retire categories afterwards; codes stay stable so that
routing rules, imports and the Open311 service list keep pointing at the same thing.
"""

from typing import Any

CATEGORIES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("HYJT", "婚姻家庭", [("HYJT01", "婚姻纠纷"), ("HYJT02", "赡养抚养"), ("HYJT03", "继承分家")]),
    (
        "LLJF",
        "邻里纠纷",
        [("LLJF01", "相邻关系"), ("LLJF02", "宅基地界址"), ("LLJF03", "琐事纠纷")],
    ),
    (
        "LZJF",
        "劳资纠纷/欠薪",
        [("LZJF01", "拖欠工资"), ("LZJF02", "劳动合同"), ("LZJF03", "工伤待遇")],
    ),
    ("ZDCQ", "征地拆迁", [("ZDCQ01", "征地补偿"), ("ZDCQ02", "房屋拆迁"), ("ZDCQ03", "安置")]),
    ("SLTD", "山林土地", [("SLTD01", "土地承包"), ("SLTD02", "林地权属"), ("SLTD03", "土地流转")]),
    (
        "FCWY",
        "房产物业",
        [("FCWY01", "物业服务"), ("FCWY02", "房屋质量"), ("FCWY03", "商品房交付")],
    ),
    ("YLJF", "医疗纠纷", [("YLJF01", "医疗损害"), ("YLJF02", "医疗费用")]),
    ("HJBH", "环境保护", [("HJBH01", "噪声扰民"), ("HJBH02", "污染排放"), ("HJBH03", "养殖污染")]),
    ("JJJR", "经济金融", [("JJJR01", "借贷纠纷"), ("JJJR02", "非法集资"), ("JJJR03", "合同纠纷")]),
    ("SFSS", "涉法涉诉", [("SFSS01", "判决执行"), ("SFSS02", "不服裁判")]),
    ("XF", "消费", [("XF01", "商品质量"), ("XF02", "服务消费"), ("XF03", "预付卡")]),
    ("JTSG", "交通事故", [("JTSG01", "事故赔偿")]),
    ("QT", "其他", [("QT01", "其他纠纷"), ("QT02", "意见建议")]),
]


def seed_categories(category_model: Any, using: str = "default") -> int:
    """Create the categories that are missing in the database `using`; never rename or
    move existing ones."""
    created = 0
    objects = category_model.objects.using(using)
    for order, (code, name, children) in enumerate(CATEGORIES, start=1):
        parent, made = objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order * 10}
        )
        created += int(made)
        for child_order, (child_code, child_name) in enumerate(children, start=1):
            _, made = objects.get_or_create(
                code=child_code,
                defaults={"name": child_name, "parent": parent, "sort_order": child_order},
            )
            created += int(made)
    return created
