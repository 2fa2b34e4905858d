"""Intake intelligence's pure rules: the words of a request, the same-source score and its
reasons, the urgency cues, and the keyword fallback for categories. No ORM here.

The duplicate score and its threshold were chosen on intake/tests/duplicates.json (same
incidents reported through other channels in other words, and near-misses: same village
and category, another incident); see docs/intake.md for the measurement. Text similarity
is the cosine of jieba words weighted by TF-IDF over the candidates themselves, so that
what every local case says (排水, 邻居, 工资) counts little and what only this matter says
(names, places, firms) counts much. Character bigrams were measured too and lost: they
rate near-misses as close as the same matter reworded (docs/intake.md).
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

# --- Words ---------------------------------------------------------------------------

_NOT_TEXT = re.compile(r"[^\w]|_|\d", re.UNICODE)
MIN_WORD = 2  # one character says little in Chinese ("的", "了", "在")


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(60)  # no "Building prefix dict" chatter on every worker's start
    return jieba


def normalised(text: str) -> str:
    """Full-width folded, lower case, without punctuation, digits and spaces."""
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text).casefold())


def words(text: str) -> list[str]:
    """The words of a request (jieba), as compared for sameness."""
    return [w for w in _jieba().lcut(normalised(text), HMM=True) if len(w) >= MIN_WORD]


def bigrams(text: str) -> list[str]:
    """Overlapping pairs of characters: no dictionary, and fast."""
    plain = normalised(text)
    return [plain[i : i + 2] for i in range(len(plain) - 1)]


Vector = dict[str, float]


def idf_table(documents: Iterable[Sequence[str]]) -> tuple[Counter[str], int]:
    """Document frequencies of the words over a pool, and its size."""
    df: Counter[str] = Counter()
    n = 0
    for doc in documents:
        df.update(set(doc))
        n += 1
    return df, n


def vector(doc: Sequence[str], df: Counter[str], n: int) -> Vector:
    """Sublinear TF × smoothed IDF, unit length."""
    counts = Counter(doc)
    v = {
        w: (1 + math.log(c)) * (math.log((1 + n) / (1 + df.get(w, 0))) + 1)
        for w, c in counts.items()
    }
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {w: x / norm for w, x in v.items()}


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


# --- The same matter (同源/疑似重复) -----------------------------------------------------

# How the evidence adds up, and where "likely the same" begins (measured, docs/intake.md).
TEXT_WEIGHT = 0.5
PLACE_WEIGHT = 0.1  # the same village, or within NEAR_METRES when both have a point
PHONE_WEIGHT = 0.2
CATEGORY_WEIGHT = 0.05  # the same second-level category; half for the same top level
LIKELY = 0.31
NEAR_METRES = 500
CONTENT_CLOSE = 0.3  # the text alone says "内容相近" from here
VILLAGE_PREFIX = 12


@dataclass(frozen=True)
class Report:
    """What comparing needs of a request or a case: never a name or the whole phone."""

    words: Sequence[str]
    place: str  # region prefix
    phones: frozenset[str] = frozenset()
    category: str = ""  # second-level code, "" when not known
    parent: str = ""  # its top-level code
    point: tuple[float, float] | None = None  # lng, lat


@dataclass(frozen=True)
class Match:
    score: float
    likely: bool
    reasons: tuple[str, ...] = field(default=())

    @property
    def reason_text(self) -> str:
        return "、".join(self.reasons)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance on the ground (equirectangular: exact enough within a township)."""
    lng = math.radians(b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2))
    lat = math.radians(b[1] - a[1])
    return 6_371_000 * math.hypot(lng, lat)


def same_source(new: Report, old: Report, text: float) -> Match:
    """How likely `old` is the matter `new` reports again, given their text similarity."""
    reasons: list[str] = []
    score = TEXT_WEIGHT * text
    near = None
    if new.point is not None and old.point is not None:
        near = metres(new.point, old.point)
    if (
        len(new.place) >= VILLAGE_PREFIX
        and new.place[:VILLAGE_PREFIX] == old.place[:VILLAGE_PREFIX]
    ):
        score += PLACE_WEIGHT
        reasons.append("同一村")
    elif near is not None and near <= NEAR_METRES:
        score += PLACE_WEIGHT
        reasons.append(f"相距约{round(near, -1):.0f}米")
    if new.phones & old.phones:
        score += PHONE_WEIGHT
        reasons.append("相同电话")
    if text >= CONTENT_CLOSE:
        reasons.append("内容相近")
    if new.category and new.category == old.category:
        score += CATEGORY_WEIGHT
        reasons.append("同类事项")
    elif new.parent and new.parent == old.parent:
        score += CATEGORY_WEIGHT / 2
    return Match(score=round(score, 3), likely=score >= LIKELY, reasons=tuple(reasons))


def rank(new: Report, pool: Sequence[Report]) -> list[Match]:
    """Each report of the pool scored against `new`, in the pool's order. IDF is over the
    pool and the new report: what many local cases say weighs little."""
    df, n = idf_table([new.words, *(r.words for r in pool)])
    v = vector(new.words, df, n)
    return [same_source(new, old, cosine(v, vector(old.words, df, n))) for old in pool]


# --- Urgency cues (for the officer to confirm) ------------------------------------------

VIOLENCE = (
    "打死", "砍死", "砍人", "持刀", "持械", "拼命", "同归于尽", "报复", "殴打", "打人",
    "动手", "杀人", "杀了", "放火", "烧死", "炸掉", "家暴", "家庭暴力",
)  # fmt: skip
SELF_HARM = (
    "自杀", "轻生", "跳楼", "跳河", "跳下", "喝农药", "服毒", "割腕", "不想活", "寻死",
    "上吊", "死给", "塔吊",
)  # fmt: skip
GROUP_WORDS = ("群体", "集体上访", "联名", "聚集", "多名", "众多", "一群", "村民们")
GROUP_SIZE = 5
_COUNT = re.compile(
    r"([0-9]+|[一二两三四五六七八九十百千几]+)\s*(?:多|余|来)?\s*(?:名|个|位|户|人|家)"
)
_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int:
    """ "十二" → 12, "二十" → 20, "十几" → 11, "几十" → 20, "三" → 3; digits as they are."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "几":
            current = current or 1
        elif ch in "十百千":
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (current or 1) * unit
            current = 0
    return total + current


@dataclass(frozen=True)
class Flag:
    code: str  # "violence", "self_harm", "group"
    name: str
    evidence: str


def urgency_flags(text: str, people_count: int | None = None) -> list[Flag]:
    """Words that suggest a threat of violence or self-harm, or a group of five or more."""
    flags: list[Flag] = []
    for code, name, cues in (
        ("violence", "可能有暴力倾向", VIOLENCE),
        ("self_harm", "可能有自伤自杀倾向", SELF_HARM),
    ):
        found = [w for w in cues if w in text]
        if found:
            flags.append(Flag(code, name, "、".join(found[:3])))
    counts = [(m.group(0), chinese_number(m.group(1))) for m in _COUNT.finditer(text)]
    big = [said for said, n in counts if n >= GROUP_SIZE]
    words_said = [w for w in GROUP_WORDS if w in text]
    if people_count is not None and people_count >= GROUP_SIZE:
        big.insert(0, f"涉及{people_count}人")
    if big or words_said:
        flags.append(
            Flag("group", "可能是群体性事项（5人及以上）", "、".join((big + words_said)[:3]))
        )
    return flags


# --- Categories without a model: names and keywords -------------------------------------

# What a request of each seeded second-level category usually says. A category an
# administrator adds is found by its own name and its parent's.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "HYJT01": ("离婚", "丈夫", "妻子", "老公", "老婆", "家暴", "家庭暴力", "婚姻", "夫妻"),
    "HYJT02": ("赡养", "抚养", "子女不管", "养老", "生活费", "老人"),
    "HYJT03": ("继承", "遗产", "分家", "遗嘱", "老宅"),
    "LLJF01": ("邻居", "排水", "采光", "通行", "滴水", "共用通道", "彩钢棚"),
    "LLJF02": ("宅基地", "界址", "越界", "围墙"),
    "LLJF03": ("口角", "吵架", "推搡", "琐事", "鸡鸭", "狗咬"),
    "LZJF01": ("工资", "欠薪", "讨薪", "工钱", "农民工", "拖欠工资"),
    "LZJF02": ("劳动合同", "辞退", "社保", "社会保险", "经济补偿", "加班费"),
    "LZJF03": ("工伤", "伤残", "受伤", "工伤待遇"),
    "ZDCQ01": ("征地", "征收", "青苗", "补偿标准", "丈量"),
    "ZDCQ02": ("拆迁", "拆除", "评估价格", "强拆"),
    "ZDCQ03": ("安置房", "安置", "过渡费"),
    "SLTD01": ("承包地", "界桩", "土地承包", "承包"),
    "SLTD02": ("林地", "林权", "山林", "砍伐"),
    "SLTD03": ("流转", "租地", "土地流转", "地租"),
    "FCWY01": ("物业", "电梯", "物业费", "小区", "保洁"),
    "FCWY02": ("漏水", "开裂", "房屋质量", "渗水"),
    "FCWY03": ("交房", "交付", "逾期交房", "房产证", "开发商"),
    "YLJF01": ("医院", "手术", "医疗事故", "误诊", "感染"),
    "YLJF02": ("医药费", "医疗费用", "收费", "住院费"),
    "HJBH01": ("噪音", "噪声", "扰民", "吵"),
    "HJBH02": ("污染", "排放", "粉尘", "废气", "污水", "异味"),
    "HJBH03": ("养殖", "养猪", "猪粪", "养鸡", "粪污"),
    "JJJR01": ("借款", "借钱", "借条", "欠款", "还钱", "借贷"),
    "JJJR02": ("集资", "高息", "理财", "投资", "返利"),
    "JJJR03": ("合同", "违约", "货款", "承揽"),
    "SFSS01": ("判决", "执行", "法院", "强制执行"),
    "SFSS02": ("不服", "裁判", "再审", "申诉"),
    "XF01": ("质量问题", "假货", "退货", "商品"),
    "XF02": ("服务", "维修", "美容", "餐饮"),
    "XF03": ("预付卡", "会员卡", "年卡", "退费", "跑路", "预付款"),
    "JTSG01": ("交通事故", "撞", "肇事", "车祸", "司机"),
    "QT01": (),
    "QT02": ("建议", "路灯", "维修", "希望"),
}


@dataclass(frozen=True)
class CategoryInfo:
    code: str
    name: str
    parent_code: str
    parent_name: str


def keyword_categories(text: str, categories: Sequence[CategoryInfo]) -> list[tuple[str, float]]:
    """(code, score) of the second-level categories the text's words point at, best first,
    at most three; nothing when no word points anywhere (better no guess than a wrong one)."""
    plain = normalised(text)
    hits: list[tuple[str, float]] = []
    for c in categories:
        cues = {*KEYWORDS.get(c.code, ()), c.name}
        found = float(sum(1 for w in cues if len(w) >= MIN_WORD and w in plain))
        found += 0.5 if len(c.parent_name) >= MIN_WORD and c.parent_name in plain else 0
        if found:
            hits.append((c.code, found))
    total = sum(s for _, s in hits)
    ranked = sorted(hits, key=lambda h: (-h[1], h[0]))[:3]
    return [(code, round(s / total, 3)) for code, s in ranked]


# --- How much history the model needs ----------------------------------------------------

# A category enters the model once this many of its cases are closed or archived: a fifth
# held out then leaves six to measure it on, and a linear model on short texts needs a few
# dozen examples before its guesses beat the keywords. Below it, the keywords answer.
MIN_PER_CATEGORY = 30
MIN_CATEGORIES = 2  # one category is not a choice
