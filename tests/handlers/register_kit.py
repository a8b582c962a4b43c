"""What the register's end-to-end tests share: a sandbox on a clock, the register form's state
as Slack sends it, and adding a partnership through that form."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.sandbox import Sandbox
from handlers.register_forms import ADD_VIEW
from tests.conftest import Clock, assert_messages_are_safe


@pytest.fixture
def clock():
    return Clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # a Monday


@pytest.fixture
def box(settings, clock):
    with Sandbox(settings, clock=clock) as sandbox:
        yield sandbox
        assert_messages_are_safe(sandbox)


def uid(box, name):
    return box.emulator.workspace.user_named(name).id


def rows(box, table):
    with box.bot.services.sessions() as session:
        return list(session.exec(select(table)))


def run(box, text, user, channel):
    reply = box.driver.command(text, user=user, channel=channel)
    box.wait()
    assert reply.status == 200
    answers = box.emulator.calls_to("response_url")
    return answers[-1] if answers else None


def opened_form(box):
    return box.emulator.calls_to("views.open", ok=True)[-1].result["view"]


def state(**fields):
    """Slack's view state for the register form, from field values."""
    values = {}
    for block, value in fields.items():
        if block == "partnership_name":
            values[block] = {"name": {"type": "plain_text_input", "value": value}}
        elif block == "lead_id":
            values[block] = {"value": {"type": "users_select", "selected_user": value}}
        elif block in ("start_date", "next_review", "end_date", "date", "next"):
            values[block] = {"value": {"type": "datepicker", "selected_date": value}}
        elif block == "partnership_channel":
            values[block] = {
                "channel": {"type": "conversations_select", "selected_conversation": value}
            }
        elif block == "kind":
            values[block] = {
                "value": {"type": "static_select", "selected_option": {"value": value}}
            }
        elif block in ("funding_gbp", "budget_gbp"):
            values[block] = {"value": {"type": "number_input", "value": value}}
        elif block == "significant":
            values[block] = {
                "value": {
                    "type": "checkboxes",
                    "selected_options": [{"value": "yes"}] if value else [],
                }
            }
        else:
            values[block] = {"value": {"type": "plain_text_input", "value": value}}
    return values


def add_by_form(box, people, user=None, **fields):
    run(box, "partnership add", user or people.alex, people.retrofit)
    view = opened_form(box)
    assert view["callback_id"] == ADD_VIEW
    reply = box.driver.view_submission(view, state(**fields), user=user or people.alex)
    box.wait()
    return reply


FULL = dict(
    partnership_name="Retrofit Partnership",
    partners="Hull Housing\nGreen Homes CIC",
    lead_id=None,
    kind="alliance",
    objective="Warm homes for 400 households",
    start_date="2025-04-01",
    next_review="2026-12-09",
    end_date="2029-03-31",
    funding_gbp="125000.50",
    budget_gbp="90000",
    risk_ref="RR-14",
    reporting="Quarterly to cabinet",
    significant=True,
)


def report_by_form(box, name, user, channel):
    """`/partners report NAME`, then its form sent as it opened (a draft): the .docx is DMed."""
    run(box, f"report {name}", user, channel)
    form = opened_form(box)
    reply = box.driver.view_submission(form, {}, user=user)
    box.wait()
    assert reply.status == 200
