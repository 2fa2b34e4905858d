import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.conftest import Places, make_user
from zongzhi.regions.models import Region
from zongzhi.regions.services import DivisionImportError, import_divisions
from zongzhi.regions.sources import read_division_file, read_national_dataset

# `make test` runs this on SQLite too (-m sqlite): prefix queries (LIKE) and bulk writes.
pytestmark = pytest.mark.sqlite

GOOD = """code,name,level,parent
530000000000,云南省,province,
530400000000,玉溪市,city,530000000000
530424000000,华宁县,county,530400000000
530424001000,宁州街道,township,530424000000
530424001001,右所社区,village,530424001000
"""


def write(tmp_path: Path, text: str, name: str = "divisions.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_it_imports_a_file_and_builds_the_tree(tmp_path: Path) -> None:
    result = import_divisions(by=SYSTEM, rows=read_division_file(write(tmp_path, GOOD)))
    assert result.created == 5
    village = Region.objects.get(code="530424001001")
    assert village.prefix == "530424001001"
    assert village.parent is not None and village.parent.name == "宁州街道"
    county = Region.objects.get(code="530424000000")
    assert county.prefix == "530424"
    assert set(county.subtree().values_list("name", flat=True)) == {
        "华宁县",
        "宁州街道",
        "右所社区",
    }


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    import_divisions(by=SYSTEM, rows=read_division_file(path))
    again = import_divisions(by=SYSTEM, rows=read_division_file(path))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert Region.objects.count() == 5


@pytest.mark.django_db
def test_a_renamed_region_is_updated_in_place(tmp_path: Path) -> None:
    import_divisions(by=SYSTEM, rows=read_division_file(write(tmp_path, GOOD)))
    pk = Region.objects.get(code="530424001001").pk
    renamed = GOOD.replace("右所社区", "右所新社区")
    result = import_divisions(by=SYSTEM, rows=read_division_file(write(tmp_path, renamed)))
    assert result.updated == 1
    assert Region.objects.get(pk=pk).name == "右所新社区"


@pytest.mark.django_db
def test_a_malformed_file_names_every_bad_row_and_writes_nothing(tmp_path: Path) -> None:
    bad = (
        GOOD
        + "53042400100X,坏代码村,village,530424001000\n"  # line 7: not digits
        + "530424001002,,village,530424001000\n"  # line 8: no name
        + "530424001003,无上级村,village,530424999000\n"  # line 9: parent unknown
        + "530424001001,重复社区,village,530424001000\n"  # line 10: duplicate code
        + "530424001004,层级错村,hamlet,530424001000\n"  # line 11: unknown level
        + "530425001005,错县村,village,530424001000\n"  # line 12: not under its parent
        + "530424001006,错级村,village,530424000000\n"  # line 13: parent is a county
    )
    with pytest.raises(DivisionImportError) as caught:
        import_divisions(by=SYSTEM, rows=read_division_file(write(tmp_path, bad)))
    errors = {(e.line, e.column) for e in caught.value.errors}
    assert errors == {
        (7, "code"),
        (8, "name"),
        (9, "parent"),
        (10, "code"),
        (11, "level"),
        (12, "code"),
        (13, "parent"),
    }
    messages = [str(e) for e in caught.value.errors]
    assert "第9行，上级代码（parent）：上级代码530424999000在文件和系统中都不存在" in messages
    assert any(m.startswith("第10行，代码（code）：代码530424001001与第6行重复") for m in messages)
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_the_command_reports_rows_and_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    call_command("import_divisions", write(tmp_path, GOOD), stdout=StringIO())
    bad = (
        GOOD.replace("右所社区,village", "右所社区,villa")
        + "530424001009,新村,village,530424001000\n"
    )
    stderr = StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_divisions", write(tmp_path, bad, "bad.csv"), stderr=stderr)
    assert "第6行，层级（level）：无法识别的层级“villa”" in stderr.getvalue()
    assert not Region.objects.filter(code="530424001009").exists()
    assert Region.objects.count() == 5


@pytest.mark.django_db
def test_a_file_without_the_required_columns_is_refused_whole(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="缺少必需的列：parent（上级代码）"):
        call_command("import_divisions", write(tmp_path, "code,name,level\n53,云南省,province\n"))


@pytest.mark.django_db
def test_json_files_carry_grid_boundaries(tmp_path: Path) -> None:
    import_divisions(by=SYSTEM, rows=read_division_file(write(tmp_path, GOOD)))
    ring = [[102.9, 24.2], [102.91, 24.2], [102.91, 24.21], [102.9, 24.21], [102.9, 24.2]]
    grid = {
        "code": "530424001001001",
        "name": "右所社区第1网格",
        "level": "网格",
        "parent": "530424001001",
        "boundary": {"type": "Polygon", "coordinates": [ring]},
        "official": "no",
    }
    path = write(tmp_path, json.dumps([grid], ensure_ascii=False), "grids.json")
    import_divisions(by=SYSTEM, rows=read_division_file(path))
    stored = Region.objects.get(code="530424001001001")
    assert stored.level == Region.Level.GRID
    assert (stored.min_lng, stored.max_lat) == (102.9, 24.21)
    assert stored.code_is_official is False


@pytest.mark.django_db
def test_a_self_crossing_boundary_is_refused(tmp_path: Path) -> None:
    import_divisions(by=SYSTEM, rows=read_division_file(write(tmp_path, GOOD)))
    bowtie = [[102.9, 24.2], [102.91, 24.21], [102.91, 24.2], [102.9, 24.21], [102.9, 24.2]]
    grid = {
        "code": "530424001001001",
        "name": "坏网格",
        "level": "grid",
        "parent": "530424001001",
        "boundary": {"type": "Polygon", "coordinates": [bowtie]},
    }
    with pytest.raises(DivisionImportError) as caught:
        import_divisions(
            by=SYSTEM, rows=read_division_file(write(tmp_path, json.dumps([grid]), "g.json"))
        )
    [error] = caught.value.errors
    assert (error.line, error.column) == (1, "boundary")
    assert "边界多边形无效" in error.message
    assert not Region.objects.filter(level=Region.Level.GRID).exists()


@pytest.mark.django_db
def test_the_national_dataset_imports_a_whole_province() -> None:
    rows = read_national_dataset(settings.ZONGZHI_DIVISIONS_DIR, within="53")
    result = import_divisions(by=SYSTEM, rows=rows)
    yunnan = Region.objects.get(code="530000000000")
    assert yunnan.name == "云南省"
    counties = yunnan.subtree().filter(level=Region.Level.COUNTY)
    assert counties.filter(name="华宁县").exists()
    # Every township of 华宁县 and its 77 villages (codes assigned, not official).
    huaning = Region.objects.get(code="530424000000")
    assert huaning.subtree().filter(level=Region.Level.TOWNSHIP).count() == 5
    villages = huaning.subtree().filter(level=Region.Level.VILLAGE)
    assert villages.count() == 77
    assert not villages.filter(code_is_official=True).exists()
    assert result.created == Region.objects.count()


def test_an_administrator_imports_only_inside_their_own_scope(
    tmp_path: Path, places: Places
) -> None:
    admin = make_user("t1_admin", Role.ADMINISTRATOR, region=places.t1)
    text = (
        "code,name,level,parent\n"
        "530424001002,城关社区,village,530424001000\n"
        "530424102202,小龙潭村,village,530424102000\n"
    )
    with pytest.raises(DivisionImportError) as caught:
        import_divisions(by=admin, rows=read_division_file(write(tmp_path, text)))
    [error] = caught.value.errors
    assert str(error) == "第3行，代码（code）：代码530424102202超出您的管理范围"
    assert not Region.objects.filter(code="530424001002").exists()
    inside = "code,name,level,parent\n530424001002,城关社区,village,530424001000\n"
    import_divisions(by=admin, rows=read_division_file(write(tmp_path, inside)))
    assert Region.objects.filter(code="530424001002").exists()


@pytest.mark.django_db
def test_a_city_without_counties_holds_its_townships_directly() -> None:
    # 东莞市 (4419) has no counties; the dataset's placeholder county 441900 is its own code.
    rows = read_national_dataset(settings.ZONGZHI_DIVISIONS_DIR, within="4419")
    import_divisions(by=SYSTEM, rows=rows)
    dongguan = Region.objects.get(code="441900000000")
    assert dongguan.level == Region.Level.CITY
    townships = Region.objects.filter(parent=dongguan, level=Region.Level.TOWNSHIP)
    assert townships.filter(name="东城街道").exists()
    assert townships.count() == 36
    assert not Region.objects.filter(level=Region.Level.COUNTY, prefix__startswith="4419").exists()


@pytest.mark.django_db
def test_reimporting_takes_the_same_few_queries_however_many_rows(tmp_path: Path) -> None:
    rows = read_national_dataset(settings.ZONGZHI_DIVISIONS_DIR, within="5304")
    import_divisions(by=SYSTEM, rows=rows)
    assert len(rows) > 100
    with CaptureQueriesContext(connection) as queries:
        result = import_divisions(by=SYSTEM, rows=rows)
    assert result.unchanged == len(rows)
    assert len(queries) <= 8
