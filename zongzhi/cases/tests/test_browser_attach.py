"""A handler adds a photo to a case from a phone, later, and opens it."""

from typing import Any

import pytest

from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in, photo_bytes
from zongzhi.conftest import PASSWORD, Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_handler_attaches_a_photo_to_an_open_case_and_opens_it(
    live_server: Any, phone_page: Any, cast: Cast
) -> None:
    page = phone_page
    case = case_in(cast, Status.IN_PROGRESS)
    sign_in(page, live_server.url, "t1_police", PASSWORD)
    page.goto(f"{live_server.url}/cases/{case.code}/")
    block = page.locator('details[data-step="attach"]')
    block.locator("summary").click()
    # A page saved as .jpg is refused, and said so beside the file box; the note stays.
    fake = {"name": "照片.jpg", "mimeType": "image/jpeg", "buffer": b"<html><script></script>"}
    block.locator('input[type="file"]').set_input_files(files=[fake])
    block.get_by_label("说明（这些文件是什么）").fill("院墙裂缝的现场照片")
    block.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "“照片.jpg”的内容不是可接收的文件类型" in block.locator(".errorlist").inner_text()
    assert block.get_by_label("说明（这些文件是什么）").input_value() == "院墙裂缝的现场照片"
    block.screenshot(path=str(ARTIFACTS / "attach-00-refused-file.png"))
    block.locator('input[type="file"]').set_input_files(
        files=[{"name": "院墙裂缝.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    block.locator("button[type=submit]").click()
    page.wait_for_load_state()

    files = page.get_by_test_id("attachments")
    assert "院墙裂缝.jpg" in files.inner_text()
    thumbnail = files.locator("img").first
    thumbnail.scroll_into_view_if_needed()
    # The thumbnail loads lazily, once scrolled to: wait for it rather than look at once.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    assert fits_the_phone(page)
    files.screenshot(path=str(ARTIFACTS / "attach-01-case-files.png"))
    page.screenshot(path=str(ARTIFACTS / "attach-02-case-page.png"), full_page=True)

    with page.context.expect_page() as opened:
        thumbnail.click()
    full = opened.value
    full.wait_for_load_state()
    size = full.evaluate("[document.images[0].naturalWidth, document.contentType]")
    assert size == [1200, "image/jpeg"]
