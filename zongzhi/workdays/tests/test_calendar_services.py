"""Who may change the holiday schedule, and how soon deadlines see the change."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.conftest import Cast, make_user
from zongzhi.workdays.models import CalendarDay
from zongzhi.workdays.selectors import coverage_warning, current_calendar, forget_calendar
from zongzhi.workdays.services import calendar_day_remove, calendar_day_set

MONDAY_2027 = date(2027, 1, 4)
SATURDAY_2027 = date(2027, 1, 9)


@pytest.fixture(autouse=True)
def _fresh_calendar() -> None:
    # The cache lives in the process; each test starts from what its own database says.
    forget_calendar()


@pytest.fixture
def county_admin(cast: Cast) -> User:
    return make_user("county_admin", Role.ADMINISTRATOR, region=cast.places.county)


@pytest.mark.parametrize(
    "who", ["township administrator", "county leader", "outsider", "inactive county admin"]
)
def test_anyone_but_a_county_administrator_is_refused_and_nothing_changes(
    cast: Cast, who: str
) -> None:
    by = {
        "township administrator": lambda: cast.by_role[Role.ADMINISTRATOR],
        "county leader": lambda: make_user("county_leader", Role.LEADER, region=cast.places.county),
        "outsider": lambda: cast.outsider,
        "inactive county admin": lambda: _inactive_county_admin(cast),
    }[who]()
    with pytest.raises(PermissionDenied, match="县级及以上的管理员"):
        calendar_day_set(by=by, day=MONDAY_2027, kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    assert not CalendarDay.objects.exists()
    assert current_calendar().is_workday(MONDAY_2027) is True


def _inactive_county_admin(cast: Cast) -> User:
    user = make_user("inactive_admin", Role.ADMINISTRATOR, region=cast.places.county)
    user.is_active = False
    user.save()
    return user


def test_a_township_administrator_cannot_remove_an_entry(cast: Cast) -> None:
    calendar_day_set(by=SYSTEM, day=MONDAY_2027, kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    with pytest.raises(PermissionDenied):
        calendar_day_remove(by=cast.by_role[Role.ADMINISTRATOR], day=MONDAY_2027)
    assert current_calendar().is_workday(MONDAY_2027) is False


def test_a_county_administrators_entries_count_at_once(county_admin: User) -> None:
    assert current_calendar().add_working_days(date(2027, 1, 1), 1) == MONDAY_2027
    calendar_day_set(by=county_admin, day=MONDAY_2027, kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    calendar_day_set(by=county_admin, day=SATURDAY_2027, kind=CalendarDay.Kind.WORKDAY, name="元旦")
    calendar = current_calendar()
    assert calendar.is_workday(MONDAY_2027) is False
    assert calendar.is_workday(SATURDAY_2027) is True
    assert calendar.covers(2027) is True
    # From Friday 2027-01-01: 01-05 (Tue) … 01-08 (Fri), then the Saturday 01-09.
    assert calendar.add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 5)
    assert calendar.add_working_days(date(2027, 1, 1), 5) == SATURDAY_2027


def test_setting_a_day_again_replaces_its_entry(county_admin: User) -> None:
    calendar_day_set(by=county_admin, day=MONDAY_2027, kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    calendar_day_set(
        by=county_admin,
        day=MONDAY_2027,
        kind=CalendarDay.Kind.WORKDAY,
        name=" 元旦 ",
        note="更正",
    )
    entry = CalendarDay.objects.get()
    assert (entry.kind, entry.name, entry.note) == (CalendarDay.Kind.WORKDAY, "元旦", "更正")
    assert current_calendar().is_workday(MONDAY_2027) is True


def test_removing_an_entry_gives_the_day_back_to_the_package(county_admin: User) -> None:
    calendar_day_set(by=county_admin, day=date(2026, 3, 2), kind="holiday", name="测试")
    assert current_calendar().is_workday(date(2026, 3, 2)) is False
    assert calendar_day_remove(by=county_admin, day=date(2026, 3, 2)) is True
    assert current_calendar().is_workday(date(2026, 3, 2)) is True
    assert calendar_day_remove(by=county_admin, day=date(2026, 3, 2)) is False


def test_an_unknown_kind_or_a_missing_name_is_refused(county_admin: User) -> None:
    with pytest.raises(ValidationError):
        calendar_day_set(by=county_admin, day=MONDAY_2027, kind="half_day", name="元旦")
    with pytest.raises(ValidationError):
        calendar_day_set(by=county_admin, day=MONDAY_2027, kind="holiday", name="  ")
    assert not CalendarDay.objects.exists()


def test_a_change_made_elsewhere_is_seen_without_clearing_the_cache(db: None) -> None:
    # Another process (the admin, a second worker) writes without touching this cache.
    assert current_calendar().is_workday(MONDAY_2027) is True
    entry = CalendarDay.objects.create(date=MONDAY_2027, kind="holiday", name="元旦")
    assert current_calendar().is_workday(MONDAY_2027) is False
    entry.kind = CalendarDay.Kind.WORKDAY
    entry.save()
    assert current_calendar().is_workday(MONDAY_2027) is True
    entry.delete()
    CalendarDay.objects.create(date=SATURDAY_2027, kind="workday", name="元旦")
    assert current_calendar().is_workday(SATURDAY_2027) is True


def test_the_calendar_is_built_once_while_nothing_changes(db: None) -> None:
    CalendarDay.objects.create(date=MONDAY_2027, kind="holiday", name="元旦")
    assert current_calendar() is current_calendar()


MISSING_2027 = (
    "2027年的节假日安排尚未录入：截止日期将按周末休息估算。"
    "请在“节假日调整”中录入国务院办公厅公布的安排。"
)


def test_the_warning_for_2027_shows_in_late_2026_until_a_2027_holiday_is_entered(
    county_admin: User,
) -> None:
    assert coverage_warning(today=date(2026, 11, 23)) == MISSING_2027
    calendar_day_set(by=county_admin, day=SATURDAY_2027, kind=CalendarDay.Kind.WORKDAY, name="元旦")
    assert coverage_warning(today=date(2026, 11, 23)) == MISSING_2027
    calendar_day_set(by=county_admin, day=date(2027, 1, 1), kind="holiday", name="元旦")
    assert coverage_warning(today=date(2026, 11, 23)) is None


def test_no_warning_in_march_of_a_covered_year(db: None) -> None:
    assert coverage_warning(today=date(2026, 3, 1)) is None


def test_a_county_administrator_finds_the_schedule_in_the_admin_by_year(
    cast: Cast, county_admin: User
) -> None:
    calendar_day_set(by=SYSTEM, day=MONDAY_2027, kind="holiday", name="元旦")
    calendar_day_set(by=SYSTEM, day=date(2028, 1, 1), kind="holiday", name="元旦")
    county_admin.is_staff = True
    county_admin.save()
    page = cast.client_for(county_admin).get("/admin/workdays/calendarday/?year=2027")
    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == [CalendarDay.objects.get(date=MONDAY_2027)]


def test_a_township_administrator_cannot_open_the_schedule_in_the_admin(cast: Cast) -> None:
    township_admin = cast.by_role[Role.ADMINISTRATOR]
    township_admin.is_staff = True
    township_admin.save()
    client: Client = cast.client_for(township_admin)
    assert client.get("/admin/workdays/calendarday/").status_code == 403


def test_the_admin_pages_add_move_and_remove_days_through_the_services(
    county_admin: User,
) -> None:
    county_admin.is_staff = True
    county_admin.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(county_admin)
    form = {"date": "2027-01-04", "kind": CalendarDay.Kind.HOLIDAY, "name": "元旦", "note": ""}
    assert client.post("/admin/workdays/calendarday/add/", form).status_code == 302
    assert not current_calendar().is_workday(MONDAY_2027)

    entry = CalendarDay.objects.get(date=MONDAY_2027)
    moved = {**form, "date": "2027-01-05"}
    assert client.post(f"/admin/workdays/calendarday/{entry.pk}/change/", moved).status_code == 302
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [date(2027, 1, 5)]
    assert current_calendar().is_workday(MONDAY_2027)
    assert not current_calendar().is_workday(date(2027, 1, 5))

    entry = CalendarDay.objects.get()
    delete_url = f"/admin/workdays/calendarday/{entry.pk}/delete/"
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not CalendarDay.objects.exists()
    assert current_calendar().is_workday(date(2027, 1, 5))
