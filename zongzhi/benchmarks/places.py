"""What the benchmark generators share: the synthetic province as ids and prefixes.

province.py makes it (places, units, people) and then calls cases.py and registers.py,
which fill it with cases and registers; they all take these shapes from here, so none of
them imports the module that calls it.
"""

from dataclasses import dataclass, field


@dataclass
class Place:
    id: int
    prefix: str
    name: str


@dataclass
class Township(Place):
    county: "County"
    villages: list[Place] = field(default_factory=list)
    grids: list[Place] = field(default_factory=list)
    village_of_grid: dict[int, Place] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)  # unit id by kind
    village_units: dict[int, int] = field(default_factory=dict)  # mediation committee by village
    intake: int = 0
    leader: int = 0
    care: int = 0


@dataclass
class County(Place):
    townships: list[Township] = field(default_factory=list)
    units: dict[str, int] = field(default_factory=dict)
    intake: int = 0
    leader: int = 0
    care: int = 0


@dataclass
class Province:
    """What the case and register generators need, as ids and prefixes (no model objects:
    a province has a quarter of a million places)."""

    root: Place
    counties: list[County]
    handler: dict[int, int]  # a person working in each unit that handles cases, by unit
    grid_worker: dict[int, int]  # by grid
    village_care: dict[int, int]  # by village
    user_names: dict[int, str]  # full names, for the timelines
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def townships(self) -> list[Township]:
        return [t for c in self.counties for t in c.townships]
