"""Cases for tests, made through the services as users make them."""

from typing import Any

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case, Party
from zongzhi.cases.rules import Status
from zongzhi.categories.models import Category
from zongzhi.conftest import Cast


def category(code: str = "LLJF01") -> Category:
    return Category.objects.select_related("parent").get(code=code)


def new_case(**overrides: Any) -> services.NewCase:
    values: dict[str, Any] = {
        "channel": Case.Channel.VISIT,
        "category": category(),
        "title": "邻居占道堆放杂物",
        "description": "张某反映邻居李某在共用通道堆放杂物，多次协商未果。",
        "parties": [
            services.NewParty(role=Party.Role.APPLICANT, name="张三", phone="13800000001"),
            services.NewParty(role=Party.Role.RESPONDENT, name="李四", phone="13800000002"),
        ],
    }
    values.update(overrides)
    if "region" not in values:
        raise TypeError("say where the case is: region=…")
    return services.NewCase(**values)


def registered(cast: Cast, **overrides: Any) -> Case:
    overrides.setdefault("region", cast.places.g1)
    return services.case_register(by=cast.by_role[Role.INTAKE_OFFICER], new=new_case(**overrides))


def case_in(cast: Cast, status: Status, **overrides: Any) -> Case:
    """A case in township T1, walked to `status` by the cast (dispatched to T1's station)."""
    intake = cast.by_role[Role.INTAKE_OFFICER]
    handler = cast.by_role[Role.UNIT_HANDLER]
    case = registered(cast, **overrides)
    if status == Status.REGISTERED:
        return case
    if status == Status.REJECTED:
        return services.case_reject(
            by=intake, case=case, reason="不属于受理范围", notice="当面告知"
        )
    if status == Status.MERGED:
        other = registered(cast, **overrides)
        services.case_merge(by=intake, case=case, into=other)
        return case
    services.case_accept(by=intake, case=case)
    if status == Status.ACCEPTED:
        return case
    services.case_dispatch(by=intake, case=case, lead_unit=cast.units.t1_station)
    if status == Status.DISPATCHED:
        return case
    services.case_start(by=handler, case=case)
    if status == Status.IN_PROGRESS:
        return case
    services.case_close(
        by=handler, case=case, outcome=Case.Outcome.MEDIATED, note="双方达成一致，杂物已清理"
    )
    if status == Status.CLOSED:
        return case
    services.case_visit(by=intake, case=case, satisfaction=Case.Satisfaction.SATISFIED)
    if status == Status.VISITED:
        return case
    services.case_archive(by=intake, case=case)
    assert status == Status.ARCHIVED
    return case


__all__ = ["SYSTEM", "case_in", "category", "new_case", "registered"]


def photo_bytes(size: tuple[int, int] = (1200, 900), fmt: str = "JPEG") -> bytes:
    """A real photo's bytes (Pillow draws it), for attachments."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, fmt)
    return out.getvalue()


def photo(name: str = "现场照片.jpg") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, photo_bytes(), content_type="image/jpeg")
