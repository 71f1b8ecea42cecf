"""Fixtures for the web app's AppTest tests: the app pointed at the shared test database
(tests/conftest.py: SQLite and PostgreSQL) and the tiny model, and a drafted article."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "ui" / "app.py"

ARTICLE = (
    "서울시는 내년부터 시내버스 요금을 인상한다고 밝혔다. 시민들의 반응은 엇갈렸다.\n\n"
    '시 관계자는 "운영 적자가 커졌다"고 설명했다.'
)


@pytest.fixture(autouse=True)
def app_environment(request, tiny_model_dir, monkeypatch) -> None:
    """For a test on the shared database (`store_url`, `store`): the app's environment points at
    that database and the tiny model."""
    if "store_url" not in request.fixturenames:
        return
    monkeypatch.setenv("TRANSDESK_DB", request.getfixturevalue("store_url"))
    monkeypatch.setenv("TRANSDESK_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("TRANSDESK_USER", "desk")
    monkeypatch.delenv("TRANSDESK_MAX_UPLOAD_MB", raising=False)


@pytest.fixture
def article(store, tiny_engine) -> int:
    """A two-paragraph Korean article drafted by the tiny model; returns its document id."""
    from mt.drafting import create_document

    return create_document(store, ARTICLE, title="Bus fares", engine=tiny_engine, created_by="desk")


def new_app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=60)
