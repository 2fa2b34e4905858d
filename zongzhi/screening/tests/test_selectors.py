"""The database's count of each state agrees with the state shown on each row."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.conftest import Cast
from zongzhi.screening import selectors
from zongzhi.screening.models import ScreeningReport
from zongzhi.screening.rules import ReportState
from zongzhi.screening.tests.factories import campaign, today

# `make test` runs this on SQLite too (-m sqlite): a report's state is computed in SQL from dates.
pytestmark = pytest.mark.sqlite


def test_state_filters_match_the_rule_for_every_kind_of_report(cast: Cast) -> None:
    round_ = campaign(cast.places.county, start=today() - timedelta(days=20), days=5, due_in=2)
    g1, g2 = round_.reports.order_by("region_prefix")
    due = round_.due_on
    # Filed late, and one not filed at all; seen on days before, on and after the due day.
    ScreeningReport.objects.filter(pk=g1.pk).update(
        filed_at=timezone.now(), filed_on=due + timedelta(days=1), is_late=True
    )
    for day in (due - timedelta(days=1), due, due + timedelta(days=1), due + timedelta(days=9)):
        reports = list(ScreeningReport.objects.filter(round=round_))
        for state in ReportState:
            by_database = set(
                ScreeningReport.objects.filter(round=round_)
                .filter(selectors.state_q(state, day))
                .values_list("pk", flat=True)
            )
            by_rule = {r.pk for r in reports if r.state(day) == state}
            assert by_database == by_rule, (state, day)
        counts = selectors.Counts.of(
            ScreeningReport.objects.filter(round=round_).aggregate(**selectors.state_counts(day))
        )
        assert counts.expected == 2
        assert counts.on_time + counts.late + counts.missing + counts.pending == 2
    assert g2.state(due) == ReportState.PENDING
    assert g2.state(due + timedelta(days=1)) == ReportState.MISSING


def test_a_superuser_looks_over_everything_from_the_top(cast: Cast) -> None:
    roots = selectors.compliance_roots(SYSTEM)
    assert [r.level for r in roots] == [1]
