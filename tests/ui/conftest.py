"""Fixtures for the web app's AppTest tests: a fresh database and the tiny model per test."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "ui" / "app.py"

ARTICLE = (
    "서울시는 내년부터 시내버스 요금을 인상한다고 밝혔다. 시민들의 반응은 엇갈렸다.\n\n"
    '시 관계자는 "운영 적자가 커졌다"고 설명했다.'
)


@pytest.fixture
def db_url(tmp_path, tiny_model_dir, monkeypatch) -> str:
    """A fresh SQLite store, with the app's environment pointing at it and the tiny model."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    monkeypatch.setenv("TRANSDESK_DB", url)
    monkeypatch.setenv("TRANSDESK_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("TRANSDESK_USER", "desk")
    monkeypatch.delenv("TRANSDESK_MAX_UPLOAD_MB", raising=False)
    return url


@pytest.fixture
def store(db_url):
    from mt.store import open_store

    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def tiny_engine(tiny_model_dir):
    from mt.engines import load_engine

    return load_engine(str(tiny_model_dir))


@pytest.fixture
def article(store, tiny_engine) -> int:
    """A two-paragraph Korean article drafted by the tiny model; returns its document id."""
    from mt.drafting import create_document

    return create_document(store, ARTICLE, title="Bus fares", engine=tiny_engine, created_by="desk")


def new_app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=60)
