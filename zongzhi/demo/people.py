"""Invented people, for the demo county and the benchmark province: names, mobile numbers
and sums of money, all drawn from the caller's `random.Random`.

How many draws each function makes, and in what order, is part of what it returns: a seed
gives the same county only while that stays as it is. So the ways of making a name that
grew up apart (an account's, a case party's, a resident's) are kept apart here too.
"""

import random

SURNAMES = "李王张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋"
# The people who come to the centre: 普 is a common Yi surname in 华宁; the rest weight the
# common ones.
RESIDENT_SURNAMES = SURNAMES + "普李王张杨李赵"
GIVEN = "建华国强志明秀英丽娟海燕文军红梅晓东春花永刚玉兰德明子涵思远雪松金凤桂芳云龙"
GIVEN_MEN = "建华国强志明海文军晓东永刚德云龙绍荣正学家顺成林光辉应昌有福开富兴旺小平忠义朝阳"
GIVEN_WOMEN = "秀英丽娟海燕红梅晓春花玉兰金凤桂芳美琼丽萍红艳雪琴佳慧"


def person_name(rng: random.Random) -> str:
    """A surname and two given-name characters: the name of an account."""
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))


def resident_name(rng: random.Random, *, male: bool) -> str:
    """A resident's name, with one given-name character or (twice as often) two."""
    given = GIVEN_MEN if male else GIVEN_WOMEN
    return rng.choice(RESIDENT_SURNAMES) + "".join(rng.sample(given, rng.choice((1, 2, 2))))


def party_name(rng: random.Random, surname: str = "", *, woman: bool | None = None) -> str:
    """A case party's name: `surname` for a relative, a woman two times in five unless
    `woman` says, one given-name character or (three times as often) two."""
    if woman is None:
        woman = rng.random() < 0.4
    given = "".join(rng.sample(GIVEN_WOMEN if woman else GIVEN_MEN, rng.choice((1, 2, 2, 2))))
    return (surname or rng.choice(RESIDENT_SURNAMES)) + given


def phone(rng: random.Random) -> str:
    """A mobile number."""
    return f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"


def money(amount: int) -> str:
    """An amount in yuan as it is written: 3000元, 1.5万元."""
    if amount >= 10_000:
        return f"{amount / 10_000:.1f}".rstrip("0").rstrip(".") + "万元"
    return f"{amount}元"
