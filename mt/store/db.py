"""Opening the database: URL choice, engine setup, SQLite pragmas, migrations on open."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

DEFAULT_FILENAME = "transdesk.db"


def default_url() -> str:
    """The database URL to use: env TRANSDESK_DB, else a SQLite file in the user's data folder."""
    env = os.environ.get("TRANSDESK_DB")
    if env:
        return env
    from pathlib import Path

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

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and create or upgrade) the store at `url`.

    Arguments:
        url: any SQLAlchemy URL; default: env TRANSDESK_DB, else
            `platformdirs.user_data_dir("transdesk")/transdesk.db`.
        migrate: apply Alembic migrations up to head (default).

    Returns:
        A `Store`. SQLite connections use WAL, foreign_keys=ON and a busy timeout.
    """
    raise NotImplementedError
