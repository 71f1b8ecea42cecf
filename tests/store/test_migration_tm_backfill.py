"""Migration 0022 (#25 item 14): a database upgraded from the first migration gets the
approvals made before the translation memory existed into it (`transdesk tm export` has them),
as approving them would have; entries already there are kept, and running it again adds
nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from mt.formats.tmx import read_tmx
from mt.store import open_store
from mt.store.db import alembic_config, migrate
from mt.store.tm import add_pairs, exact_matches, tm_key, tm_size
from tests.conftest import run_cli

BUDGET = "정부는 내년 예산안을 국회에 제출했다."
COLD = "서울의 기온은 영하 10도까지 떨어졌다."
PRESS = "대통령은 기자회견에서 새로운 정책을 발표했다."
RATES = "한국은행은 기준금리를 동결했다."
RAIN = "내일은 전국에 비가 내리겠다."
T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
# BUDGET decomposed (NFD) and spaced otherwise: the same lookup key
SPACED_NFD = unicodedata.normalize("NFD", BUDGET).replace(" ", "   ", 1)


def _at(url: str, revision: str):
    from alembic import command

    store = open_store(url, migrate_schema=False)
    with store.engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    return store


def _plant_0001(store) -> None:
    """Segments as the first schema stored them, three editors' approvals among them."""
    segments = [  # id, source, target, status, last changed, by
        (1, BUDGET, "Budget, approved first.", "approved", T0 + timedelta(hours=1), 1),
        (2, SPACED_NFD, "Budget, approved last.", "approved", T0 + timedelta(hours=2), 2),
        (3, COLD, "Seoul fell to minus 10.", "approved", T0, 3),
        (4, PRESS, "The president spoke.", "edited", T0, 1),  # not approved: not remembered
        (5, RATES, "   ", "approved", T0, 1),  # blank English: not remembered
        (6, "   ", "Nothing.", "approved", T0, 1),  # blank source: not remembered
        (7, RAIN, "Rain tomorrow.", "approved", None, None),  # approved, never changed since
    ]  # fmt: skip
    naive = store.dialect == "sqlite"  # as mt.store.models.UTCDateTime stores times

    def at(moment: datetime | None) -> datetime | None:
        return moment.replace(tzinfo=None) if naive and moment else moment

    with store.engine.begin() as conn:
        for eid, name in [(1, "kim"), (2, "lee"), (3, "park")]:
            conn.execute(
                text("INSERT INTO editor (id, name, role, created_at) VALUES (:id, :name, "
                     "'editor', :at)"),
                {"id": eid, "name": name, "at": at(T0)},
            )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO document (id, title, source_lang, target_lang, file_format, "
                'segment_mode, "trailing", status, created_by_id, created_at) VALUES '
                "(1, 'news', 'ko', 'en', 'txt', 'line', '', 'in_progress', 1, :at)"
            ),
            {"at": at(T0)},
        )
        for sid, source, target, status, changed, by in segments:
            conn.execute(
                text(
                    'INSERT INTO segment (id, document_id, position, paragraph, "before", source, '
                    "target, status, version, updated_at, updated_by_id) VALUES (:id, 1, :id, "
                    "0, '', :source, :target, :status, 2, :changed, :by)"
                ),
                {"id": sid, "source": source, "target": target, "status": status,
                 "changed": at(changed), "by": by},
            )  # fmt: skip


def _upgrade_to(store, revision: str) -> None:
    """Upgrade as `migrate` does (SQLite rebuilds tables with its foreign keys off), but only
    to `revision`."""
    from alembic import command

    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        with conn.begin():
            command.upgrade(alembic_config(conn), revision)
        if store.dialect == "sqlite":
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def _export(url: str, tmp_path, name: str) -> list[tuple[str, str]]:
    out = tmp_path / name
    result = run_cli("tm", "export", "-o", str(out), "--db", url)
    assert result.exit_code == 0, result.output
    return sorted(read_tmx(out))


def _editor(store, entry_id: int) -> int | None:
    with store.engine.connect() as conn:
        return conn.execute(
            text("SELECT editor_id FROM tm_entry WHERE id = :id"), {"id": entry_id}
        ).scalar()


def test_approvals_from_before_the_memory_are_backfilled(store_url, tmp_path):
    if store_url.startswith("sqlite"):  # the fixture's file is already migrated to head
        store_url = f"sqlite:///{tmp_path / 'old.db'}"
    store = _at(store_url, "0001")
    try:
        _plant_0001(store)
        migrate(store)  # 0003 (an empty memory) ... 0021, 0022
        expected = [
            (unicodedata.normalize("NFC", SPACED_NFD), "Budget, approved last."),
            (COLD, "Seoul fell to minus 10."),
            (RAIN, "Rain tomorrow."),
        ]  # fmt: skip
        assert _export(store_url, tmp_path, "memory.tmx") == sorted(expected)
        found = exact_matches(store, [BUDGET, COLD, RAIN, PRESS, RATES])
        assert sorted(found) == sorted([BUDGET, COLD, RAIN])  # looked up by the app's key
        budget = found[BUDGET]
        assert (budget.segment_id, budget.origin) == (2, "approved")
        assert budget.updated_at is not None and budget.updated_at > T0
        assert _editor(store, budget.id) == 2 and _editor(store, found[COLD].id) == 3
        assert _editor(store, found[RAIN].id) is None
        with store.engine.connect() as conn:
            key, length = conn.execute(
                text('SELECT "key", length FROM tm_entry WHERE id = :id'), {"id": budget.id}
            ).one()
        assert (key, length) == (tm_key(BUDGET), len(tm_key(BUDGET)))

        from alembic import command

        with store.engine.begin() as conn:  # nothing to undo on the way down; up again: the same
            command.downgrade(alembic_config(conn), "0021")
        migrate(store)
        assert tm_size(store) == 3
        assert _export(store_url, tmp_path, "again.tmx") == sorted(expected)
    finally:
        store.close()


def test_entries_already_in_the_memory_are_kept(store_url, tmp_path):
    if store_url.startswith("sqlite"):
        store_url = f"sqlite:///{tmp_path / 'old.db'}"
    store = _at(store_url, "0001")
    try:
        _plant_0001(store)
        _upgrade_to(store, "0021")
        add_pairs(store, [(COLD, "Seoul froze (a TMX file's English).")])
        migrate(store)
        found = exact_matches(store, [BUDGET, COLD, RAIN])
        assert (found[COLD].target, found[COLD].origin) == (
            "Seoul froze (a TMX file's English).",
            "tmx",
        )
        assert found[BUDGET].target == "Budget, approved last." and tm_size(store) == 3
    finally:
        store.close()
