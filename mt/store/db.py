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
        from sqlalchemy.exc import DBAPIError, OperationalError

        from mt.errors import ConcurrentChange, TransdeskError

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
            if not isinstance(e, OperationalError):
                raise
            if self.dialect == "sqlite" and "database is locked" in str(e.orig):
                # The transaction was rolled back whole: nothing half-written, safe to retry.
                raise TransdeskError(
                    f"database {masked_url(self.url)} is busy: another process held its write "
                    f"lock for over {BUSY_TIMEOUT_MS / 1000:g} s; nothing was saved, try again"
                ) from None
            raise

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

    database = make_url(url).database or ""
    memory = database in ("", ":memory:") or "mode=memory" in url
    if not memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 15}}
    if memory:
        kwargs["poolclass"] = StaticPool  # one connection, else each would see its own database
    engine = create_engine(url, **kwargs)

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

    engine = create_engine(url, pool_pre_ping=True)
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
        TransdeskError: the database cannot be reached or its URL is not understood.
    """
    from sqlalchemy.exc import ArgumentError, OperationalError
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
        except OperationalError as e:
            store.close()
            reason = str(e.orig).strip().splitlines()[0] if e.orig else str(e)
            raise TransdeskError(f"cannot open database {masked_url(url)}: {reason}") from None
    return store


def masked_url(url: str) -> str:
    """The URL with any password hidden, for messages and the web app's Settings page."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparseable URL)"


def upsert_insert(session: Session, table: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """INSERT ... ON CONFLICT in the session's database's own dialect (PostgreSQL's or SQLite's
    `insert`; both take `on_conflict_do_nothing` and `on_conflict_do_update(index_elements=...,
    set_=...)` and have `excluded`)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)
