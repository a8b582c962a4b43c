"""The committee report's progress section: what the register knows about one partnership,
written as numbered subsections (governance, the agreement, commitments with the declined ones
and their reasons, reviews and their outcomes, benefits, health, prioritisation, the themes of
recent breakouts). Each writer adds paragraphs, tables and pictures to the document."""

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from knowledge.agreement import ITEMS, STATUSES, checklist
from knowledge.benefits import benefits_of, standing
from knowledge.breakout import summary
from knowledge.charts import placed_grid, trend_alt_text, trend_png
from knowledge.commitments import owners_of
from knowledge.docx_parts import clean, money, number, picture, table
from knowledge.pulses import DIMENSIONS, health, overall, trend_points
from knowledge.register import Standing
from knowledge.reviews import reviews_of
from knowledge.scoring import latest_results
from knowledge.scoring_rules import rules_for
from storage.models import BreakoutRound, Commitment, Partnership

NameOf = Callable[[str], str]
DONE_SHOWN, BREAKOUTS_SHOWN = 20, 3
SUBSECTIONS = (
    "Governance",
    "Partnership agreement",
    "Commitments",
    "Reviews",
    "Benefits",
    "Health",
    "Prioritisation",
    "Themes from recent breakouts",
)


def governance(document: Any, standing_now: Standing) -> None:
    if not standing_now.missing:
        document.add_paragraph(
            "Governance is complete: a lead officer, an agreed partnership agreement, a review "
            "date, a risk register reference, reporting arrangements and an exit date."
        )
        return
    document.add_paragraph("Governance is not complete. Missing:")
    for item in standing_now.missing:
        document.add_paragraph(clean(item), style="List Bullet")


def agreement(session: Session, document: Any, p: Partnership, agreed: str) -> None:
    document.add_paragraph(f"The partnership agreement: {agreed} of what it should answer.")
    rows = [
        [
            ITEMS[key],
            STATUSES[row.status] if row else "Not started",
            (row.note or "") if row else "",
        ]
        for key, row in checklist(session, p)
    ]
    table(document, ["Item", "Status", "Note"], rows, [2.6, 1.1, 2.6])


def commitments(
    session: Session, document: Any, p: Partnership, today: date, name_of: NameOf
) -> None:
    found = list(
        session.exec(
            select(Commitment)
            .where(Commitment.team_id == p.team_id)
            .where(Commitment.partnership_id == p.id)
            .order_by(col(Commitment.due_date), col(Commitment.id))
        )
    )
    open_ = [c for c in found if c.status == "open"]
    overdue = [c for c in open_ if c.due_date < today]
    done = [c for c in found if c.status == "done"]
    declined = [c for c in found if c.status == "declined"]
    document.add_paragraph(
        f"{len(done)} done, {len(open_)} open (of which {len(overdue)} overdue) and "
        f"{len(declined)} declined."
    )
    if not found:
        return

    def row(c: Commitment) -> list[str]:
        owners = ", ".join(name_of(o.user_id) for o in owners_of(session, c.id or 0))
        if c.status == "declined":
            state = "declined" + (f": {c.closed_note}" if c.closed_note else " (no reason given)")
        elif c.status == "done":
            state = "done"
        else:
            state = "overdue" if c.due_date < today else "open"
            if c.progress_note:
                state += f": {c.progress_note}"
        return [c.action, owners, f"{c.due_date:%d %b %Y}", state]

    shown = open_ + declined + done[-DONE_SHOWN:]
    table(
        document,
        ["Commitment", "Owners", "Due", "Status"],
        [row(c) for c in shown],
        [2.6, 1.3, 1.0, 1.8],
    )
    if len(done) > DONE_SHOWN:
        document.add_paragraph(f"The {DONE_SHOWN} most recent of {len(done)} done are shown.")


def reviews(session: Session, document: Any, p: Partnership, name_of: NameOf) -> None:
    found = reviews_of(session, p)
    upcoming = f" The next is due on {p.next_review:%d %B %Y}." if p.next_review else ""
    if not found:
        document.add_paragraph("No review of the partnership has been recorded yet." + upcoming)
        return
    document.add_paragraph(f"{len(found)} review(s) recorded.{upcoming}")
    rows = [
        [
            f"{r.reviewed_on:%d %b %Y}",
            r.outcome,
            f"{r.next_review:%d %b %Y}" if r.next_review else "not set",
            name_of(r.recorded_by),
        ]
        for r in sorted(found, key=lambda r: (r.reviewed_on, r.id or 0), reverse=True)
    ]
    table(
        document,
        ["Reviewed on", "Outcome", "Next review", "Recorded by"],
        rows,
        [1.0, 3.3, 1.0, 1.3],
    )


def benefits(session: Session, document: Any, p: Partnership, today: date, name_of: NameOf) -> None:
    found = benefits_of(session, team_id=p.team_id, partnership_id=p.id)
    if not found:
        document.add_paragraph("No benefits have been planned for this partnership yet.")
        return
    planned = sum((b.planned_gbp or 0) for b in found if b.kind == "financial")
    realised = sum((b.realised_gbp or 0) for b in found if b.kind == "financial")
    document.add_paragraph(
        f"Financial benefits: {money(realised)} realised of {money(planned)} planned."
    )

    def row(b: Any) -> list[str]:
        if b.kind == "financial":
            what = f"{money(b.realised_gbp)} of {money(b.planned_gbp)}"
        elif b.measure:
            now = b.latest if b.latest is not None else b.baseline
            what = f"{b.measure}: {number(now)} (target {number(b.target)})"
        else:
            what = b.narrative or ""
        return [
            b.title,
            name_of(b.owner_id),
            what,
            f"{b.due:%d %b %Y}",
            standing(b, today),
            (b.rag or "none").upper(),
            b.rag_reason or "",
        ]

    header = ["Benefit", "Owner", "Realised against planned", "Due", "Standing", "RAG", "Why"]
    table(document, header, [row(b) for b in found], [1.3, 0.95, 1.25, 0.95, 0.95, 0.6, 1.1])


def health_section(session: Session, document: Any, p: Partnership) -> None:
    found = health(session, p)
    latest = found.trend[-1] if found.trend else None
    if latest is None or latest.averages is None:
        document.add_paragraph(
            "No health pulse has closed with enough answers to show yet, so there is "
            "nothing to show: fewer answers are never shown, to keep them anonymous."
        )
        return
    points = trend_points(found)
    title = f"Health of {p.name}"
    document.add_paragraph(
        f"Latest pulse: {latest.answered} anonymous answers, overall "
        f"{overall(latest.averages):.1f} out of 5."
    )
    table(
        document,
        ["Part", "Average (1 to 5)"],
        [[label, f"{latest.averages[key]:.1f}"] for key, label in DIMENSIONS.items()],
        [4.0, 2.3],
    )
    png = trend_png(points, names=DIMENSIONS, title=title)
    if png is not None:
        picture(document, png, trend_alt_text(points, names=DIMENSIONS, title=title), title)


def grid(session: Session, document: Any, p: Partnership) -> None:
    placed = [
        (found, rules)
        for found, rules in latest_results(session, team_id=p.team_id).values()
        if found.project.partnership_id == p.id
    ]
    if not placed:
        document.add_paragraph("None of this partnership's projects has been scored yet.")
        return
    table(
        document,
        ["Project", "Impact", "Risk", "Range"],
        [
            [f.project.name, f"{f.impact:.1f}", f"{f.risk:.1f}", r.ranges[f.range_index]]
            for f, r in sorted(placed, key=lambda fr: (fr[0].range_index, -fr[0].impact))
        ],
        [2.8, 0.8, 0.8, 1.9],
    )
    png, alt = placed_grid((found for found, _ in placed), rules_for(session, p.team_id))
    if png is not None:
        picture(document, png, alt, "Prioritisation grid")


def breakouts(session: Session, document: Any, p: Partnership) -> None:
    rounds = (
        list(
            session.exec(
                select(BreakoutRound)
                .where(BreakoutRound.team_id == p.team_id)
                .where(BreakoutRound.channel_id == p.channel_id)
                .where(BreakoutRound.status == "closed")
                .order_by(col(BreakoutRound.closed_at).desc(), col(BreakoutRound.id).desc())
                .limit(BREAKOUTS_SHOWN)
            )
        )
        if p.channel_id
        else []
    )
    if not rounds:
        document.add_paragraph("No breakouts have been run in the partnership's channel yet.")
        return
    for round_ in rounds:
        when = f" ({round_.closed_at:%d %b %Y})" if round_.closed_at else ""
        document.add_paragraph(clean(round_.title + when), style="Heading 3")
        rows = []
        for question, themes, held in summary(session, round_):
            named = "; ".join(f"{t.name} ({t.count})" for t in themes.themes) or "no themes"
            if held:
                named += f"; {held} anonymous answer(s) held back (too few answered)"
            rows.append([question, named])
        table(document, ["Question", "Themes (answers)"], rows, [2.6, 3.7])
