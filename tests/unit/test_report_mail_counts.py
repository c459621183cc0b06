"""The departments' reports count the e-mail form's work (issue #19) from the inquiries' desk events: forms
received, answered by e-mail, resolved by e-mail, the median time from the form to the first e-mail answer -
counts only, nothing of what was written."""

from __future__ import annotations

from datetime import datetime, timedelta

from activecare.clock import JST
from activecare.reporting.build import desk_figures
from activecare.reporting.models import Row

T = datetime(2026, 11, 25, 10, 0, tzinfo=JST)


def _row(n: int, status: str, events: tuple[tuple[str, datetime], ...], outcome: str | None = None) -> Row:
    return Row(inquiry_id=str(n), created_at=T, department="billing", topic="billing", sentiment="neutral",
               text="請求がおかしい", status=status, outcome=outcome, first_response_at=T + timedelta(minutes=5),
               mail_events=events)


def test_the_desk_figures_count_the_email_forms_work() -> None:
    rows = [
        _row(1, "resolved", (("mail_form", T + timedelta(minutes=30)), ("mail_answer", T + timedelta(minutes=50)),
                             ("mail_answer", T + timedelta(minutes=90))), "answered"),
        _row(2, "new", (("mail_form", T + timedelta(minutes=40)), ("mail_answer", T + timedelta(minutes=70)))),
        _row(3, "new", (("mail_form", T + timedelta(minutes=45)),)),
        _row(4, "resolved", (), "email_form"),
    ]
    d = desk_figures(rows)
    assert (d.forms_received, d.email_answered, d.resolved_by_email, d.email_form) == (3, 2, 1, 1)
    assert d.median_first_email_answer_s == 25 * 60  # 20 and 30 minutes from the form to the first answer
    assert desk_figures([]).median_first_email_answer_s is None
