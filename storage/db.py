"""The engine, sessions and migrations."""

import fcntl
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from storage.scope import scoped_info

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

SessionFactory = Callable[[], Session]


# C0 control characters other than tab, newline and carriage return: PostgreSQL refuses a NUL
# in text outright, and the rest are invisible junk in Slack.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _strip_control_characters(session: Session, _context: Any, _instances: Any) -> None:
    """Whatever people typed is stored without control characters, on every database."""
    for row in (*session.new, *session.dirty):
        for key, value in vars(row).items():
            if isinstance(value, str) and _CONTROL.search(value):
                setattr(row, key, _CONTROL.sub("", value))


event.listen(Session, "before_flush", _strip_control_characters)


def make_engine(url: str) -> Engine:
    """Build the engine for DATABASE_URL; SQLite gets WAL, foreign keys and a busy timeout.

    `hide_parameters`: a failed statement's error (and so every log line and traceback made
    from it) never carries its values, which are what people wrote: an anonymous answer too."""
    if url.startswith("sqlite"):
        # Slack listeners run on Bolt's thread pool, so one connection may cross threads.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 15},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # a sender runs bot.nudge_batch.SENDERS threads at once, each a short session: enough
    # connections that none waits long for another's, few enough that several web processes
    # and workers stay within PostgreSQL's default of 100 (each opens only what it uses)
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def session_factory(engine: Engine) -> SessionFactory:
    """Sessions that keep loaded rows usable after commit (handlers render them afterwards)."""

    def new_session() -> Session:
        # scoped to the workspace of the request being served, if any (storage/scope.py)
        return Session(engine, expire_on_commit=False, info=scoped_info())

    return new_session


# the newest migration: a database already there needs no Alembic at all (a faster start)
HEAD = "0019"


def at_head(engine: Engine) -> bool:
    """Whether the database's schema is this release's (one query, no Alembic)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no table yet (a new database), or it can't be read: let Alembic say
        return False
    return found == HEAD


def alembic_config(engine: Engine) -> "Config":
    """An Alembic config for this engine, with no alembic.ini needed."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Alembic's config interpolates "%": a percent-encoded password (p%40ss) must be doubled
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["engine"] = engine
    return config


# any fixed number: the PostgreSQL advisory lock every partnerbot process migrates under
MIGRATION_LOCK = 7_412_553_019


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Only one process migrates at a time (web workers, `worker`s and `db upgrade` may start
    together on a deploy); the others wait, then find the database at head."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
        return
    path = sqlite_path(engine)
    try:
        lock = open(f"{path}.migrate-lock", "a+") if path else None  # noqa: SIM115
    except OSError:  # a read-only folder: migrating will fail anyway, and say why
        lock = None
    if lock is None:
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def sqlite_path(engine: Engine) -> Path | None:
    """The file an SQLite engine uses (also for `file:…?mode=ro` URIs); None otherwise."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database.removeprefix("file:").split("?")[0])


class NewerDatabase(RuntimeError):
    """The database was upgraded by a newer release than this one: running on would write rows
    in an older shape than its schema's, so this release refuses to start."""


def upgrade(engine: Engine) -> None:
    """Run every migration up to head, under the migration lock; safe to call at every start.
    A database a newer release has upgraded raises NewerDatabase, saying what to do."""
    if at_head(engine):
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    with migration_lock(engine):
        found = _revision(engine)
        known = {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
        if found is not None and found not in known:
            raise NewerDatabase(
                f"the database is at schema {found}, from a newer partnerbot than this one "
                f"(which knows up to {HEAD}). Run the newer release, or restore the backup taken "
                "before it upgraded the database (see Upgrading in docs/deploy.md)."
            )
        command.upgrade(alembic_config(engine), "head")


def _revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no table yet: a new database
        return None


def reclaim(engine: Engine) -> str:
    """After an erasure, leave nothing of the deleted rows in the database's files, as far as
    the database allows; what was done, in words for the person running it.

    SQLite keeps old pages in its write-ahead log and free pages in the file: the log is
    checkpointed and truncated, the file rebuilt (VACUUM), and the log truncated again.
    PostgreSQL keeps dead row versions until VACUUM reuses their space; this asks for a VACUUM
    of every table (they are overwritten as the space is reused, VACUUM FULL rewrites them)."""
    path = sqlite_path(engine)
    if path is not None:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("VACUUM")
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
        if busy and busy[0]:
            return (
                "SQLite is in use by another process: its log will be emptied when that "
                "process stops. Run this again with the bot stopped to be sure."
            )
        return "The SQLite file was rebuilt and its log emptied: nothing deleted remains in them."
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("VACUUM")
        return (
            "PostgreSQL vacuumed: the deleted rows' space is marked for reuse and is overwritten "
            "as it is used (VACUUM FULL rewrites the tables at once); backups taken before now "
            "still hold them until they expire."
        )
    return ""


LOW_DISK = 50 * 1024 * 1024  # below this much free space next to an SQLite file, say so


def health(engine: Engine) -> str | None:
    """None when the database takes a write now; otherwise what is wrong, in a few words.

    A read is not enough: a read-only database, or a full disk, still answers SELECT 1 while
    every lesson and commitment would fail to save.
    """
    path = sqlite_path(engine)
    if path is not None:
        free = shutil.disk_usage(path.resolve().parent).free
        if free < LOW_DISK:
            return f"disk nearly full ({free // 1024} KB free beside the database)"
    try:
        with engine.begin() as connection:
            updated = connection.execute(
                text("UPDATE health_check SET checked_at = CURRENT_TIMESTAMP WHERE id = 1")
            )
            if not updated.rowcount:
                connection.execute(
                    text("INSERT INTO health_check (id, checked_at) VALUES (1, CURRENT_TIMESTAMP)")
                )
    except Exception as error:
        return f"database unavailable for writes: {str(error).splitlines()[0][:200]}"
    return None
