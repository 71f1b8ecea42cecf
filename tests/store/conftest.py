"""Store test helpers: an engine with chosen output. The database fixtures (`store_url`,
`store`, SQLite and PostgreSQL) and the tiny engine are shared, in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Sequence

from mt.engines.base import Translator


class TableEngine(Translator):
    """An engine with known output (for tests about reports that need chosen drafts).

    Translates by looking each sentence up in `table`; `model_id` names it in reports.
    """

    name = "table"
    revision = None
    is_test_model = True

    def __init__(self, model_id: str, table: dict[str, str]) -> None:
        self.model_id = model_id
        self.table = table

    def translate(self, sentences: Sequence[str], *, progress=None, **_) -> list:
        from mt.types import Hypothesis

        out = [Hypothesis(self.table.get(s, ""), -0.5, 1.0) for s in sentences]
        if progress:
            progress(len(sentences), len(sentences))
        return out
