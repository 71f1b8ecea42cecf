"""Editing a SQLite table's schema text in place, for migrations.

SQLite cannot alter a CHECK constraint. Its ALTER TABLE documentation describes editing the
table's SQL in `sqlite_master` (writable_schema, then a new schema_version) for changes that
leave every stored row valid, such as a check that only gains a value. Migrations 0006 and 0010
widen `draft.origin` this way; a table rebuild would break the foreign keys that point at it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def replace_in_table_sql(bind: Connection, table: str, old: str, new: str) -> None:
    """Replace `old` by `new` in `table`'s CREATE statement; refuse when `old` is not in it."""
    table_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    if old not in table_sql:
        raise RuntimeError(f"{table} table: {old!r} is not in its schema; cannot change it")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    try:
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
            (old, new, table),
        )
        bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema=OFF")
