"""LLM drafting: prompts, response validation, and both local engines on the tiny causal LM."""

from __future__ import annotations

import json
import os

import pytest

from mt.engines import LLMOptions, load_engine
from mt.engines.prompting import (
    HEADLINE_INSTRUCTION,
    SENTENCE_INSTRUCTION,
    Context,
    InvalidResponse,
    PromptTemplate,
    build_contexts,
    clean_response,
    looks_like_headline,
)
from mt.errors import InputError
from mt.qa.glossary import Glossary
from tests.conftest import run_cli_process, shared_lines

ARTICLE = [
    "삼성전자, 3분기 영업이익 10조 돌파",
    "삼성전자는 31일 3분기 실적을 발표했다.",
    "회사는 반도체 수요가 회복됐다고 밝혔다.",
    "이재용 회장은 투자를 늘리겠다고 말했다.",
    "삼성전자는 31일 3분기 실적을 발표했다.",
]


# -- templates and context ------------------------------------------------------------------


@pytest.mark.parametrize("family", ["generic", "qwen", "exaone", "gemma"])
def test_package_templates_load_and_differ_in_hash(family):
    template = PromptTemplate.load(family=family)
    assert template.name == f"{family}.txt"
    assert len(template.sha256) == 64
    messages = template.messages("회사는 밝혔다.", Context())
    assert messages[-1]["content"].endswith("Korean: 회사는 밝혔다.")
    assert "Output contract" in messages[0]["content"]
    assert "House style" in messages[0]["content"]


def test_template_hash_covers_text_and_style(tmp_path):
    base = PromptTemplate.load()
    assert PromptTemplate.load(style="Use British spelling.").sha256 != base.sha256
    custom = tmp_path / "mine.txt"
    custom.write_text("=== user\nTranslate: $sentence\n", encoding="utf-8")
    mine = PromptTemplate.load(custom)
    assert mine.name == "mine.txt" and mine.sha256 != base.sha256
    assert mine.messages("가", Context()) == [{"role": "user", "content": "Translate: 가"}]


def test_bad_template_is_one_line_error_naming_the_file(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("=== system\nBe nice.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.txt: prompt template has no '=== user' section"):
        PromptTemplate.load(bad)
    nosentence = tmp_path / "nosentence.txt"
    nosentence.write_text("=== user\nTranslate.\n", encoding="utf-8")
    with pytest.raises(InputError, match="never uses"):
        PromptTemplate.load(nosentence)
    with pytest.raises(InputError, match=r"missing\.txt: cannot read"):
        PromptTemplate.load(tmp_path / "missing.txt")


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        ("삼성전자, 3분기 영업이익 10조 돌파", True),
        ("[속보] 北, 동해상으로 탄도미사일 발사", True),
        ("삼성전자는 31일 3분기 실적을 발표했다.", False),
        ('"경기 회복 신호" 말했다."', False),
        ("", False),
    ],
)
def test_headline_detection(text, headline):
    assert looks_like_headline(text) is headline


def test_contexts_give_headline_previous_sentences_and_approved_english():
    approved = {ARTICLE[1]: "Samsung Electronics announced its results on the 31st."}
    contexts = build_contexts(ARTICLE, window=2, approved=approved)
    assert contexts[0] == Context(is_headline=True)
    assert contexts[1] == Context(headline=ARTICLE[0], previous=())
    assert contexts[3].previous == ((ARTICLE[1], approved[ARTICLE[1]]), (ARTICLE[2], None))
    assert contexts[3].size == 3
    assert build_contexts(ARTICLE, window=0)[3].previous == ()
    # No headline when the article starts with a full sentence.
    assert build_contexts(ARTICLE[1:])[1].headline is None


def test_messages_carry_instruction_headline_context_and_glossary_terms():
    glossary = Glossary.from_dict({"반도체": "chips", "삼성전자": "Samsung Electronics"})
    template = PromptTemplate.load(family="qwen")
    contexts = build_contexts(ARTICLE)
    head = template.messages(ARTICLE[0], contexts[0], glossary=glossary)[-1]["content"]
    assert HEADLINE_INSTRUCTION in head and "Headline of the article" not in head
    body = template.messages(ARTICLE[2], contexts[2], glossary=glossary)[-1]["content"]
    assert SENTENCE_INSTRUCTION in body
    assert f"Headline of the article: {ARTICLE[0]}" in body
    assert f"- Korean: {ARTICLE[1]}" in body
    assert "- 반도체 = chips" in body  # occurs in the sentence
    assert "Samsung Electronics" not in body.split("Glossary")[1]  # does not occur


# -- validation -----------------------------------------------------------------------------

SOURCE = "회사는 반도체 수요가 회복됐다고 밝혔다."


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            "The company said chip demand had recovered.",
            "The company said chip demand had recovered.",
        ),
        (
            '  "The company said chip demand had recovered."\n',
            "The company said chip demand had recovered.",
        ),
        ("Lee said 삼성 would invest.", "Lee said 삼성 would invest."),  # a kept name
    ],
)
def test_valid_responses(response, expected):
    source = "이재용 회장은 삼성 투자를 늘리겠다고 말했다." if "삼성" in response else SOURCE
    assert clean_response(response, sentence=source) == expected


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        ("", "empty response"),
        ("Here is the translation: The company said demand recovered.", "commentary"),
        ("Sure! The company said demand recovered.", "commentary"),
        ("Translation: The company said demand recovered.", "commentary"),
        ("The company said demand recovered. (Note: 회복 means recovery)", "commentary"),
        ("The company said demand recovered.\nThe company said so.", "2 lines"),
        (f"{SOURCE} The company said demand recovered.", "repeats the Korean"),
        ("회사는 반도체 수요가 회복됐다고 said.", "untranslated Korean"),
        ("Translate this sentence of a Korean news article into English.", "echoes the prompt"),
    ],
)
def test_invalid_responses(response, reason):
    messages = PromptTemplate.load().messages(SOURCE, Context())
    with pytest.raises(InvalidResponse, match=reason):
        clean_response(response, sentence=SOURCE, messages=messages)


# -- local engines on the tiny causal LM ----------------------------------------------------


@pytest.fixture(scope="module", params=["transformers", "ctranslate2"])
def llm_engine(request, tiny_llm_dir, tiny_model_dir):
    return load_engine(
        str(tiny_llm_dir),
        engine=request.param,
        llm=LLMOptions(fallback_model=str(tiny_model_dir)),
    )


def test_local_engine_signature_records_generation(llm_engine, tiny_llm_dir):
    sig = llm_engine.signature()
    gen = sig["generation"]
    assert sig["engine"] in ("llm-transformers", "llm-ctranslate2") and sig["beam"] == 1
    assert sig["test_model"] is True
    # a local folder is named by its folder name and pinned by a fingerprint, never by its path
    assert gen["family"] == "causal-lm" and gen["model"] == tiny_llm_dir.name
    assert gen["revision"].startswith("sha256:")
    assert gen["temperature"] == 0.0 and gen["context_sentences"] == 3
    assert gen["prompt"] == "generic.txt"
    assert gen["prompt_sha256"] == PromptTemplate.load().sha256


def test_local_engine_random_replies_fail_validation_and_fall_back_to_nmt(
    llm_engine, tiny_model_dir
):
    """The random test LLM writes Hangul soup: every reply fails twice, and the NMT model's
    draft is taken, marked as the fallback."""
    hyps = llm_engine.translate(ARTICLE)
    assert len(hyps) == len(ARTICLE)
    fallback = llm_engine.fallback_signature()
    assert fallback["model"] == tiny_model_dir.name
    # The fallback runs on the LLM's backend choice.
    assert fallback["engine"] == llm_engine.name.removeprefix("llm-")
    nmt = load_engine(str(tiny_model_dir), engine=fallback["engine"]).translate(ARTICLE)
    assert [h.origin for h in hyps] == ["fallback"] * len(ARTICLE)
    assert [h.text for h in hyps] == [h.text for h in nmt]


def test_local_engine_unvalidated_output_is_deterministic_and_per_sentence(tiny_llm_dir):
    lines = shared_lines("ntrex128", "ko", 12)
    for backend in ("transformers", "ctranslate2"):
        engine = load_engine(
            str(tiny_llm_dir), engine=backend, llm=LLMOptions(validate=False, fallback_model="none")
        )
        first = engine.translate(lines)
        again = engine.translate(lines, batch_tokens=64)  # other batches, same drafts
        assert [h.text for h in first] == [h.text for h in again]
        assert all(h.origin == "mt" and h.text for h in first)
        assert len({h.text for h in first}) > 1


def test_ctranslate2_conversion_is_cached(tiny_llm_dir):
    from mt.engines.ct2 import convert_model

    engine = load_engine(str(tiny_llm_dir), engine="ctranslate2", llm=LLMOptions(validate=False))
    marker = engine.ct2_dir / "transdesk-source.json"
    mtime = marker.stat().st_mtime_ns
    assert convert_model(tiny_llm_dir, quantization="int8") == engine.ct2_dir
    assert marker.stat().st_mtime_ns == mtime
    assert engine.signature()["quantization"] == "int8"


def test_no_fallback_means_a_clear_error(tiny_llm_dir):
    from mt.errors import ModelError

    engine = load_engine(
        str(tiny_llm_dir), engine="ctranslate2", llm=LLMOptions(fallback_model="none")
    )
    with pytest.raises(ModelError, match="no NMT fallback model is set"):
        engine.translate(ARTICLE[:2])


# -- CLI ------------------------------------------------------------------------------------


def test_build_test_causal_lm_and_models_list(tmp_path):
    result = run_cli_process(
        "models", "build-test", str(tmp_path / "llm"), "--family", "causal-lm", text=True
    )
    assert result.returncode == 0, result.stderr
    assert "TEST model" in result.stderr
    assert "Writing model shards" not in result.stderr  # no transformers progress bar
    config = json.loads((tmp_path / "llm" / "config.json").read_text())
    assert config["transdesk_test_model"] is True and config["model_type"] == "llama"
    assert (
        "chat_template" in (tmp_path / "llm" / "tokenizer_config.json").read_text()
        or (tmp_path / "llm" / "chat_template.jinja").exists()
    )
    assert (tmp_path / "llm" / "tokenizer.model").exists()
    bad = run_cli_process("models", "build-test", str(tmp_path / "x"), "--family", "gpt", text=True)
    assert bad.returncode == 1 and bad.stderr.strip().splitlines() == [
        "Error: unknown model family 'gpt'; choose translation or causal-lm"
    ]
    listed = json.loads(run_cli_process("models", "list", "--json", text=True).stdout)
    by_name = {row["name"]: row for row in listed}
    for name in ("qwen2.5-3b-instruct", "exaone-3.5-2.4b-instruct", "gemma-3-4b-it"):
        assert by_name[name]["family"] == "causal-lm"
        assert by_name[name]["license"]
    table = run_cli_process("models", "list", env={**os.environ, "COLUMNS": "80"}, text=True).stdout
    assert "license" in table and "Gemma Terms of Use" in table


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_translate_and_import_with_a_local_llm(tmp_path, tiny_llm_dir, tiny_model_dir, backend):
    article = tmp_path / "article.txt"
    article.write_text(
        f"{ARTICLE[0]}\n\n{' '.join(ARTICLE[1:3])}\n\n{ARTICLE[3]}\n", encoding="utf-8"
    )
    common = [
        "--model",
        str(tiny_llm_dir),
        "--engine",
        backend,
        "--fallback-model",
        str(tiny_model_dir),
    ]
    out = tmp_path / "article.en.txt"
    result = run_cli_process("translate", str(article), "-o", str(out), *common, text=True)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").count("\n\n") == 2  # paragraphs kept

    db = f"sqlite:///{tmp_path / 'desk.db'}"
    result = run_cli_process("import", str(article), "--db", db, "--json", *common, text=True)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)["document_id"]
    from mt.store import drafts, list_segments, open_store

    with open_store(db) as store:
        segs = list_segments(store, doc)
        rows = [drafts(store, s.id)[0] for s in segs]
    with open_store(db) as store, store.session() as session:
        from sqlalchemy import select

        from mt.store.models import Draft

        stored = session.execute(select(Draft.origin, Draft.engine, Draft.generation)).all()
    assert len(rows) == len(segs) == 4
    assert {r.origin for r in stored} == {"fallback"}
    for _origin, engine, generation in stored:
        assert engine in ("transformers", "ctranslate2")  # the NMT model drafted it
        llm = generation["fallback_for"]
        assert llm["family"] == "causal-lm" and llm["prompt_sha256"] == PromptTemplate.load().sha256
        assert llm["temperature"] == 0.0 and llm["context_sentences"] == 3
