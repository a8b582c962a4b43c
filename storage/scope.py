"""Workspace isolation in one place. While a request from a workspace is served (`serving`), every
session opened reads and changes only that workspace's rows: each ORM query on a table with a
`team_id` gets `team_id = <the request's>` added (SQLAlchemy's `with_loader_criteria`, applied
to every SELECT, UPDATE and DELETE the session runs), and a flush that would write a row of
another workspace is refused. So a handler that forgot a filter, or a button naming another
workspace's id, finds nothing rather than someone else's data.

The scheduler and the command line serve no one request: they open sessions outside `serving`
and choose their workspaces themselves."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import ClauseElement, Table, TextClause, event
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session, SQLModel

from storage.installations import Workspace
from storage.types import InOrg

_serving: ContextVar[str | None] = ContextVar("partnerbot_serving", default=None)
_org: ContextVar[str | None] = ContextVar("partnerbot_org", default=None)


class OtherWorkspace(PermissionError):
    """A write of another workspace's row while serving a request: a bug, never data."""


class Unscoped(PermissionError):
    """A statement the workspace scope cannot see into (Core SQL on a workspace's table, or
    text), run while serving a request: a bug, refused before it reaches the database."""


@contextmanager
def serving(team_id: str | None, enterprise_id: str | None = None) -> Iterator[None]:
    """Scope every session opened in this context (and in work it hands to other threads with
    its context copied) to one workspace (of `enterprise_id`'s org, in Enterprise Grid)."""
    token, org = _serving.set(team_id), _org.set(enterprise_id)
    try:
        yield
    finally:
        _serving.reset(token)
        _org.reset(org)


def serve(team_id: str | None, enterprise_id: str | None = None) -> None:
    """Scope the rest of this context to one workspace, with no end: for a request whose
    listeners run after the code that knows its workspace (Bolt runs every global middleware
    before any listener). The caller runs the whole request in a copied context
    (bot/factory.ScopedApp), so the scope ends with it and never reaches the next request."""
    _serving.set(team_id)
    _org.set(enterprise_id)


def serving_now() -> str | None:
    """The workspace of the request being served, if any."""
    return _serving.get()


def scoped_info() -> dict[str, Any]:
    """What a new session carries: the workspace it is scoped to (None: unscoped)."""
    return {"team_id": _serving.get(), "enterprise_id": _org.get()}


_models: list[type[SQLModel]] = []
_tables: set[Table] = set()


def _scoped_models() -> list[type[SQLModel]]:
    """Every table class with a workspace column, those keyed by the workspace alone too."""
    if not _models:
        _models.extend(
            mapper.class_ for mapper in SQLModel._sa_registry.mappers if "team_id" in mapper.columns
        )
    return _models


def _team_tables() -> set[Table]:
    """Every table with a workspace column (slack_sdk's token tables too)."""
    if not _tables:
        _tables.update(t for t in SQLModel.metadata.tables.values() if "team_id" in t.c)
    return _tables


def _refuse_unscoped(state: ORMExecuteState, team_id: str) -> None:
    """Core SQL (a Table, not a model class) on a workspace's table, any text() and a bulk
    insert naming another workspace are refused: the loader criteria below cannot see into
    them, so the next handler to use one would read or change every council's rows."""
    statement = state.statement
    if isinstance(statement, TextClause):
        raise Unscoped("text() SQL while serving a request: use the ORM, or run it unscoped")
    if not state.is_orm_statement and isinstance(statement, ClauseElement):
        touched = {t.name for t in find_tables(statement, include_crud=True)}
        if touched & {t.name for t in _team_tables()}:
            raise Unscoped(f"Core SQL on {sorted(touched)} while serving a request: use the ORM")
        return
    if state.is_insert:
        given: Any = state.parameters
        rows: list[Any] = list(given) if isinstance(given, list | tuple) else [given or {}]
        compiled = statement.compile().params if isinstance(statement, ClauseElement) else {}
        teams = {dict(row).get("team_id") for row in rows} | {compiled.get("team_id")}
        if teams - {None, team_id}:
            raise OtherWorkspace("an insert of another workspace's rows, while serving one")


def _only_this_workspace(state: ORMExecuteState) -> None:
    team_id = state.session.info.get("team_id")
    if not team_id:
        return
    if state.is_column_load or state.is_relationship_load:
        return
    _refuse_unscoped(state, team_id)
    if not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(
        *(
            with_loader_criteria(model, lambda cls: cls.team_id == team_id, include_aliases=True)
            for model in _scoped_models()
        )
    )


def _no_other_workspace(session: Session, _context: Any, _instances: Any) -> None:
    team_id = session.info.get("team_id")
    if not team_id:
        return
    for row in (*session.new, *session.dirty, *session.deleted):
        theirs = getattr(row, "team_id", None)
        if theirs is not None and theirs != team_id:
            raise OtherWorkspace(f"a {type(row).__name__} of another workspace, while serving one")


def _org_of_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    """A new row carries its workspace's org: the request's, or (the scheduler, the command
    line) the one its workspace installed under."""
    orgs: dict[str, str | None] = session.info.setdefault("orgs", {})
    for row in session.new:
        if isinstance(row, InOrg) and row.enterprise_id is None:
            team_id = getattr(row, "team_id", None)
            if session.info.get("enterprise_id") and team_id == session.info.get("team_id"):
                row.enterprise_id = session.info["enterprise_id"]
            elif team_id:
                if team_id not in orgs:
                    with session.no_autoflush:
                        known = session.get(Workspace, team_id)
                    orgs[team_id] = known.enterprise_id if known else None
                row.enterprise_id = orgs[team_id]


event.listen(Session, "do_orm_execute", _only_this_workspace)
event.listen(Session, "before_flush", _org_of_new_rows)
event.listen(Session, "before_flush", _no_other_workspace)
