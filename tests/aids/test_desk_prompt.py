"""The desk's LLM prompt template (#17, Settings): stored in desk_setting, checked like a
``--prompt FILE``, and used by every LLM draft without an explicit ``--prompt``."""

from __future__ import annotations

import json

import pytest

from mt.desk import desk_prompt_text, set_desk_prompt
from mt.engines import LLMOptions, load_engine
from mt.engines.prompting import DESK_PROMPT, PromptTemplate, family_template_text
from mt.errors import InputError, PermissionDenied
from mt.store import add_user, open_store
from tests.conftest import run_cli

DESK = (
    "=== system\nYou translate Korean news for our desk.\n$style\n"
    "=== user\n$instruction\n$context\nKorean: $sentence\nEnglish:\n"
)


def test_desk_prompt_round_trip(store) -> None:
    assert desk_prompt_text(store) is None
    set_desk_prompt(store, DESK)
    assert desk_prompt_text(store) == DESK
    for bad, reason in [
        ("just some words $sentence", "has no '=== user' section"),
        ("=== system\nhi\n=== user\nTranslate it.\n", "never uses \\$sentence"),
    ]:
        with pytest.raises(InputError, match=f"^LLM prompt: prompt template {reason}$"):
            set_desk_prompt(store, bad)
        assert desk_prompt_text(store) == DESK  # nothing saved
    add_user(store, "boss", role="admin", password="correct horse battery")
    add_user(store, "kim", role="editor", password="correct horse battery", by="boss")
    with pytest.raises(PermissionDenied, match="to change the LLM prompt needs an admin"):
        set_desk_prompt(store, None, by="kim")
    set_desk_prompt(store, DESK.replace("our desk", "the desk"), by="boss")
    assert desk_prompt_text(store) == DESK.replace("our desk", "the desk")
    set_desk_prompt(store, "  \n", by="boss")  # blank is the family's template again
    assert desk_prompt_text(store) is None


def test_prompt_precedence_file_then_desk_then_family(tmp_path, tiny_llm_dir) -> None:
    own = tmp_path / "own.txt"
    own.write_text("=== user\nTranslate: $sentence\n", encoding="utf-8")

    def info(**llm) -> dict:
        options = LLMOptions(fallback_model="none", **llm)
        return load_engine(str(tiny_llm_dir), engine="transformers", llm=options).generation_info()

    family = info()
    assert family["prompt"] == "generic.txt"
    assert family["prompt_sha256"] == PromptTemplate.load().sha256
    desk = info(prompt_text=DESK)
    assert desk["prompt"] == DESK_PROMPT
    assert desk["prompt_sha256"] == PromptTemplate.load(text=DESK).sha256
    assert desk["prompt_sha256"] != family["prompt_sha256"]
    explicit = info(prompt=str(own), prompt_text=DESK)
    assert explicit["prompt"] == "own.txt"
    assert explicit["prompt_sha256"] == PromptTemplate.load(own).sha256
    assert (
        PromptTemplate.load(text=family_template_text("generic")).sha256 == family["prompt_sha256"]
    )  # the default shown in Settings, saved unchanged, is the same prompt


def _import(db: str, article, *extra: str) -> list[dict]:
    from sqlalchemy import select

    from mt.store.models import Draft

    result = run_cli("import", str(article), "--db", db, "--json", *extra)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)["document_id"]
    with open_store(db) as store, store.session() as session:
        from mt.store.models import Segment

        rows = session.execute(
            select(Draft.generation)
            .join(Segment, Draft.segment_id == Segment.id)
            .where(Segment.document_id == doc)
        ).all()
    assert rows
    return [g.get("fallback_for", g) for (g,) in rows]


def test_import_drafts_with_the_desk_prompt_unless_prompt_is_given(
    tmp_path, tiny_llm_dir, tiny_model_dir
) -> None:
    article = tmp_path / "article.txt"
    article.write_text("삼성전자는 31일 3분기 실적을 발표했다.\n", encoding="utf-8")
    own = tmp_path / "own.txt"
    own.write_text("=== user\nTranslate: $sentence\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'desk.db'}"
    with open_store(db) as store:
        set_desk_prompt(store, DESK)
    model = ["--model", str(tiny_llm_dir), "--engine", "transformers"]
    model += ["--fallback-model", str(tiny_model_dir)]
    for generation in _import(db, article, *model):
        assert generation["prompt"] == DESK_PROMPT
        assert generation["prompt_sha256"] == PromptTemplate.load(text=DESK).sha256
    for generation in _import(db, article, *model, "--prompt", str(own)):
        assert generation["prompt"] == "own.txt"
        assert generation["prompt_sha256"] == PromptTemplate.load(own).sha256
