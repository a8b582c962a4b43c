"""The whole register through the domain: facts and their rules, edits, the agreement
checklist, reviews and their reminders, closing, and the filtered list."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from knowledge.agreement import AgreementError, checklist, set_item
from knowledge.audit import history
from knowledge.commitments import Owner, record_commitment
from knowledge.nudges import Policy
from knowledge.partnerships import (
    PartnershipError,
    add_partnership,
    close_partnership,
    edit_partnership,
    list_partnerships,
)
from knowledge.register import register_list, reviews_due
from knowledge.register_facts import Facts, money
from knowledge.reviews import (
    DUE,
    EARLY,
    LATE,
    SOON,
    ReviewError,
    decide_review,
    record_review,
    snooze_review,
)
from storage.models import AgreementItem, Nudge, Partnership, PartnershipReview

# Monday 23 November 2026, 10:00 in London
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


def facts(**given):
    return Facts(partners=given.pop("partners", ["Hull Housing", "Green Homes CIC"]), **given)


def add(session, name="Retrofit Partnership", team="T1", **given):
    return add_partnership(
        session,
        team_id=team,
        name=name,
        channel_id=None,
        actor_id="U1",
        now=NOW,
        facts=facts(**given),
    )


def nudges(session, partnership):
    return list(
        session.exec(
            select(Nudge)
            .where(Nudge.partnership_id == partnership.id)
            .where(Nudge.status == "pending")
            .order_by(Nudge.due_at)
        )
    )


def test_a_partnership_keeps_every_fact_it_is_given(session):
    added = add(
        session,
        lead_id="U2",
        kind="lsp",
        lsp_kind="commissioning",
        objective="Warm homes",
        start_date=date(2025, 4, 1),
        next_review=date(2027, 3, 31),
        end_date=date(2029, 3, 31),
        funding_gbp=Decimal("125000.50"),
        budget_gbp=Decimal("90000"),
        risk_ref="RR-14",
        reporting="Quarterly to cabinet",
        significant=True,
    )
    stored = session.get(Partnership, added.id)
    assert stored.partners == "Hull Housing\nGreen Homes CIC"
    assert (stored.lead_id, stored.kind, stored.lsp_kind) == ("U2", "lsp", "commissioning")
    assert stored.funding_gbp == Decimal("125000.50") and stored.significant
    assert Facts.of(stored).partners == ["Hull Housing", "Green Homes CIC"]
    [audit] = history(session, team_id="T1", entity="partnership", entity_id=added.id)
    assert json.loads(audit.detail)["funding_gbp"] == "125000.50"


@pytest.mark.parametrize(
    ("given", "field", "said"),
    [
        (
            {"start_date": date(2026, 1, 1), "next_review": date(2025, 1, 1)},
            "next_review",
            "before the start",
        ),
        (
            {"start_date": date(2026, 1, 1), "end_date": date(2025, 12, 31)},
            "end_date",
            "before the start",
        ),
        ({"funding_gbp": Decimal("-1")}, "funding_gbp", "negative"),
        ({"budget_gbp": Decimal("-0.01")}, "budget_gbp", "negative"),
        ({"lead_id": "C0CHANNEL"}, "lead", "not a channel"),
        ({"kind": "cartel"}, "kind", "The type is one of"),
        ({"kind": "alliance", "lsp_kind": "advisory"}, "lsp_kind", "Only a Local Strategic"),
        ({"objective": "x" * 3001}, "objective", "3000"),
    ],
)
def test_facts_that_break_the_rules_are_refused_and_nothing_is_stored(session, given, field, said):
    with pytest.raises(PartnershipError) as refused:
        add(session, **given)
    assert refused.value.field == field and said in str(refused.value)
    assert session.exec(select(Partnership)).all() == []


def test_money_is_read_as_people_write_it():
    assert money("£12,500", "x") == Decimal("12500.00")
    assert money(" ", "x") is None
    with pytest.raises(ValueError, match="isn't an amount"):
        money("lots", "x")


def test_an_edit_records_what_changed_from_what(session):
    added = add(session, risk_ref="RR-1")
    changed = edit_partnership(
        session,
        added,
        name="Retrofit Partnership (Hull)",
        facts=facts(risk_ref="RR-2", significant=True),
        actor_id="U3",
        now=NOW,
    )
    assert set(changed) == {"name", "risk_ref", "significant"}
    audit = history(session, team_id="T1", entity="partnership", entity_id=added.id)[-1]
    assert audit.actor_id == "U3"
    assert json.loads(audit.detail)["from"] == {
        "name": "Retrofit Partnership",
        "risk_ref": "RR-1",
        "significant": False,
    }


def test_an_edit_cannot_take_another_partnerships_name(session):
    add(session, "Parks Partnership")
    retrofit = add(session)
    with pytest.raises(PartnershipError, match="already a partnership called “Parks"):
        edit_partnership(
            session, retrofit, name="parks partnership", facts=facts(), actor_id="U1", now=NOW
        )
    assert session.get(Partnership, retrofit.id).name == "Retrofit Partnership"


def test_the_checklist_has_the_guides_twelve_items_and_audits_each_change(session):
    added = add(session)
    assert [row for _, row in checklist(session, added)] == [None] * 12
    set_item(session, added, item="aims", status="agreed", note="Signed", actor_id="U2", now=NOW)
    set_item(
        session,
        added,
        item="aims",
        link="https://example.org/agreement.pdf",
        actor_id="U3",
        now=NOW,
    )
    row = dict(checklist(session, added))["aims"]
    assert (row.status, row.note, row.link, row.changed_by) == (
        "agreed",
        "Signed",
        "https://example.org/agreement.pdf",
        "U3",
    )
    audits = history(session, team_id="T1", entity="agreement_item", entity_id=f"{added.id}:aims")
    assert [json.loads(a.detail)["to"] for a in audits] == ["agreed", "agreed"]
    assert json.loads(audits[0].detail)["from"] == "not_started"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"item": "bribes", "status": "agreed"}, "twelve"),
        ({"item": "aims", "status": "maybe"}, "not started, in progress or agreed"),
        ({"item": "aims", "link": "javascript:alert(1)"}, "web address"),
    ],
)
def test_a_bad_checklist_change_stores_nothing(session, change, said):
    added = add(session)
    with pytest.raises(AgreementError, match=said):
        set_item(session, added, actor_id="U1", now=NOW, **change)
    assert session.exec(select(AgreementItem)).all() == []


def test_review_reminders_come_14_days_and_3_working_days_before_on_the_day_and_weekly_after(
    session,
):
    added = add(session, lead_id="U2", next_review=date(2027, 1, 20))  # a Wednesday
    planned = [(n.kind, n.number, n.due_at) for n in nudges(session, added)]

    def at(d):
        return datetime.combine(d, datetime.min.time(), UTC) + timedelta(hours=9, minutes=30)  # noqa: E731 (GMT in January)

    assert planned == [
        (EARLY, 0, at(date(2027, 1, 6))),
        (SOON, 0, at(date(2027, 1, 15))),
        (DUE, 0, at(date(2027, 1, 20))),
        (LATE, 1, at(date(2027, 1, 27))),
        (LATE, 2, at(date(2027, 2, 3))),
        (LATE, 3, at(date(2027, 2, 10))),
        (LATE, 4, at(date(2027, 2, 17))),
    ]
    assert {n.recipient_id for n in nudges(session, added)} == {"U2"}
    assert {n.about for n in nudges(session, added)} == {date(2027, 1, 20)}


def test_no_lead_or_no_review_date_means_no_reminders(session):
    assert nudges(session, add(session, next_review=date(2027, 1, 20))) == []
    assert nudges(session, add(session, "Parks", lead_id="U2")) == []


def test_recording_a_review_keeps_the_history_and_moves_the_reminders(session):
    added = add(session, lead_id="U2", start_date=date(2025, 1, 1), next_review=date(2026, 12, 1))
    record_review(
        session,
        added,
        reviewed_on=date(2026, 11, 20),
        outcome="On track; risk register refreshed",
        next_review=date(2027, 5, 20),
        actor_id="U2",
        lead_tz="Europe/London",
        now=NOW,
    )
    assert session.get(Partnership, added.id).next_review == date(2027, 5, 20)
    assert {n.about for n in nudges(session, added)} == {date(2027, 5, 20)}
    [review] = session.exec(select(PartnershipReview)).all()
    assert (review.reviewed_on, review.recorded_by) == (date(2026, 11, 20), "U2")


@pytest.mark.parametrize(
    ("on", "outcome", "nxt", "field"),
    [
        (date(2026, 12, 1), "ok", None, "date"),  # in the future
        (date(2024, 12, 1), "ok", None, "date"),  # before the start
        (date(2026, 11, 20), "  ", None, "outcome"),
        (date(2026, 11, 20), "ok", date(2026, 11, 19), "next"),
    ],
)
def test_a_bad_review_is_refused_and_nothing_moves(session, on, outcome, nxt, field):
    added = add(session, lead_id="U2", start_date=date(2025, 1, 1), next_review=date(2026, 12, 1))
    with pytest.raises(ReviewError) as refused:
        record_review(
            session,
            added,
            reviewed_on=on,
            outcome=outcome,
            next_review=nxt,
            actor_id="U2",
            lead_tz="Europe/London",
            now=NOW,
        )
    assert refused.value.field == field
    assert session.get(Partnership, added.id).next_review == date(2026, 12, 1)
    assert session.exec(select(PartnershipReview)).all() == []


def test_a_reminder_for_a_date_since_moved_or_a_lead_since_changed_is_not_sent(session):
    added = add(session, lead_id="U2", next_review=date(2026, 12, 1))
    first = nudges(session, added)[0]
    assert decide_review(
        session, first, partnership=added, tz="Europe/London", now=first.due_at, policy=Policy()
    ).send
    edit_partnership(
        session,
        added,
        name=added.name,
        facts=facts(lead_id="U3", next_review=date(2026, 12, 1)),
        actor_id="U1",
        now=NOW,
    )
    assert not decide_review(
        session, first, partnership=added, tz="Europe/London", now=first.due_at, policy=Policy()
    ).send
    assert {n.recipient_id for n in nudges(session, added)} == {"U3"}


def test_snoozing_a_review_reminds_a_week_later_and_drops_the_ones_before(session):
    added = add(session, lead_id="U2", next_review=date(2026, 11, 30))
    until = snooze_review(session, added, user_id="U2", tz="Europe/London", now=NOW)
    assert until == datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    assert snooze_review(session, added, user_id="U2", tz="Europe/London", now=NOW) is None
    assert all(n.due_at >= until for n in nudges(session, added))


def test_closing_ends_reminders_and_leaves_the_lists_but_keeps_the_row(session):
    added = add(session, lead_id="U2", start_date=date(2025, 1, 1), next_review=date(2027, 1, 20))
    with pytest.raises(PartnershipError, match="before the start"):
        close_partnership(
            session, added, end_date=date(2024, 1, 1), note="", actor_id="U2", now=NOW
        )
    close_partnership(
        session, added, end_date=TODAY, note="Programme ended", actor_id="U2", now=NOW
    )
    assert nudges(session, added) == []
    assert list_partnerships(session, team_id="T1") == []
    assert [p.name for p in list_partnerships(session, team_id="T1", closed=True)] == [added.name]
    with pytest.raises(PartnershipError, match="closed already"):
        close_partnership(session, added, end_date=TODAY, note="", actor_id="U2", now=NOW)


def test_the_list_filters_mine_significant_due_and_overdue(session):
    add(session, "Due Soon", lead_id="U2", next_review=TODAY + timedelta(days=10))
    add(session, "Far Off", lead_id="U3", next_review=TODAY + timedelta(days=90), significant=True)
    late = add(session, "Late", lead_id="U2")
    late.next_review = TODAY - timedelta(days=3)  # stored long ago, now passed
    session.add(late)
    session.commit()
    slipping = add(session, "Slipping")
    record_commitment(
        session,
        team_id="T1",
        created_by="U1",
        creator_tz="Europe/London",
        channel_id=None,
        owners=[Owner("U4", "Europe/London")],
        action="Send the map",
        due=TODAY,
        now=NOW - timedelta(days=30),
        partnership_id=slipping.id,
    )

    def names(which, user=""):
        rows = register_list(session, team_id="T1", today=TODAY, which=which, user_id=user)
        return [s.partnership.name for s in rows]

    assert names("") == ["Due Soon", "Far Off", "Late", "Slipping"]
    assert names("mine", "U2") == ["Due Soon", "Late"]
    assert names("significant") == ["Far Off"]
    assert names("due") == ["Due Soon", "Late"]
    assert names("overdue") == ["Late"]  # the commitment is due today, not overdue yet
    [row] = register_list(session, team_id="T1", today=TODAY + timedelta(days=1), which="overdue")[
        1:
    ]
    assert (row.partnership.name, row.open, row.overdue) == ("Slipping", 1, 1)
    assert [p.name for p in reviews_due(session, team_id="T1", today=TODAY)] == ["Late", "Due Soon"]


def test_governance_completeness_names_what_is_missing(session):
    added = add(session, lead_id="U2", risk_ref="RR-1")
    [row] = register_list(session, team_id="T1", today=TODAY)
    assert row.missing == ["agreement", "review date", "reporting", "exit date"]
    assert row.agreement == "0 of 12 agreed"
    for key, _ in checklist(session, added):
        set_item(session, added, item=key, status="agreed", actor_id="U2", now=NOW)
    [row] = register_list(session, team_id="T1", today=TODAY)
    assert "agreement" not in row.missing and row.agreement == "12 of 12 agreed"


def test_another_workspaces_partnerships_never_show(session):
    add(session, team="T2", lead_id="U2")
    assert register_list(session, team_id="T1", today=TODAY) == []


def test_the_workbook_keeps_typed_text_as_text_never_a_formula(session, tmp_path):
    from openpyxl import load_workbook

    from knowledge.workbook import write_workbook

    add(session, objective='=HYPERLINK("https://evil.example","click")', risk_ref="- RR-1")
    path = tmp_path / "register.xlsx"
    write_workbook(session, str(path), team_id="T1", workspace="Hull", now=NOW)
    sheet = load_workbook(path)["Partnerships"]
    header = [c.value for c in sheet[1]]
    objective = sheet.cell(row=2, column=header.index("Objective") + 1)
    assert objective.data_type == "s"
    assert objective.value == '=HYPERLINK("https://evil.example","click")'
    assert sheet.cell(row=2, column=header.index("Risk register reference") + 1).value == "- RR-1"
