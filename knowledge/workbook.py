"""The register, commitments, lessons and notes as one Excel workbook (openpyxl), the way a
committee expects a register: a cover sheet, then one sheet each with a frozen header row, an
autofilter, real dates and GBP number formats, and columns wide enough to read."""

from collections.abc import Callable, Container
from datetime import datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlmodel import Session, col, select

from knowledge.agreement import ITEMS, STATUSES
from knowledge.performance_sheets import SHEETS as PERFORMANCE_SHEETS
from knowledge.performance_sheets import add_performance_sheets
from knowledge.register_facts import KINDS, LSP_KINDS
from knowledge.sheets import DATE, MONEY, STAMP, Column, add_sheet
from knowledge.workbook_summary import add_lists_and_checks, add_matrix, add_summary
from storage.models import (
    AgreementItem,
    Commitment,
    CommitmentOwner,
    Entry,
    Partnership,
    PartnershipReview,
)

NameOf = Callable[[str], str]
# The Partnerships sheet is also what `partnerbot import` reads back: keep these titles.
PARTNERSHIP_COLUMNS = (
    Column("Name", 30),
    Column("Status", 10),
    Column("Partners", 40),
    Column("Lead officer", 16),
    Column("Type", 28),
    Column("LSP kind", 22),
    Column("Objective", 50),
    Column("Channel", 14),
    Column("Start date", 12, DATE),
    Column("Next review", 12, DATE),
    Column("End or exit date", 14, DATE),
    Column("Funding (GBP)", 16, MONEY),
    Column("Budget (GBP)", 16, MONEY),
    Column("Liabilities", 40),
    Column("Risk register reference", 20),
    Column("Reporting arrangements", 40),
    Column("Significant", 11),
    Column("Agreement items agreed", 12),
    # the IDs behind the names, so `partnerbot import` reads back what export writes
    Column("Lead officer ID", 14),
    Column("Channel ID", 14),
)
SHEETS = (
    "Summary",
    "Partnerships",
    "Agreement checklist",
    "Reviews",
    "Commitments",
    "Lessons",
    "Briefing notes",
    *PERFORMANCE_SHEETS,
    "Prioritisation matrix",
)


def _partnership_row(p: Partnership, agreed: int, name_of: NameOf) -> list[Any]:
    return [
        p.name,
        p.status,
        "\n".join((p.partners or "").splitlines()),
        name_of(p.lead_id) if p.lead_id else None,
        KINDS.get(p.kind or ""),
        LSP_KINDS.get(p.lsp_kind or ""),
        p.objective,
        name_of(p.channel_id) if p.channel_id else None,
        p.start_date,
        p.next_review,
        p.end_date,
        p.funding_gbp,
        p.budget_gbp,
        p.liabilities,
        p.risk_ref,
        p.reporting,
        "yes" if p.significant else "no",
        agreed,
        p.lead_id,
        p.channel_id,
    ]


def write_workbook(
    session: Session,
    out: str | IO[bytes],
    *,
    team_id: str,
    workspace: str,
    now: datetime,
    visible_channels: Container[str] | None = None,
    progress: Callable[[str, int], None] | None = None,
    name_of: NameOf = str,
) -> dict[str, int]:
    """Write one workspace's workbook to `out`; the rows written per sheet. Entries saved in
    a private channel are included only when `visible_channels` holds that channel (None:
    the operator's export, which includes them all)."""
    book = Workbook()
    cover = book.active
    cover.title = "About"
    counts: dict[str, int] = {}

    def done(sheet: str, n: int) -> None:
        counts[sheet] = n
        if progress:
            progress(sheet, n)

    partnerships = list(
        session.exec(
            select(Partnership)
            .where(Partnership.team_id == team_id)
            .order_by(col(Partnership.name_key))
        )
    )
    names = {p.id: p.name for p in partnerships}
    items = list(
        session.exec(
            select(AgreementItem)
            .where(AgreementItem.team_id == team_id)
            .order_by(col(AgreementItem.partnership_id), col(AgreementItem.id))
        )
    )
    agreed = {pid: 0 for pid in names}
    for item in items:
        if item.status == "agreed":
            agreed[item.partnership_id] = agreed.get(item.partnership_id, 0) + 1
    done(
        "Partnerships",
        add_sheet(
            book,
            "Partnerships",
            PARTNERSHIP_COLUMNS,
            (_partnership_row(p, agreed.get(p.id or 0, 0), name_of) for p in partnerships),
        ),
    )
    by_item = {(i.partnership_id, i.item): i for i in items}
    done(
        "Agreement checklist",
        add_sheet(
            book,
            "Agreement checklist",
            [
                Column("Partnership", 30),
                Column("Item", 40),
                Column("Status", 12),
                Column("Note", 50),
                Column("Link", 40),
                Column("Changed by", 14),
                Column("Changed at", 17, STAMP),
            ],
            (
                [
                    p.name,
                    label,
                    STATUSES[row.status] if row else STATUSES["not_started"],
                    row.note if row else None,
                    row.link if row else None,
                    name_of(row.changed_by) if row else None,
                    row.changed_at if row else None,
                ]
                for p in partnerships
                for key, label in ITEMS.items()
                for row in [by_item.get((p.id or 0, key))]
            ),
        ),
    )
    reviews = session.exec(
        select(PartnershipReview)
        .where(PartnershipReview.team_id == team_id)
        .order_by(col(PartnershipReview.reviewed_on), col(PartnershipReview.id))
    )
    done(
        "Reviews",
        add_sheet(
            book,
            "Reviews",
            [
                Column("Partnership", 30),
                Column("Reviewed on", 12, DATE),
                Column("Outcome", 60),
                Column("Next review", 12, DATE),
                Column("Recorded by", 14),
                Column("Recorded at", 17, STAMP),
            ],
            (
                [
                    names.get(r.partnership_id),
                    r.reviewed_on,
                    r.outcome,
                    r.next_review,
                    name_of(r.recorded_by),
                    r.recorded_at,
                ]
                for r in reviews
            ),
        ),
    )
    owners: dict[int, list[str]] = {}
    for owner in session.exec(
        select(CommitmentOwner)
        .where(CommitmentOwner.team_id == team_id)
        .order_by(col(CommitmentOwner.id))
    ):
        owners.setdefault(owner.commitment_id, []).append(owner.user_id)
    commitments = session.exec(
        select(Commitment)
        .where(Commitment.team_id == team_id)
        .order_by(col(Commitment.due_date), col(Commitment.id))
    )
    done(
        "Commitments",
        add_sheet(
            book,
            "Commitments",
            [
                Column("Action", 50),
                Column("Owners", 20),
                Column("Due", 12, DATE),
                Column("Status", 10),
                Column("Partnership", 30),
                Column("Partner organisation", 24),
                Column("Done when", 40),
                Column("Progress note", 40),
                Column("Created by", 14),
                Column("Created at", 17, STAMP),
                Column("Closed at", 17, STAMP),
            ],
            (
                [
                    c.action,
                    ", ".join(name_of(o) for o in owners.get(c.id or 0, [])),
                    c.due_date,
                    c.status,
                    names.get(c.partnership_id),
                    c.partner_org,
                    c.done_when,
                    c.progress_note or c.closed_note,
                    name_of(c.created_by),
                    c.created_at,
                    c.closed_at,
                ]
                for c in commitments
            ),
        ),
    )
    for kind, title in (("lesson", "Lessons"), ("brief", "Briefing notes")):
        entries = session.exec(
            select(Entry)
            .where(Entry.team_id == team_id)
            .where(Entry.kind == kind)
            .where(col(Entry.deleted_at).is_(None))
            .order_by(col(Entry.created_at), col(Entry.id))
        )
        shown = (
            e
            for e in entries
            if not e.private or visible_channels is None or e.channel_id in visible_channels
        )
        columns = [Column("Title", 40), Column("What happened" if kind == "lesson" else "Note", 60)]
        if kind == "lesson":
            columns += [Column("What we learnt", 50), Column("What we'd do differently", 50)]
        else:
            columns.append(Column("About", 12, DATE))
        columns += [
            Column("Tags", 20),
            Column("Partnership", 30),
            Column("Author", 14),
            Column("Created at", 17, STAMP),
            Column("Helpful", 9),
            Column("Not helpful", 11),
        ]
        done(
            title,
            add_sheet(
                book,
                title,
                columns,
                (
                    list[Any]([e.title, e.body])
                    + ([e.learnt, e.differently] if kind == "lesson" else [e.note_date])
                    + [
                        e.tags,
                        names.get(e.partnership_id),
                        name_of(e.author_id) if e.author_id else None,
                        e.created_at,
                        e.helpful,
                        e.unhelpful,
                    ]
                    for e in shown
                ),
            ),
        )
    add_performance_sheets(
        book,
        session,
        team_id=team_id,
        today=now.date(),
        names=dict(names),
        done=done,
        name_of=name_of,
    )
    done("Prioritisation matrix", add_matrix(book, session, team_id=team_id))
    done("Summary", add_summary(book, session, team_id=team_id, today=now.date()))
    add_lists_and_checks(book)
    _cover(
        cover,
        workspace=workspace,
        team_id=team_id,
        now=now,
        counts=counts,
        everything=visible_channels is None,
    )
    book.save(out)
    return counts


def _cover(
    sheet: Any,
    *,
    workspace: str,
    team_id: str,
    now: datetime,
    counts: dict[str, int],
    everything: bool,
) -> None:
    sheet.append(["Partnership register and records"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(["Workspace", f"{workspace} ({team_id})"])
    sheet.append(["Exported at (UTC)", now.replace(tzinfo=None)])
    sheet["B4"].number_format = STAMP
    sheet.append(
        [
            "What it holds",
            "The council's partnership register with its agreement checklist and reviews, the "
            "commitments partners made, the lessons learnt and briefing notes kept by "
            "partnerbot, and performance: project scores, benefits and health pulses "
            "(averages only from three answers up).",
        ]
    )
    sheet.append(
        [
            "Private channels",
            "Included in full (an operator's export)."
            if everything
            else "Only entries from private channels the person exporting is a member of.",
        ]
    )
    sheet.append(["People", "Slack user IDs (U…): look them up in Slack."])
    sheet.append([])
    sheet.append(["Sheet", "Rows"])
    sheet["A9"].font = sheet["B9"].font = Font(bold=True)
    for name in SHEETS:
        sheet.append([name, counts.get(name, 0)])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90
    for row in sheet.iter_rows(min_row=3, max_row=7):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
