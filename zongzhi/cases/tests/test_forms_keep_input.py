"""Forms keep what was typed: dates in the browser's ISO whatever the language, dates
that make sense for the case, text limits shown, and an over-large request answered with
a page that says the limits (413) instead of a bare error."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.cases.models import Case, MediationSession
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.api_client import KeyClient, assert_error
from zongzhi.cases.tests.factories import case_in, photo
from zongzhi.cases.tests.test_views import intake_post
from zongzhi.conftest import Cast


def session_post(held_on: str) -> dict[str, str]:
    return {
        "held_on": held_on,
        "place": "右所社区调解室",
        "mediators": "王调解员",
        "parties_present": "张三、李四",
        "record": "双方各自陈述，同意三日内清理通道。",
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_mediation_session_dated_in_iso_is_accepted_in_either_language(
    cast: Cast, language: str
) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    client = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    today = timezone.localdate().isoformat()
    page = client.get(f"/cases/{case.code}/").content.decode()
    # The date box is given ISO, which is all <input type="date"> takes, in any language.
    assert f'type="date" name="held_on" value="{today}"' in page
    response = client.post(f"/cases/{case.code}/do/mediate/", session_post(today))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert MediationSession.objects.get().held_on.isoformat() == today


def test_the_session_date_box_offers_only_days_from_registration_to_today(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    page = cast.client_for(cast.by_role[Role.UNIT_HANDLER]).get(f"/cases/{case.code}/")
    html = page.content.decode()
    registered = timezone.localdate(case.registered_at).isoformat()
    assert f'min="{registered}"' in html
    assert f'max="{timezone.localdate().isoformat()}"' in html


@pytest.mark.parametrize(
    ("held_on", "error"),
    [
        ("1900-01-01", "调解日期不能早于事项登记日期"),
        ((timezone.localdate() + timedelta(days=1)).isoformat(), "调解日期不能晚于今天"),
    ],
)
def test_a_session_dated_before_the_case_or_in_the_future_is_refused_keeping_the_text(
    cast: Cast, held_on: str, error: str
) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    client = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    response = client.post(f"/cases/{case.code}/do/mediate/", session_post(held_on))
    assert response.status_code == 400
    html = response.content.decode()
    form = html[html.index('data-step="mediate"') :]
    assert form.index('name="held_on"') < form.index(error) < form.index('name="place"')
    assert f'value="{held_on}"' in form
    assert "双方各自陈述，同意三日内清理通道。" in form
    assert MediationSession.objects.count() == 0


def test_long_text_boxes_show_their_limit_before_sending(cast: Cast) -> None:
    page = cast.client_for(cast.by_role[Role.INTAKE_OFFICER]).get("/cases/new/")
    html = page.content.decode()
    assert 'maxlength="5000"' in html
    assert 'data-counter="id_description" data-max="5000"' in html
    assert "最多5000字" in html


def test_a_5_mb_description_gets_a_readable_413_page(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    data = intake_post(cast, description="纠" * (5 * 1024 * 1024 // 3))
    response = client.post("/cases/new/", data)  # multipart, as the form sends it
    assert response.status_code == 413
    html = response.content.decode()
    assert "提交的内容太大" in html
    assert "返回上一页" in html
    assert Case.objects.count() == 0


def test_a_5_mb_form_sent_urlencoded_gets_the_413_page_too(cast: Cast) -> None:
    from urllib.parse import urlencode

    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    body = urlencode(intake_post(cast, description="x" * (5 * 1024 * 1024)))
    response = client.post("/cases/new/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "提交的内容太大" in response.content.decode()


def test_the_api_answers_an_over_large_body_with_413_in_its_error_shape(cast: Cast) -> None:
    key = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    response = key.post("/api/cases/", {"description": "x" * (5 * 1024 * 1024)})
    body = assert_error(response, 413, "too_large")
    assert "MB" in body["message"]


@override_settings(ZONGZHI_UPLOAD_MAX_BYTES=50_000)
def test_an_upload_over_the_request_limit_gets_413_before_it_is_read(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    client = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    scan = SimpleUploadedFile("扫描件.pdf", b"%PDF-1.7\n" + b"0" * 60_000)
    response = client.post(f"/cases/{case.code}/do/attach/", {"attachments": [scan]})
    assert response.status_code == 413
    assert "提交的内容太大" in response.content.decode()
    again = client.post(f"/cases/{case.code}/do/attach/", {"attachments": [photo()]})
    assert again.status_code == 302
