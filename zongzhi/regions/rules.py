"""Pure rules of the national statistical division code and its extension to grids.

A division code has 12 digits: province 2, city 2, county 2, township 3, village 3. A
level's *prefix* is its significant digits (a county: 6, a township: 9); everything under
a region has a code that starts with that prefix, so "this subtree" is a prefix query.
A grid extends its village's 12 digits by 3, a building or courtyard extends its grid by 3.
"""

from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    PROVINCE = 1
    CITY = 2
    COUNTY = 3
    TOWNSHIP = 4
    VILLAGE = 5
    GRID = 6
    BUILDING = 7


# Significant digits of each level: the length of its prefix.
PREFIX_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
    Level.GRID: 15,
    Level.BUILDING: 18,
}
DIVISION_CODE_LENGTH = 12

LEVEL_NAMES = {
    Level.PROVINCE: "省",
    Level.CITY: "市",
    Level.COUNTY: "县",
    Level.TOWNSHIP: "乡镇/街道",
    Level.VILLAGE: "村/社区",
    Level.GRID: "网格",
    Level.BUILDING: "楼栋/院落",
}

# Words accepted for the level column of an import file.
LEVEL_ALIASES = {
    "province": Level.PROVINCE,
    "省": Level.PROVINCE,
    "city": Level.CITY,
    "市": Level.CITY,
    "county": Level.COUNTY,
    "县": Level.COUNTY,
    "区": Level.COUNTY,
    "township": Level.TOWNSHIP,
    "street": Level.TOWNSHIP,
    "乡": Level.TOWNSHIP,
    "镇": Level.TOWNSHIP,
    "乡镇": Level.TOWNSHIP,
    "街道": Level.TOWNSHIP,
    "乡镇/街道": Level.TOWNSHIP,
    "village": Level.VILLAGE,
    "community": Level.VILLAGE,
    "村": Level.VILLAGE,
    "社区": Level.VILLAGE,
    "村/社区": Level.VILLAGE,
    "grid": Level.GRID,
    "网格": Level.GRID,
    "building": Level.BUILDING,
    "courtyard": Level.BUILDING,
    "楼栋": Level.BUILDING,
    "院落": Level.BUILDING,
    "楼栋/院落": Level.BUILDING,
}


def parse_level(value: str) -> Level | None:
    value = value.strip()
    if value.isdigit() and int(value) in Level._value2member_map_:
        return Level(int(value))
    return LEVEL_ALIASES.get(value.lower())


def code_length(level: Level) -> int:
    """Length of a full code at this level: 12 for divisions, longer for grids and buildings."""
    return max(DIVISION_CODE_LENGTH, PREFIX_LENGTH[level])


def prefix_of(code: str, level: Level) -> str:
    return code[: PREFIX_LENGTH[level]]


def full_code(prefix: str, level: Level) -> str:
    """The full code of a region from its significant digits (530424 -> 530424000000)."""
    return prefix.ljust(code_length(level), "0")


def ancestor_prefixes(prefix: str) -> list[str]:
    """The prefixes of the region with `prefix` and of every region above it, top first."""
    return [prefix[:n] for n in sorted(PREFIX_LENGTH.values()) if n <= len(prefix)]


def is_within(prefix: str, scope_prefix: str) -> bool:
    """True when a region with `prefix` lies in the subtree whose prefix is `scope_prefix`."""
    return prefix.startswith(scope_prefix)


@dataclass(frozen=True)
class CodeProblem:
    message: str


def check_code(code: str, level: Level) -> str | None:
    """Return why `code` is not a well-formed code for `level`, or None when it is."""
    expected = code_length(level)
    if not code.isascii() or not code.isdigit():
        return f"代码只能由数字组成，实为“{code}”"
    if len(code) != expected:
        return f"{LEVEL_NAMES[level]}级代码应为{expected}位数字，实为{len(code)}位"
    significant = PREFIX_LENGTH[level]
    if code[significant:].strip("0"):
        return f"{LEVEL_NAMES[level]}级代码第{significant + 1}位起应全为0"
    # The level's own digit group must not be all zeros (that would be its parent's code).
    own_start = PREFIX_LENGTH[Level(level - 1)] if level > Level.PROVINCE else 0
    if not code[own_start:significant].strip("0"):
        return f"{LEVEL_NAMES[level]}级代码第{own_start + 1}–{significant}位不能全为0"
    return None


def expected_parent_level(level: Level) -> Level | None:
    return Level(level - 1) if level > Level.PROVINCE else None


def allowed_parent_levels(code: str, level: Level) -> set[Level]:
    """The levels a region's parent may have.

    Normally the level just above. A city without counties (不设区的地级市: 东莞 4419,
    中山 4420, 儋州 4604) holds its townships directly, and their codes carry "00" in the
    county digits, so such a township may hang under its city.
    """
    parent = expected_parent_level(level)
    if parent is None:
        return set()
    if level == Level.TOWNSHIP and code[4:6] == "00":
        return {Level.COUNTY, Level.CITY}
    return {parent}
