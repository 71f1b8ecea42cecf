"""Fixtures for the editor aids: NTREX lines, and an engine that records what it was asked to
translate (the database and the tiny engine are shared, in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.conftest import shared_lines


class RecordingEngine:
    """Wraps a real engine and records every sentence sent to it, call by call."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.calls: list[list[str]] = []

    def translate(self, sentences: Sequence[str], **options) -> list:
        self.calls.append(list(sentences))
        return self.engine.translate(sentences, **options)

    @property
    def sent(self) -> list[str]:
        return [s for call in self.calls for s in call]

    def __getattr__(self, name: str):
        if name in ("engine", "calls"):
            raise AttributeError(name)
        return getattr(self.engine, name)


@pytest.fixture
def recording(tiny_engine) -> RecordingEngine:
    return RecordingEngine(tiny_engine)


@pytest.fixture(scope="session")
def ntrex() -> tuple[list[str], list[str]]:
    """NTREX-128 Korean and English lines (the test skips when the shared data is absent)."""
    return shared_lines("ntrex128", "ko"), shared_lines("ntrex128", "en")
