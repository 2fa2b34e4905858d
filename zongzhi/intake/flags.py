"""What registration writes for same-source detection, inside the case's own transaction
(cases.services.intake calls these): the case's words, and the 疑似重复 flag of a case that
came in where nobody compared it with the open cases."""

from datetime import datetime
from typing import Any

from zongzhi.cases.models import Case
from zongzhi.intake import rules
from zongzhi.intake.models import CaseWords, SuspectedDuplicate
from zongzhi.intake.selectors import case_words, likely_duplicates, report_of, text_digest


def keep_words(case: Case) -> list[str]:
    cut = case_words(case.title, case.description)
    CaseWords.objects.update_or_create(
        case=case,
        defaults={"digest": text_digest(case.title, case.description), "words": " ".join(cut)},
    )
    return cut


def flag_duplicates(*, case: Case, phones: list[str], at: datetime) -> list[dict[str, Any]]:
    """Compare a case just registered with its township's open and recent cases; when one
    is likely the same matter, flag it 疑似重复. Answers what the timeline keeps."""
    point = (case.lng, case.lat) if case.lng is not None and case.lat is not None else None
    new = report_of(
        title=case.title,
        description=case.description,
        place=case.region,
        phones=phones,
        category=case.category,
        point=point,
    )
    found = [
        f for f in likely_duplicates(new, place=case.region, exclude=case.pk) if f.match.likely
    ]
    if not found:
        return []
    best = found[0]
    SuspectedDuplicate.objects.create(
        case=case,
        of_id=best.case_id,
        score=best.match.score,
        reasons=best.match.reason_text,
        flagged_at=at,
    )
    return [{"code": f.code, "score": f.match.score, "reasons": f.match.reason_text} for f in found]


__all__ = ["flag_duplicates", "keep_words", "rules"]
