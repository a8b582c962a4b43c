"""Reading `/partners commit @USER… ACTION by DATE [in PARTNERSHIP]`: who, what, by when and
for which partnership, split from what was typed (nothing checked against Slack yet)."""

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from knowledge.commitments import EXAMPLE, OWNERS_MAX, CommitmentError
from knowledge.dates import DueDateError, parse_due
from knowledge.partnerships import find_partnership, resolve_partnership
from storage.models import Partnership

# Linear time on anything typed (tests/knowledge/test_linear_text.py): a label stops at the
# next "<", and " by " / " in " look behind for their space rather than matching a run of
# spaces from every place in it.
_LEADING = re.compile(
    r"\s*(<@([A-Z0-9]+)(?:\|[^<>]*)?>|<#([A-Z0-9]+)(?:\|([^<>]*))?>|@(\S+)|,|and\b)",
    re.IGNORECASE,
)
_BY = re.compile(r"(?:^|(?<=\s))by\s+", re.IGNORECASE)
_IN = re.compile(r"(?<=\s)in\s+", re.IGNORECASE)
WHEN_MAX = 200  # a date and a partnership's name: anything longer is neither


@dataclass(frozen=True)
class CommitRequest:
    """`@USER… ACTION by DATE [in PARTNERSHIP]`, split into its parts (nothing checked yet)."""

    owners: tuple[str, ...]
    action: str
    when: str


def parse_commit(text: str) -> CommitRequest:
    """Split the command's text; CommitmentError when a part is missing or is not a person."""
    owners: list[str] = []
    rest, at = text.strip(), 0
    while match := _LEADING.match(rest, at):
        if match[3]:
            raise CommitmentError(
                f"<#{match[3]}> is a channel, not a person. Start with who will do it: {EXAMPLE}",
                "owners",
            )
        if match[5]:
            raise CommitmentError(
                f"I don't know anyone called @{match[5][:40]} here. Mention "
                f"people so Slack links them: {EXAMPLE}",
                "owners",
            )
        if match[2] and match[2] not in owners:
            owners.append(match[2])
        at = match.end()  # read on from here, never copying what is left (10,000 mentions)
    rest = rest[at:]
    if not owners:
        raise CommitmentError(
            f"Who will do it? Start with one or more @people: {EXAMPLE}", "owners"
        )
    if len(owners) > OWNERS_MAX:
        raise CommitmentError(f"Give a commitment at most {OWNERS_MAX} owners.", "owners")
    parts = [part.strip() for part in _BY.split(rest.strip())]
    if len(parts) < 2 or not parts[-1]:
        raise CommitmentError(f"By when? End with `by` and a date: {EXAMPLE}", "due")
    action = " by ".join(parts[:-1]).strip()
    return CommitRequest(owners=tuple(owners), action=action, when=parts[-1].strip())


def split_partnership(
    session: Session, *, team_id: str, when: str, today: date | None = None
) -> tuple[str, Partnership | None]:
    """ "12 Dec in Retrofit Partnership" → ("12 Dec", that partnership), when one is called so;
    "in 2 weeks" stays a date. With `today`, a date followed by "in" and a name that is nearly
    a partnership's ("friday in Retrof") is a CommitmentError asking whether that one was
    meant, rather than a date that cannot be read."""
    if len(when) > WHEN_MAX:
        return when, None  # no date is that long: parse_due says so
    pieces = [piece.strip() for piece in _IN.split(when)]
    for cut in range(1, len(pieces)):
        name = " in ".join(pieces[cut:])
        found = find_partnership(session, team_id=team_id, name=name)
        if found is not None:
            return " in ".join(pieces[:cut]), found
    if today is not None:
        for cut in range(1, len(pieces)):
            head, name = " in ".join(pieces[:cut]), " in ".join(pieces[cut:])
            sure, guess = resolve_partnership(session, team_id=team_id, name=name)
            meant_name = sure.name if sure is not None else guess
            if meant_name and _reads_as_date(head, today):
                raise CommitmentError(
                    f"There is no partnership called “{name[:40]}”. Did you mean "
                    f"*{meant_name}*? Try `… by {head[:40]} in {meant_name}`.",
                    "partnership",
                )
    return when, None


def _reads_as_date(text: str, today: date) -> bool:
    try:
        parse_due(text, today)
    except DueDateError as error:
        return "already passed" in str(error) or "just passed" in str(error)
    return True
