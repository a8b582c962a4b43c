"""What the register holds about a partnership, as the guidance asks for it, and the rules a
fact must keep before it is stored (dates in order, money not negative, a lead who is a person)."""

import re
from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from storage.models import Partnership

# the kinds of partnership the guide and the LSP article name
KINDS = {
    "statutory": "Statutory partnership",
    "alliance": "Strategic alliance",
    "vehicle": "Not-for-profit vehicle (charity, trust, company limited by guarantee, "
    "council-owned company)",
    "joint_venture": "Joint venture",
    "lsp": "Local Strategic Partnership",
    "voluntary": "Voluntary arrangement",
    "other": "Other",
}
LSP_KINDS = {
    "advisory": "Advisory",
    "commissioning": "Commissioning",
    "laboratory": "Laboratory",
    "community_empowerment": "Community empowerment",
}
TEXT_MAX = 3000  # a modal text input's limit
PARTNERS_MAX = 50
MONEY_MAX = Decimal("999999999999.99")  # Numeric(14, 2)
_USER_ID = re.compile(r"^[UW][A-Z0-9]{1,31}$")


class FactError(ValueError):
    """A fact that cannot be stored; `field` names it, the message says why for the officer."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Facts:
    """Everything but the name and the status, as a form or a spreadsheet row gives it."""

    partners: list[str]
    lead_id: str | None = None
    kind: str | None = None
    lsp_kind: str | None = None
    objective: str | None = None
    channel_id: str | None = None
    start_date: date | None = None
    next_review: date | None = None
    end_date: date | None = None
    funding_gbp: Decimal | None = None
    budget_gbp: Decimal | None = None
    liabilities: str | None = None
    risk_ref: str | None = None
    reporting: str | None = None
    significant: bool = False

    @classmethod
    def of(cls, partnership: Partnership) -> "Facts":
        """The facts a partnership holds now (to fill the edit form)."""
        values: dict[str, Any] = {
            f.name: getattr(partnership, f.name) for f in fields(cls) if f.name != "partners"
        }
        return cls(partners=split_partners(partnership.partners or ""), **values)

    def stored(self) -> dict[str, Any]:
        """Column values, as the Partnership row keeps them."""
        values = asdict(self)
        values["partners"] = "\n".join(self.partners) or None
        return values


def split_partners(text: str) -> list[str]:
    """Organisations one a line (or comma-separated), blanks and repeats dropped."""
    seen: dict[str, str] = {}
    for part in re.split(r"[\n,;]", text):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


def money(text: str | float | int | Decimal | None, field: str) -> Decimal | None:
    """An amount in pounds ("£12,500", "12500.5", 12500); None when blank."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    cleaned = str(text).replace("£", "").replace(",", "").replace("GBP", "").strip()
    try:
        amount = Decimal(cleaned).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise FactError(
            f"“{str(text)[:30]}” isn't an amount in pounds, like `12500`.", field
        ) from None
    if not amount.is_finite():
        raise FactError("Give an amount in pounds, like `12500`.", field)
    return amount


def check_facts(facts: Facts) -> Facts:
    """The facts, tidied, or a FactError naming the first field that is wrong."""
    for name in ("objective", "liabilities", "reporting"):
        value = (getattr(facts, name) or "").strip()
        if len(value) > TEXT_MAX:
            raise FactError(f"Keep it to {TEXT_MAX} characters (it is {len(value)}).", name)
        setattr(facts, name, value or None)
    facts.risk_ref = (facts.risk_ref or "").strip() or None
    if facts.risk_ref and len(facts.risk_ref) > 200:
        raise FactError("A risk register reference is at most 200 characters.", "risk_ref")
    if len(facts.partners) > PARTNERS_MAX:
        raise FactError(f"List at most {PARTNERS_MAX} partner organisations.", "partners")
    if any(len(p) > 200 or "<" in p or ">" in p for p in facts.partners):
        raise FactError("A partner's name is at most 200 characters, with no < or >.", "partners")
    if facts.lead_id is not None and not _USER_ID.match(facts.lead_id):
        raise FactError("The lead officer must be a person in Slack, not a channel.", "lead")
    if facts.kind is not None and facts.kind not in KINDS:
        raise FactError(f"The type is one of: {', '.join(KINDS.values())}.", "kind")
    if facts.lsp_kind is not None and facts.lsp_kind not in LSP_KINDS:
        raise FactError(f"An LSP's kind is one of: {', '.join(LSP_KINDS.values())}.", "lsp_kind")
    if facts.lsp_kind is not None and facts.kind != "lsp":
        raise FactError("Only a Local Strategic Partnership has an LSP kind.", "lsp_kind")
    for name in ("funding_gbp", "budget_gbp"):
        amount = getattr(facts, name)
        if amount is not None and amount < 0:
            raise FactError("An amount can't be negative.", name)
        if amount is not None and amount > MONEY_MAX:
            raise FactError("That amount is too large to be right.", name)
    start = facts.start_date
    if start and facts.next_review and facts.next_review < start:
        raise FactError(
            f"The next review ({facts.next_review:%d %b %Y}) can't be before the start "
            f"({start:%d %b %Y}).",
            "next_review",
        )
    if start and facts.end_date and facts.end_date < start:
        raise FactError(
            f"The end date ({facts.end_date:%d %b %Y}) can't be before the start "
            f"({start:%d %b %Y}).",
            "end_date",
        )
    return facts


# governance the guidance expects every partnership to have, in the words the card uses
GOVERNANCE = ("lead", "agreement", "review date", "risk reference", "reporting", "exit date")


def kind_words(partnership: Partnership) -> str:
    """A partnership's type in words, with an LSP's kind: "Local Strategic Partnership
    (commissioning)"."""
    kind = KINDS.get(partnership.kind or "", "not set")
    if partnership.kind == "lsp" and partnership.lsp_kind:
        kind += f" ({LSP_KINDS[partnership.lsp_kind].lower()})"
    return kind


def missing_governance(partnership: Partnership, *, agreed: int, items: int) -> list[str]:
    """Which of lead, agreement, review date, risk reference, reporting arrangements and exit
    date a partnership still lacks (the agreement counts once every item is agreed)."""
    have = {
        "lead": partnership.lead_id,
        "agreement": agreed == items,
        "review date": partnership.next_review,
        "risk reference": partnership.risk_ref,
        "reporting": partnership.reporting,
        "exit date": partnership.end_date,
    }
    return [name for name in GOVERNANCE if not have[name]]
