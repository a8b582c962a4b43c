"""Health pulses in the domain: anonymous answers a second one replaces, nothing shown below
three, keys wiped at close, closing once, the monthly pulse's claim, and the trend picture."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image, ImageStat
from sqlmodel import select

from knowledge.charts import TrendPoint, trend_alt_text, trend_png
from knowledge.nudges import CANCELLED, PULSE, Policy
from knowledge.partnerships import add_partnership
from knowledge.pulses import (
    DIMENSIONS,
    PulseError,
    answer,
    close_pulse,
    decide_pulse,
    due_monthly,
    health,
    result,
    start_pulse,
    voter_key,
)
from storage.models import AuditEntry, Nudge, PulseAnswer

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
T = "T0SHELL"
KEY = "the app's signing secret"


@pytest.fixture
def partnership(session):
    return add_partnership(
        session, team_id=T, name="Retrofit", channel_id="C0RETRO", actor_id="U0ALEX", now=NOW
    )


def rate(session, pulse, user, value, comment=None, *, now=NOW):
    return answer(
        session,
        T,
        pulse.id,
        user_id=user,
        secret=KEY,
        ratings={d: value for d in DIMENSIONS},
        comment=comment,
        now=now,
    )


def test_answers_are_anonymous_replaced_and_shown_only_from_three(session, partnership):
    pulse = start_pulse(
        session, partnership, members=["U1", "U2", "U3", "U1"], opened_by="U0ALEX", now=NOW
    )
    assert pulse.invited == "U1 U2 U3"
    assert [n.recipient_id for n in session.exec(select(Nudge).where(Nudge.kind == PULSE))] == [
        "U1",
        "U2",
        "U3",
    ]
    assert rate(session, pulse, "U1", 1) is False
    assert rate(session, pulse, "U1", 5, "changed my mind") is True  # replaces, not adds
    assert rate(session, pulse, "U2", 4) is False
    rows = list(session.exec(select(PulseAnswer)))
    assert len(rows) == 2
    # no column holds who: only a keyed hash, which differs by secret and by pulse salt
    assert all("U1" not in str(r.model_dump()) and "U2" not in str(r.model_dump()) for r in rows)
    assert voter_key(KEY, pulse, "U1") != voter_key("another secret", pulse, "U1")
    assert health(session, partnership).open_answers == 2
    assert result(session, pulse).averages is None  # open: nothing shown, whatever the count
    # closed with two: only the count, ever
    closed = close_pulse(session, pulse, now=NOW + timedelta(days=7), by=None)
    assert (closed.answered, closed.averages, closed.comments) == (2, None, ())
    assert {r.voter_key for r in session.exec(select(PulseAnswer))} == {None}
    assert close_pulse(session, pulse, now=NOW + timedelta(days=8), by=None) is None  # once
    assert health(session, partnership).trend == []
    with pytest.raises(PulseError, match="closed"):
        rate(session, pulse, "U3", 3)
    # the next pulse gets three: averages and the comments, in some order
    second = start_pulse(
        session,
        partnership,
        members=["U1", "U2", "U3"],
        opened_by=None,
        now=NOW + timedelta(days=9),
    )
    for user, value, comment in (("U1", 2, "slow"), ("U2", 3, None), ("U3", 5, "better")):
        rate(session, second, user, value, comment, now=NOW + timedelta(days=9))
    shown = close_pulse(session, second, now=NOW + timedelta(days=16), by="U0ALEX")
    assert shown.averages == {d: 3.3 for d in DIMENSIONS}
    assert sorted(shown.comments) == ["better", "slow"]
    assert [r.pulse.id for r in health(session, partnership).trend] == [second.id]
    audit = " ".join(a.detail + a.actor_id for a in session.exec(select(AuditEntry)))
    assert "U1" not in audit and "U3" not in audit


def test_who_may_answer_and_what(session, partnership):
    pulse = start_pulse(session, partnership, members=["U1"], opened_by="U0ALEX", now=NOW)
    with pytest.raises(PulseError, match="already open"):
        start_pulse(session, partnership, members=["U1"], opened_by="U0ALEX", now=NOW)
    with pytest.raises(PulseError, match="members"):
        rate(session, pulse, "U9", 3)  # not asked
    with pytest.raises(PulseError, match="1 to 5"):
        rate(session, pulse, "U1", 6)
    with pytest.raises(PulseError, match="Trust"):
        answer(
            session,
            T,
            pulse.id,
            user_id="U1",
            secret=KEY,
            ratings={"goals": 3},
            comment=None,
            now=NOW,
        )
    with pytest.raises(PulseError, match="1000"):
        rate(session, pulse, "U1", 3, "x" * 1001)
    with pytest.raises(PulseError, match="workspace"):
        answer(
            session,
            "T0OTHER",
            pulse.id,
            user_id="U1",
            secret=KEY,
            ratings={d: 3 for d in DIMENSIONS},
            comment=None,
            now=NOW,
        )
    with pytest.raises(PulseError, match="closed"):
        rate(session, pulse, "U1", 3, now=NOW + timedelta(days=7))  # its week is over
    assert list(session.exec(select(PulseAnswer))) == []


def test_the_monthly_pulse_is_claimed_once_and_its_dms_wait_for_working_hours(session, partnership):
    assert [p.id for p in due_monthly(session, now=NOW)] == [partnership.id]
    first = start_pulse(
        session, partnership, members=["U1"], opened_by=None, now=NOW, period="2026-11"
    )
    assert due_monthly(session, now=NOW) == []
    close_pulse(session, first, now=NOW + timedelta(days=7), by=None)
    # a second process racing for the same month gets None, and owes nobody anything
    assert (
        start_pulse(session, partnership, members=["U1"], opened_by=None, now=NOW, period="2026-11")
        is None
    )
    assert due_monthly(session, now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == [partnership]
    second = start_pulse(
        session, partnership, members=["U1"], opened_by=None, now=NOW + timedelta(days=8)
    )
    [nudge] = [n for n in session.exec(select(Nudge)) if n.status == "pending"]
    night = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    later = decide_pulse(nudge, pulse=second, tz="Europe/London", now=night, policy=Policy())
    assert later.change["due_at"] == datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    close_pulse(session, second, now=night, by=None)
    gone = decide_pulse(nudge, pulse=second, tz="Europe/London", now=night, policy=Policy())
    assert gone.change == {"status": CANCELLED}


def test_the_trend_picture_is_drawn_and_described(session):
    points = [
        TrendPoint("01 Sep 26", {d: 3.0 for d in DIMENSIONS}),
        TrendPoint("01 Oct 26", {d: 2.5 if d == "trust" else 4.0 for d in DIMENSIONS}),
    ]
    png = trend_png(points, names=DIMENSIONS, title="Health of Retrofit")
    image = Image.open(io.BytesIO(png))
    assert image.size == (800, 500)
    assert max(hi - lo for lo, hi in ImageStat.Stat(image.convert("L")).extrema) > 100
    words = trend_alt_text(points, names=DIMENSIONS, title="Health of Retrofit")
    assert "over 2 pulses: 01 Sep 26 3.0, 01 Oct 26 3.8" in words
    assert "weakest: Trust 2.5, down 0.5" in words and len(words) <= 1000
    # no pulse to show: no picture, and the words say why
    assert trend_png([], names=DIMENSIONS, title="Health of Retrofit") is None
    assert "no trend to show" in trend_alt_text([], names=DIMENSIONS, title="Health of Retrofit")
