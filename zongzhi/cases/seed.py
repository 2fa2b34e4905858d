"""Routing rules and deadline policies a county starts from; administrators change them."""

from zongzhi.units.models import Unit

K = Unit.Kind
# Top-level category code → unit kind, at a township centre and at the county centre.
TOWNSHIP_ROUTES = {
    "HYJT": K.MEDIATION_COMMITTEE,
    "LLJF": K.MEDIATION_COMMITTEE,
    "SLTD": K.MEDIATION_COMMITTEE,
    "JTSG": K.POLICE,
    "YLJF": K.JUSTICE,  # the health centre is often the party complained about
    "LZJF": K.JUSTICE,
    "FCWY": K.JUSTICE,
    "XF": K.JUSTICE,
    "QT": K.JUSTICE,
}
COUNTY_ROUTES = {
    "HYJT": K.MEDIATION_COMMITTEE,
    "LLJF": K.MEDIATION_COMMITTEE,
    "LZJF": K.HUMAN_RESOURCES,
    "ZDCQ": K.HOUSING,
    "SLTD": K.NATURAL_RESOURCES,
    "FCWY": K.HOUSING,
    "YLJF": K.HEALTH,
    "HJBH": K.ENVIRONMENT,
    "JJJR": K.POLICE,
    "SFSS": K.COURT,
    "XF": K.MARKET_REGULATION,
    "JTSG": K.POLICE,
    "QT": K.PETITION,
}

# (name, channel, category code, urgent, petition, counting, accept, handle, warn)
POLICIES = [
    ("一般事项", "", None, None, False, "working_days", 3, 15, 2),
    ("紧急事项（暴力或自伤倾向）", "", None, True, False, "working_days", 0, 3, 1),
    ("12345热线转办", "hotline", None, None, False, "working_days", 1, 10, 2),
    ("劳资纠纷/欠薪", "", "LZJF", None, False, "working_days", 2, 10, 2),
    # 信访工作条例 (2022): Art. 22–23 route or notify within 15 days; Art. 34 handle within
    # 60 days of acceptance, extendable once by at most 30 days.
    ("信访事项（信访工作条例）", "petition", None, None, True, "calendar_days", 15, 60, 5),
]
