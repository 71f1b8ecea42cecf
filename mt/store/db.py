"""Opening the database: URL choice, engine setup, SQLite pragmas, migrations on open."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.engine import Connection, Engine

    # Re-exported for type hints of the services (which import no sqlalchemy themselves).
    from sqlalchemy.orm import Session as Session

    from mt.errors import DatabaseError
    from mt.store.models import Base

DEFAULT_FILENAME = "transdesk.db"
BUSY_TIMEOUT_MS = 15_000
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant works: it only has to be the same for every process migrating one database.
_PG_MIGRATION_LOCK = 7_424_011
# PostgreSQL's deadlock_detected and serialization_failure: the transaction may be retried.
_RETRYABLE = {"40P01", "40001"}


def default_url() -> str:
    """The database URL to use: env TRANSDESK_DB, else a SQLite file in the user's data folder."""
    env = os.environ.get("TRANSDESK_DB")
    if env:
        return env
    import platformdirs

    folder = Path(platformdirs.user_data_dir("transdesk", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / DEFAULT_FILENAME}"


@dataclass
class Store:
    """An open database: its URL, SQLAlchemy engine and session factories.

    Get one with `open_store`; close it with `close()` (or use it as a context manager).
    """

    url: str
    engine: Any
    _sessions: Any = field(default=None, repr=False)
    _write_sessions: Any = field(default=None, repr=False)
    _executor: Any = field(default=None, repr=False)
    # In-memory SQLite has one connection for all threads: deferred work then runs inline.
    _inline: bool = field(default=False, repr=False)
    _lock: Any = field(default_factory=threading.Lock, repr=False)

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Any]:
        """A SQLAlchemy Session in one transaction, committed on success, rolled back on error.

        `write=True` makes SQLite take its write lock at BEGIN (BEGIN IMMEDIATE), so two writers
        queue on the busy timeout instead of failing half-way through a transaction.
        """
        from sqlalchemy.exc import DBAPIError

        from mt.errors import ConcurrentChange

        factory = self._write_sessions if write else self._sessions
        try:
            with factory() as session, session.begin():
                yield session
        except DBAPIError as e:
            if getattr(e.orig, "sqlstate", None) in _RETRYABLE:
                # PostgreSQL rolled the transaction back whole: nothing half-written.
                raise ConcurrentChange(
                    "another change to the same segments was being saved at the same time; "
                    "nothing was saved, try again"
                ) from None
            failure = database_error(self.url, e)
            if failure is None:
                raise
            raise failure from None

    def defer(self, fn: Callable[..., object], *args: Any) -> None:
        """Run `fn(*args)` after the caller returns, on this store's one background thread.

        For work that may lag behind a save (caching metric statistics); `close()` and the
        interpreter's exit wait for it. Errors are swallowed: deferred work is a cache.
        """
        if self._inline:
            _quietly(fn, *args)
            return
        with self._lock:
            if self._executor is None:
                from concurrent.futures import ThreadPoolExecutor

                self._executor = ThreadPoolExecutor(1, thread_name_prefix="transdesk-store")
            self._executor.submit(_quietly, fn, *args)

    def close(self) -> None:
        """Finish deferred work, then release every pooled connection."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _quietly(fn: Callable[..., object], *args: Any) -> None:
    # A cache that could not be filled now is filled later, by the report that needs it.
    with contextlib.suppress(Exception):
        fn(*args)


def normalise_url(url: str) -> str:
    """Let plain `postgresql://` URLs use psycopg 3 (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_engine(url: str) -> Engine:
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import StaticPool

    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        database = database[len("file:") :]  # a URI filename (`?mode=ro&uri=true`)
    memory = database in ("", ":memory:") or "mode=memory" in url
    if not memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 15}}
    if memory:
        kwargs["poolclass"] = StaticPool  # one connection, else each would see its own database
    # hide_parameters: an error's message never holds the statement's values (article text).
    engine = create_engine(url, hide_parameters=True, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (the "begin" hook below) issue BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode except on power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        # REPLACE's implicit delete then fires the edit log's DELETE trigger (migration 0004
        # also refuses such inserts outright, for connections made by other tools).
        cursor.execute("PRAGMA recursive_triggers=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    _check_parameters(engine)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("transdesk_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _postgres_engine(url: str) -> Engine:
    from sqlalchemy import create_engine

    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    _check_parameters(engine)
    return engine


def _check_parameters(engine: Engine) -> None:
    """Refuse, before it reaches the database, any SQL parameter holding a NUL or a lone
    surrogate: a clear InputError instead of psycopg's DataError (and the same on SQLite)."""
    from sqlalchemy import event

    from mt.textsafe import check_parameters

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: Any, parameters: Any, *args: Any) -> None:
        check_parameters(parameters)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config built in code (works from an installed package, no alembic.ini)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(store: Store) -> None:
    """Upgrade the schema to the newest migration (a no-op when it is already there)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    config = alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with store.engine.execution_options(transdesk_write=True).connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a constraint by rebuilding the table, which foreign keys forbid;
            # they can only be switched off outside a transaction (SQLite's documented
            # procedure), and are checked before the migration commits.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if not sqlite:
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                    )
                if MigrationContext.configure(conn).get_current_revision() == head:
                    return
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("the migration left rows whose foreign keys are broken")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def open_store(url: str | None = None, *, migrate_schema: bool = True) -> Store:
    """Open (and create or upgrade) the store at `url`.

    Arguments:
        url: any SQLAlchemy URL; default: env TRANSDESK_DB, else
            `platformdirs.user_data_dir("transdesk")/transdesk.db`. `postgresql://` URLs use
            psycopg 3.
        migrate_schema: apply Alembic migrations up to head (default).

    Returns:
        A `Store`. SQLite connections use WAL, foreign_keys=ON and a busy timeout.

    Raises:
        TransdeskError: the URL is not understood; DatabaseError (one) when the database
            cannot be reached, read or upgraded.
    """
    from sqlalchemy.exc import ArgumentError, DBAPIError
    from sqlalchemy.orm import sessionmaker
    from sqlalchemy.pool import StaticPool

    from mt.errors import TransdeskError

    url = normalise_url(url or default_url())
    try:
        engine = _sqlite_engine(url) if url.startswith("sqlite") else _postgres_engine(url)
    except (ArgumentError, ImportError) as e:
        raise TransdeskError(f"cannot open database {masked_url(url)}: {e}") from None
    store = Store(
        _inline=isinstance(engine.pool, StaticPool),
        url=url,
        engine=engine,
        _sessions=sessionmaker(engine, expire_on_commit=False),
        _write_sessions=sessionmaker(
            engine.execution_options(transdesk_write=True), expire_on_commit=False
        ),
    )
    if migrate_schema:
        try:
            migrate(store)
        except DBAPIError as e:
            store.close()
            failure = database_error(url, e, opening=True)
            if failure is None:
                raise
            raise failure from None
    return store


# What the database could not do, by SQLite's primary result code or PostgreSQL's SQLSTATE.
_SQLITE_PROBLEMS = {
    "SQLITE_READONLY": "it is read-only",
    "SQLITE_FULL": "its disk is full",
    "SQLITE_IOERR": "disk I/O error",
    "SQLITE_CORRUPT": "the file is damaged",
    "SQLITE_NOTADB": "the file is not a database",
    "SQLITE_CANTOPEN": "the file cannot be opened",
    "SQLITE_PERM": "access denied",
    "SQLITE_NOMEM": "out of memory",
}
_POSTGRES_PROBLEMS = {
    "25006": "it is read-only",  # read_only_sql_transaction
    "53100": "its disk is full",  # disk_full
    "53200": "out of memory",
    "53300": "too many connections",
    "58030": "disk I/O error",  # io_error
    "XX001": "the data is damaged",  # data_corrupted
    "XX002": "an index is damaged",  # index_corrupted
    "57P01": "the server is shutting down",  # admin_shutdown
    "57P03": "the server is not accepting connections now",  # cannot_connect_now
}


def database_error(url: str, error: Exception, *, opening: bool = False) -> DatabaseError | None:
    """One line for a database that cannot do the work asked of it, or None when `error` is
    not such a failure (a constraint, a bug: those keep their own handling).

    Full disk, read-only database, disk I/O error, locked too long, damaged file, lost
    connection: the line names the database (password masked) and the problem, never the
    statement or its parameters (article text). Such a transaction is rolled back whole.
    """
    from sqlalchemy.exc import DBAPIError, OperationalError

    from mt.errors import DatabaseError

    if not isinstance(error, DBAPIError):
        return None
    orig = error.orig
    detail = (str(orig).strip().splitlines() or [""])[0][:200] if orig is not None else ""
    name = str(getattr(orig, "sqlite_errorname", ""))
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in detail:
        return DatabaseError(
            f"database {masked_url(url)} is busy: another process held its write lock for "
            f"over {BUSY_TIMEOUT_MS / 1000:g} s; nothing was saved, try again"
        )
    problem = _SQLITE_PROBLEMS.get("_".join(name.split("_")[:2])) or _POSTGRES_PROBLEMS.get(
        str(getattr(orig, "sqlstate", ""))
    )
    if problem is None and not isinstance(error, OperationalError):
        return None
    if problem is None and name.startswith("SQLITE_ERROR") and not opening:
        return None  # a statement SQLite cannot run ("no such table"): a bug, with its traceback
    if problem and detail and detail.lower() != problem.lower():
        reason = f"{problem} ({detail})"
    else:
        reason = problem or detail or "failed"
    if opening:
        return DatabaseError(f"cannot open database {masked_url(url)}: {reason}")
    return DatabaseError(f"database {masked_url(url)}: {reason}; nothing was saved")


def masked_url(url: str) -> str:
    """The URL with any password hidden, for messages and the web app's Settings page."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:
        return "(unparseable URL)"
    # Re-rendered only when there is a password to hide: rendering escapes ":" in a SQLite
    # URI filename ("file:..."), which would then read unlike the URL given.
    return url if parsed.password is None else parsed.render_as_string(hide_password=True)


def upsert_insert(session: Session, table: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """INSERT ... ON CONFLICT in the session's database's own dialect (PostgreSQL's or SQLite's
    `insert`; both take `on_conflict_do_nothing` and `on_conflict_do_update(index_elements=...,
    set_=...)` and have `excluded`)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
