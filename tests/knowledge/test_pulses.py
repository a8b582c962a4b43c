"""Health pulses in the domain: anonymous answers a second one replaces, nothing shown below
three, keys wiped at close, closing once, the monthly pulse's claim, and the trend picture."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image, ImageStat
from sqlmodel import select

from knowledge.charts import TrendPoint, trend_alt_text, trend_figure, trend_png
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
    voter_keys,
)
from storage.keyring import Keyring
from storage.models import AuditEntry, Nudge, PulseAnswer

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
T = "T0SHELL"
KEY = Keyring(("the deployment's own key, 32 characters or more",))
OTHER = Keyring(("another deployment's key, also long enough",))


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
        keyring=KEY,
        ratings={d: value for d in DIMENSIONS},
        comment=comment,
        now=now,
    )


FIVE = ["U1", "U2", "U3", "U4", "U5"]


def test_answers_are_anonymous_replaced_and_shown_only_from_the_minimum(session, partnership):
    pulse = start_pulse(session, partnership, members=[*FIVE, "U1"], opened_by="U0ALEX", now=NOW)
    assert pulse.invited == "U1 U2 U3 U4 U5" and pulse.minimum == 5  # the default minimum
    assert [n.recipient_id for n in session.exec(select(Nudge).where(Nudge.kind == PULSE))] == FIVE
    assert rate(session, pulse, "U1", 1) is False
    assert rate(session, pulse, "U1", 5, "changed my mind") is True  # replaces, not adds
    assert rate(session, pulse, "U2", 4) is False
    rows = list(session.exec(select(PulseAnswer)))
    assert len(rows) == 2
    # no column holds who: only a keyed hash, which differs by key and by pulse salt
    assert all("U1" not in str(r.model_dump()) and "U2" not in str(r.model_dump()) for r in rows)
    assert voter_keys(KEY, pulse, "U1") != voter_keys(OTHER, pulse, "U1")
    assert health(session, partnership).open_enough is False  # never how many: only enough
    assert result(session, pulse).averages is None  # open: nothing shown, whatever the count
    # closed at its end with two: only that too few answered, ever
    closed = close_pulse(session, pulse, now=NOW + timedelta(days=7), by=None)
    assert (closed.answered, closed.averages, closed.comments) == (2, None, ())
    assert {r.voter_key for r in session.exec(select(PulseAnswer))} == {None}
    assert close_pulse(session, pulse, now=NOW + timedelta(days=8), by=None) is None  # once
    assert health(session, partnership).trend == []
    with pytest.raises(PulseError, match="closed"):
        rate(session, pulse, "U3", 3)
    # the next pulse: everyone answers, so its lead may close it early, and it shows
    later = NOW + timedelta(days=9)
    second = start_pulse(session, partnership, members=FIVE, opened_by=None, now=later)
    given = zip(FIVE, (2, 3, 5, 3, 4), ("slow", None, "better", None, None), strict=True)
    for user, value, comment in given:
        rate(session, second, user, value, comment, now=later)
    assert health(session, partnership).open_enough is True
    shown = close_pulse(session, second, now=later, by="U0ALEX")
    assert shown.averages == {d: 3.4 for d in DIMENSIONS}
    assert sorted(shown.comments) == ["better", "slow"]
    assert [r.pulse.id for r in health(session, partnership).trend] == [second.id]
    audit = " ".join(a.detail + a.actor_id for a in session.exec(select(AuditEntry)))
    assert "U1" not in audit and "U3" not in audit


def test_a_lead_and_a_colluder_cannot_choose_the_moment_it_closes(session, partnership):
    """With three answers in (the lead's, a colluder's and one more) the lead cannot close it
    and read the third person's ratings as 3 × average − the two they know: a pulse closes at
    its end, or early only once everyone asked has answered; and from three it shows nothing
    while the workspace's minimum is five."""
    pulse = start_pulse(session, partnership, members=FIVE, opened_by="U1", now=NOW)
    for user, value in (("U1", 5), ("U2", 5), ("U3", 1)):  # U1 the lead, U2 the colluder
        rate(session, pulse, user, value)
    for moment in (NOW, NOW + timedelta(days=3)):
        with pytest.raises(PulseError, match="everyone asked has answered"):
            close_pulse(session, pulse, now=moment, by="U1")
    assert pulse.status == "open" and health(session, partnership).open_enough is False
    at_end = close_pulse(session, pulse, now=NOW + timedelta(days=7), by=None)
    assert at_end.averages is None and at_end.comments == ()  # 3 of a minimum of 5
    # a workspace may lower its minimum, never below three
    low = start_pulse(
        session, partnership, members=FIVE, opened_by="U1", now=NOW + timedelta(days=8), minimum=1
    )
    assert low.minimum == 3


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
            keyring=KEY,
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
            keyring=KEY,
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
    assert image.size == (900, 500)
    assert max(hi - lo for lo, hi in ImageStat.Stat(image.convert("L")).extrema) > 100
    words = trend_alt_text(points, names=DIMENSIONS, title="Health of Retrofit")
    assert "over 2 pulses: 01 Sep 26 3.0, 01 Oct 26 3.8" in words
    assert "weakest: Trust 2.5, down 0.5" in words and len(words) <= 1000
    # several pulses: the overall line strong, the parts light, the legend outside the plot
    figure = trend_figure(points, names=DIMENSIONS, title="Health of Retrofit")
    [axes] = figure.axes
    lines = {line.get_label(): line for line in axes.get_lines()}
    assert set(lines) == {"Overall", *DIMENSIONS.values()}
    assert lines["Overall"].get_ydata().tolist() == pytest.approx([3.0, 3.786], abs=0.01)
    assert all(
        lines["Overall"].get_linewidth() > 2 * lines[n].get_linewidth() for n in DIMENSIONS.values()
    )
    assert all(lines[n].get_alpha() <= 0.5 for n in DIMENSIONS.values())
    figure.canvas.draw()
    legend = axes.get_legend().get_window_extent()
    assert legend.x0 >= axes.get_window_extent().x1  # beside the plot, over none of it
    # one pulse: a bar for each part, each labelled with its value, and no lines
    one = trend_figure(points[1:], names=DIMENSIONS, title="Health of Retrofit")
    [bars_axes] = one.axes
    assert bars_axes.get_lines() == [] and len(bars_axes.patches) == len(DIMENSIONS)
    labels = [t.get_text() for t in bars_axes.get_yticklabels()]
    assert labels[0] == "Trust" and len(labels) == 7  # the weakest at the bottom, none hidden
    assert sorted(t.get_text() for t in bars_axes.texts)[0] == "2.5"
    assert trend_png(points[1:], names=DIMENSIONS, title="Health of Retrofit") is not None
    # no pulse to show: no picture, and the words say why
    assert trend_png([], names=DIMENSIONS, title="Health of Retrofit") is None
    assert "no trend to show" in trend_alt_text([], names=DIMENSIONS, title="Health of Retrofit")
