"""Every form keeps to the front desk's rules (issue 16): a text box shows its limit before
anything is sent, a date is given to the browser's calendar in ISO (so it comes up in
either language) with the days that make sense, and a date that makes no sense for the
record — before it existed, or after today for what has happened — is refused at its
field in Chinese, keeping what was typed.

First every form class, read from its declared fields; then one page of each family."""

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.utils import timezone

import zongzhi
from zongzhi.accounts.rules import Role
from zongzhi.care.tests.conftest import open_file
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import Cast
from zongzhi.core.forms import IsoDateField
from zongzhi.hazards.tests.factories import registered as hazard_registered

# --- Every form class -------------------------------------------------------------------


def _form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(zongzhi.__path__, "zongzhi."):
        name = module.name
        # The admin's forms are Django's own, for administrators; tests, migrations and
        # commands hold no forms people fill in.
        if any(part in name for part in (".tests", ".migrations", ".management")):
            continue
        if name.endswith(".admin"):
            continue
        importlib.import_module(name)

    def below(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    found = {
        c
        for c in below(forms.BaseForm)
        if c.__module__.startswith("zongzhi.") and not c.__module__.endswith(".admin")
    }
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


FORMS = _form_classes()


def test_the_audit_reads_the_forms_of_every_family() -> None:
    modules = {c.__module__ for c in FORMS}
    for family in ("cases", "hazards", "care", "screening", "ledgers", "portal"):
        assert any(m.startswith(f"zongzhi.{family}.") for m in modules), family


@pytest.mark.parametrize("form", FORMS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_text_box_has_a_limit_and_every_date_the_browsers_calendar(
    form: type[forms.BaseForm],
) -> None:
    for name, declared in form.base_fields.items():
        if isinstance(declared, forms.CharField) and isinstance(declared.widget, forms.Textarea):
            assert declared.max_length, f"{name}: a text box without a limit"
        if isinstance(declared, forms.DateField):
            assert isinstance(declared, IsoDateField), f"{name}: not given in ISO"


# --- One page of each family ------------------------------------------------------------


class _Inputs(HTMLParser):
    """The attributes of each input, textarea and counter on a page, by name."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.counters: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"input", "textarea"} and values.get("name"):
            self.inputs.setdefault(str(values["name"]), {"tag": tag, **values})
        if "data-counter" in values:
            self.counters[str(values["data-counter"])] = values.get("data-max")


def inputs(html: str) -> _Inputs:
    parser = _Inputs()
    parser.feed(html)
    return parser


@dataclass
class Family:
    """A form of one family: its page, its date with the days offered, a text box with
    its limit, and a date that makes no sense sent with some typed text."""

    client: Client
    page: str
    date_field: str
    earliest: date | None
    latest: date | None
    text_field: str
    limit: int
    post_to: str
    post: dict[str, Any]
    bad_date: date
    error: str
    typed: str
    # A second form on the same page whose limit is shown too (name → limit).
    more_texts: dict[str, int] = field(default_factory=dict)


TODAY = timezone.localdate
DAY = timedelta(days=1)


def _hazard_register(cast: Cast) -> Family:
    from zongzhi.hazards.tests.test_views import register_post

    typed = "小区物业费上调，业主联名反对，存在聚集风险。"
    tomorrow = TODAY() + DAY
    return Family(
        client=cast.client_for(cast.by_role[Role.INTAKE_OFFICER]),
        page="/hazards/new/",
        date_field="discovered_on",
        earliest=None,
        latest=TODAY(),
        text_field="description",
        limit=5000,
        post_to="/hazards/new/",
        post=register_post(cast, discovered_on=tomorrow.isoformat(), description=typed),
        bad_date=tomorrow,
        error="发现日期不能晚于今天",
        typed=typed,
        more_texts={"level_reasons": 2000},
    )


def _hazard_measure(cast: Cast) -> Family:
    found = TODAY() - 10 * DAY
    hazard = hazard_registered(cast, discovered_on=found)
    typed = "约谈项目负责人，督促结清工程款。"
    return Family(
        client=cast.client_for(cast.by_role[Role.INTAKE_OFFICER]),
        page=f"/hazards/{hazard.pk}/",
        date_field="due_on",
        earliest=found,
        latest=None,
        text_field="content",
        limit=2000,
        post_to=f"/hazards/{hazard.pk}/do/measure/",
        post={"content": typed, "owner": "李明", "due_on": (found - DAY).isoformat()},
        bad_date=found - DAY,
        error="完成时限不能早于发现日期",
        typed=typed,
        more_texts={"finding": 5000},
    )


def _hazard_review(cast: Cast) -> Family:
    hazard = hazard_registered(cast)
    typed = "工资已发放一半，余款月底结清。"
    return Family(
        client=cast.client_for(cast.by_role[Role.INTAKE_OFFICER]),
        page=f"/hazards/{hazard.pk}/",
        date_field="next_review_on",
        earliest=TODAY() + DAY,
        latest=None,
        text_field="finding",
        limit=5000,
        post_to=f"/hazards/{hazard.pk}/do/review/",
        post={"finding": typed, "level": "medium", "next_review_on": TODAY().isoformat()},
        bad_date=TODAY(),
        error="下次复查日期须晚于今天",
        typed=typed,
    )


def _care_file(cast: Cast) -> Any:
    worker = cast.by_role[Role.CARE_WORKER]
    return worker, open_file(worker, cast.places.v1, enrolled_on=TODAY() - 30 * DAY)


def _care_visit(cast: Cast) -> Family:
    worker, file = _care_file(cast)
    typed = "服药规律，情绪平稳，家属照看到位。"
    return Family(
        client=cast.client_for(worker),
        page=f"/care/{file.code}/visit/",
        date_field="visited_on",
        earliest=file.enrolled_on,
        latest=TODAY(),
        text_field="seen",
        limit=5000,
        post_to=f"/care/{file.code}/visit/",
        post={
            "idempotency_key": "visit-1",
            "visited_on": (file.enrolled_on - DAY).isoformat(),
            "method": "home",
            "seen": typed,
        },
        bad_date=file.enrolled_on - DAY,
        error="走访日期不能早于纳入管理日期",
        typed=typed,
        more_texts={"needs_raised": 2000, "follow_up": 2000},
    )


def _care_plan(cast: Cast) -> Family:
    worker, file = _care_file(cast)
    typed = "协调卫生院每月上门随访"
    return Family(
        client=cast.client_for(worker),
        page=f"/care/{file.code}/plan/",
        date_field="due_on",
        earliest=TODAY(),
        latest=None,
        text_field="measure",
        limit=2000,
        post_to=f"/care/{file.code}/plan/",
        post={
            "idempotency_key": "plan-1",
            "need": "按时服药",
            "measure": typed,
            "who": "李芳",
            "due_on": (TODAY() - DAY).isoformat(),
        },
        bad_date=TODAY() - DAY,
        error="完成时限不能早于今天",
        typed=typed,
    )


def _care_assistance(cast: Cast) -> Family:
    worker, file = _care_file(cast)
    typed = "临时救助金，村委会代领"
    return Family(
        client=cast.client_for(worker),
        page=f"/care/{file.code}/assistance/",
        date_field="granted_on",
        earliest=file.enrolled_on,
        latest=TODAY(),
        text_field="",
        limit=0,
        post_to=f"/care/{file.code}/assistance/",
        post={
            "idempotency_key": "aid-1",
            "kind": "temporary",
            "amount": "500",
            "granted_on": (file.enrolled_on - DAY).isoformat(),
            "note": typed,
        },
        bad_date=file.enrolled_on - DAY,
        error="发放日期不能早于纳入管理日期",
        typed=typed,
    )


def _care_close(cast: Cast) -> Family:
    worker, file = _care_file(cast)
    typed = "病情稳定两年，经评估解除管理。"
    return Family(
        client=cast.client_for(worker),
        page=f"/care/{file.code}/close/",
        date_field="closed_on",
        earliest=file.enrolled_on,
        latest=TODAY(),
        text_field="note",
        limit=2000,
        post_to=f"/care/{file.code}/close/",
        post={"reason": "recovered", "closed_on": (TODAY() + DAY).isoformat(), "note": typed},
        bad_date=TODAY() + DAY,
        error="结案日期不能晚于今天",
        typed=typed,
    )


def _case_session(cast: Cast) -> Family:
    case = case_in(cast, Status.IN_PROGRESS)
    typed = "双方各自陈述，同意三日内清理通道。"
    registered_on = timezone.localdate(case.registered_at)
    return Family(
        client=cast.client_for(cast.by_role[Role.UNIT_HANDLER]),
        page=f"/cases/{case.code}/",
        date_field="held_on",
        earliest=registered_on,
        latest=TODAY(),
        text_field="record",
        limit=5000,
        post_to=f"/cases/{case.code}/do/mediate/",
        post={
            "held_on": "1900-01-01",
            "place": "右所社区调解室",
            "mediators": "王调解员",
            "parties_present": "张三、李四",
            "record": typed,
        },
        bad_date=date(1900, 1, 1),
        error="调解日期不能早于事项登记日期",
        typed=typed,
        # The correction form on the same page: the description as at registration.
        more_texts={"description": 5000, "risk_reasons": 2000},
    )


FAMILIES: dict[str, Callable[[Cast], Family]] = {
    "case: mediation session": _case_session,
    "hazard: register": _hazard_register,
    "hazard: measure": _hazard_measure,
    "hazard: review": _hazard_review,
    "care: visit": _care_visit,
    "care: plan": _care_plan,
    "care: assistance": _care_assistance,
    "care: close": _care_close,
}


@pytest.mark.parametrize("name", list(FAMILIES))
def test_the_page_offers_the_days_that_make_sense_and_shows_the_text_limits(
    cast: Cast, name: str
) -> None:
    family = FAMILIES[name](cast)
    response = family.client.get(family.page)
    assert response.status_code == 200
    page = inputs(response.content.decode())
    box = page.inputs[family.date_field]
    assert box["type"] == "date"
    assert box.get("min") == (family.earliest.isoformat() if family.earliest else None)
    assert box.get("max") == (family.latest.isoformat() if family.latest else None)
    texts = dict(family.more_texts)
    if family.text_field:
        texts[family.text_field] = family.limit
    for text, limit in texts.items():
        assert page.inputs[text]["maxlength"] == str(limit), text
        assert page.counters[str(page.inputs[text]["id"])] == str(limit), text


@pytest.mark.parametrize("name", list(FAMILIES))
def test_a_date_that_makes_no_sense_is_refused_at_its_field_keeping_the_text(
    cast: Cast, name: str
) -> None:
    family = FAMILIES[name](cast)
    response = family.client.post(family.post_to, family.post)
    # Refused: the form again (some pages answer 400, the register pages 200), not a redirect.
    assert response.status_code in {200, 400}, response.content.decode()[:3000]
    html = response.content.decode()
    # The error is shown at the date's field, in Chinese, and the date as sent is kept …
    field_at = html.index(f'name="{family.date_field}"')
    error_at = html.index(family.error, html.rfind("<form", 0, field_at))
    assert abs(error_at - field_at) < 600, (field_at, error_at)
    assert f'value="{family.bad_date.isoformat()}"' in html
    # … with what was typed.
    assert family.typed in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_work_lists_date_filters_come_back_in_iso_in_either_language(
    cast: Cast, language: str
) -> None:
    from django.conf import settings

    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    day = (TODAY() - 7 * DAY).isoformat()
    page = inputs(client.get("/cases/", {"view": "all", "registered_from": day}).content.decode())
    assert page.inputs["registered_from"]["value"] == day
    assert page.inputs["registered_to"]["max"] == TODAY().isoformat()
