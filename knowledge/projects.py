"""Projects and transformation opportunities: adding, listing and finding them by name. A project
belongs to a workspace and, if it says so, to one of its partnerships."""

import unicodedata
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge.audit import record_change
from knowledge.names import clean_name, meant, name_key
from storage.models import PROJECT_NAME_MAX, Partnership, Project
from storage.rows import team_row

SIZES = ("major", "smaller")
STATUSES = ("proposed", "active", "done", "dropped")
DESCRIPTION_MAX = 2000


class ProjectError(ValueError):
    """A project request that cannot be carried out; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def check_project_name(session: Session, *, team_id: str, raw: str) -> str:
    """The cleaned name of a new project, or a ProjectError (empty, too long, markup, taken)."""
    name = clean_name(raw)
    if not name:
        raise ProjectError("A project needs a name.", "name")
    if len(name) > PROJECT_NAME_MAX:
        raise ProjectError(
            f"That name is {len(name)} characters; keep it to {PROJECT_NAME_MAX} or fewer.", "name"
        )
    if "<" in name or ">" in name or any(unicodedata.category(c) == "Cc" for c in name):
        raise ProjectError("A project name can't contain mentions, links or < >.", "name")
    if find_project(session, team_id=team_id, name=name) is not None:
        raise ProjectError(f"There is already a project called “{name}”.", "name")
    return name


def add_project(
    session: Session,
    *,
    team_id: str,
    name: str,
    actor_id: str,
    now: datetime,
    description: str | None = None,
    owner_id: str | None = None,
    partnership_id: int | None = None,
    size: str = "smaller",
) -> Project:
    """Add a project (audited); a ProjectError names what is wrong and nothing is stored."""
    clean = check_project_name(session, team_id=team_id, raw=name)
    if size not in SIZES:
        raise ProjectError("A project's size is major or smaller.", "size")
    if owner_id is not None and not owner_id.startswith(("U", "W")):
        raise ProjectError("The owner must be a person, not a channel.", "owner")
    if partnership_id is not None and (
        team_row(session, Partnership, team_id=team_id, row_id=partnership_id) is None
    ):
        raise ProjectError("That partnership isn't in this workspace.", "partnership")
    text = (description or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise ProjectError(
            f"Keep the description to {DESCRIPTION_MAX} characters (it is {len(text)}).",
            "description",
        )
    project = Project(
        team_id=team_id,
        name=clean,
        name_key=name_key(clean),
        description=text or None,
        owner_id=owner_id,
        partnership_id=partnership_id,
        size=size,
        created_by=actor_id,
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    try:
        session.flush()
    except IntegrityError as error:  # added at the same moment by someone else
        session.rollback()
        raise ProjectError(f"There is already a project called “{clean}”.", "name") from error
    record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="create",
        entity="project",
        entity_id=project.id or 0,
        at=now,
        detail={"name": clean, "size": size, "partnership": partnership_id},
    )
    session.commit()
    return project


def find_project(session: Session, *, team_id: str, name: str) -> Project | None:
    """The project of exactly that name (any case or spacing) in that workspace."""
    return session.exec(
        select(Project).where(Project.team_id == team_id).where(Project.name_key == name_key(name))
    ).first()


def list_projects(
    session: Session, *, team_id: str, partnership_id: int | None = None, every: bool = False
) -> list[Project]:
    """A workspace's projects (a partnership's only, if given), by name; done and dropped ones
    only with `every`."""
    statement = select(Project).where(Project.team_id == team_id)
    if partnership_id is not None:
        statement = statement.where(Project.partnership_id == partnership_id)
    if not every:
        statement = statement.where(col(Project.status).in_(["proposed", "active"]))
    return list(session.exec(statement.order_by(col(Project.name_key))))


def resolve_project(
    session: Session, *, team_id: str, name: str
) -> tuple[Project | None, str | None]:
    """The project a typed name means (typos forgiven when only one is close); else (None,
    the name it might have been, if any)."""
    exact = find_project(session, team_id=team_id, name=name)
    if exact is not None:
        return exact, None
    every = {p.name: p for p in list_projects(session, team_id=team_id, every=True)}
    sure, maybe = meant(name, list(every))
    return (every[sure], None) if sure else (None, maybe)
