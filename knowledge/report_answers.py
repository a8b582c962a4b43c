"""What only the officer can write in a committee report: the meeting, who the report is of and
who to contact, its purpose, summary, recommendations, background, the implications and the
appendices, and whether it is final. Given in a form in Slack (`/partners report NAME`) or a
YAML file (`partnerbot report NAME FILE --answers answers.yaml`); the last answers for a
partnership are kept and offered again next time."""

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session, select

from storage.directory import ReportAnswers
from storage.models import Partnership

PURPOSES = {
    "decision": "For decision",
    "discussion": "For discussion",
    "noting": "For noting",
}
MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE")
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
SHORT, LONG = 200, 3000
RECOMMENDATIONS_MAX = 10
IMPLICATIONS = {
    "financial": "Financial implications",
    "legal": "Legal implications",
    "risk": "Risk implications",
    "equalities": "Equalities implications",
    "climate": "Climate implications",
}
# what a final report cannot be without
NEEDED_WHEN_FINAL = {
    "committee": "the committee",
    "meeting_date": "the date of the meeting",
    "author": "the contact officer",
    "recommendations": "at least one recommendation",
}


class AnswersError(ValueError):
    """Answers that cannot make a report, said plainly."""


class Answers(BaseModel):
    """The officer's part of a report. Every field may be left empty while it is a draft."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    committee: str = Field(default="", max_length=SHORT)
    meeting_date: date | None = None
    report_of: str = Field(default="", max_length=SHORT)  # "Director of Housing"
    author: str = Field(default="", max_length=SHORT)  # the contact officer
    author_email: str = Field(default="", max_length=SHORT)
    wards: str = Field(default="All wards", max_length=SHORT)
    not_for_publication: bool = False
    exempt_reason: str = Field(
        default="", max_length=SHORT
    )  # the paragraph of Schedule 12A relied on
    marking: Literal["OFFICIAL", "OFFICIAL-SENSITIVE"] = "OFFICIAL"
    purpose: Literal["decision", "discussion", "noting"] = "noting"
    summary: str = Field(default="", max_length=LONG)
    recommendations: list[str] = Field(default_factory=list, max_length=RECOMMENDATIONS_MAX)
    background: str = Field(default="", max_length=LONG)
    financial: str = Field(default="", max_length=LONG)
    legal: str = Field(default="", max_length=LONG)
    risk: str = Field(default="", max_length=LONG)
    equalities: str = Field(default="", max_length=LONG)
    climate: str = Field(default="", max_length=LONG)
    appendices: list[str] = Field(default_factory=list, max_length=RECOMMENDATIONS_MAX)
    final: bool = False

    @field_validator("author_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not EMAIL.match(value):
            raise ValueError(f"“{value[:60]}” is not an email address")
        return value

    @field_validator("recommendations", "appendices")
    @classmethod
    def _lines(cls, value: list[str]) -> list[str]:
        kept = [" ".join(str(v).split()) for v in value if str(v).strip()]
        if any(len(v) > 1000 for v in kept):
            raise ValueError("each is at most 1,000 characters")
        return kept

    def missing_for_final(self) -> list[str]:
        """What a final report still needs (empty when it has it all)."""
        return [words for name, words in NEEDED_WHEN_FINAL.items() if not getattr(self, name)]


def explain(error: ValidationError) -> str:
    """A ValidationError as one plain sentence per problem, naming fields as people do."""
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "the answers"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "is not something a report asks for"
        lines.append(f"{where.replace('_', ' ')}: {message}")
    return "; ".join(lines)


def parse(data: object) -> Answers:
    """Answers from a mapping (a YAML file's, a form's), or an AnswersError saying what is wrong."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AnswersError("the answers must be a mapping of field: value")
    try:
        answers = Answers.model_validate(data)
    except ValidationError as error:
        raise AnswersError(explain(error)) from None
    if answers.final and answers.missing_for_final():
        raise AnswersError(
            "a final report needs " + ", ".join(answers.missing_for_final()) + "; leave "
            "final off for a draft"
        )
    return answers


def read_file(path: Path) -> Answers:
    """Answers from a YAML file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise AnswersError(f"cannot read {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise AnswersError(f"{path} is not YAML: {error}") from None
    return parse(data)


def last_answers(session: Session, partnership: Partnership) -> Answers | None:
    """What was last written for this partnership's report, if anything."""
    row = session.exec(
        select(ReportAnswers)
        .where(ReportAnswers.team_id == partnership.team_id)
        .where(ReportAnswers.partnership_id == partnership.id)
    ).first()
    if row is None:
        return None
    try:
        return Answers.model_validate(json.loads(row.answers))
    except (ValueError, ValidationError):
        return None  # written by an older release in a shape this one does not read


def keep_answers(
    session: Session, partnership: Partnership, answers: Answers, *, by: str, now: datetime
) -> None:
    """Keep these as the partnership's last answers; commits."""
    row = session.exec(
        select(ReportAnswers)
        .where(ReportAnswers.team_id == partnership.team_id)
        .where(ReportAnswers.partnership_id == partnership.id)
    ).first()
    text = answers.model_dump_json()
    if row is None:
        row = ReportAnswers(
            team_id=partnership.team_id,
            partnership_id=partnership.id or 0,
            answers=text,
            updated_by=by,
            updated_at=now,
        )
    else:
        row.answers, row.updated_by, row.updated_at = text, by, now
    session.add(row)
    session.commit()
