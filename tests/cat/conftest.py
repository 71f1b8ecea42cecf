"""The store fixtures (SQLite and PostgreSQL) for the client-file tests."""

from tests.store.conftest import _pg_admin, _sqlite_template, store, store_url  # noqa: F401
