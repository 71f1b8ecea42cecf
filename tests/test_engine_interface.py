"""The typed engine interface: `Translator` defaults, explicit delegation by the TM and glossary
wrappers, and `draft_meta` (what a draft records of the engine that made it)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from mt.engines import LLMOptions, load_engine
from mt.engines.base import EngineWrapper, Translator, draft_meta
from mt.qa.glossary import Glossary, GlossaryEngine, Term
from mt.tm import TMEngine
from mt.types import Hypothesis

ARTICLE = ["삼성전자가 새 반도체 공장을 짓는다.", "회사는 투자 규모를 밝히지 않았다."]


class EchoEngine(Translator):
    """The least an engine must write: metadata and `translate`; the rest is inherited."""

    name, model_id, revision, is_test_model = "echo", "echo-model", None, True

    def translate(self, sentences: Sequence[str], **_: object) -> list[Hypothesis]:
        return [Hypothesis(f"EN {s}", -0.5, 1.0) for s in sentences]


@pytest.fixture(scope="module")
def ct2_engine(tiny_model_dir):
    return load_engine(str(tiny_model_dir), engine="ctranslate2", beam_size=2)


def test_translator_defaults():
    engine = EchoEngine()
    assert engine.signature() == {
        "engine": "echo",
        "model": "echo-model",
        "revision": None,
        "test_model": True,
    }
    assert engine.fallback_signature() is None
    with engine.article(ARTICLE, approved={}):
        assert engine.use_glossary(None) is None
    assert [h.text for h in engine.translate_iterable(iter(ARTICLE))] == [
        f"EN {s}" for s in ARTICLE
    ]
    assert draft_meta(engine) == {
        "engine": "echo",
        "model_id": "echo-model",
        "revision": None,
        "beam": None,
        "compute_type": None,
        "max_length": None,
        "is_test_model": True,
        "generation": None,
    }


def test_draft_meta_of_an_nmt_engine_and_its_wrappers(ct2_engine, tiny_model_dir):
    expected = {
        "engine": "ctranslate2",
        "model_id": tiny_model_dir.name,
        "revision": ct2_engine.revision,
        "beam": 2,
        "compute_type": ct2_engine.signature()["compute_type"],
        "max_length": "1.0x+0",  # the test model's decoding overrides
        "is_test_model": True,
        "generation": None,
    }
    assert ct2_engine.revision.startswith("sha256:")
    assert draft_meta(ct2_engine) == expected
    glossary = GlossaryEngine(ct2_engine, Glossary([Term("삼성전자", ("Samsung Electronics",))]))
    tm = TMEngine(glossary, store=None)  # no store: nothing is translated
    for wrapped in (glossary, tm):
        assert draft_meta(wrapped) == expected
        # Explicit delegation: the wrapped engine's metadata, no attribute guessing.
        assert (wrapped.name, wrapped.model_id, wrapped.revision, wrapped.is_test_model) == (
            "ctranslate2",
            tiny_model_dir.name,
            ct2_engine.revision,
            True,
        )
    assert tm.signature()["glossary"] == "1 terms, post-correction"
    with pytest.raises(AttributeError, match="'TMEngine' object has no attribute 'options'"):
        tm.options  # noqa: B018  # only the interface is passed through, nothing else


def test_wrappers_pass_the_llm_hooks_through(tiny_llm_dir, tiny_model_dir):
    llm = load_engine(
        str(tiny_llm_dir), engine="ctranslate2", llm=LLMOptions(fallback_model=str(tiny_model_dir))
    )
    glossary = Glossary([Term("삼성전자", ("Samsung Electronics",))])
    wrapped = GlossaryEngine(llm, glossary)
    wrapped.use_glossary(glossary)
    assert llm.glossary is glossary
    with wrapped.article(ARTICLE, approved={ARTICLE[0]: "Samsung builds a plant."}):
        contexts = llm.plan_contexts(ARTICLE[1:])
    assert contexts[0].previous[-1] == (ARTICLE[0], "Samsung builds a plant.")
    before = draft_meta(wrapped)
    assert "fallback" not in before and before["beam"] == 1
    assert before["generation"] == llm.generation_info()
    hyps = wrapped.translate(ARTICLE)  # the random test LLM fails validation: NMT fallback
    assert {h.origin for h in hyps} == {"fallback"}
    meta = draft_meta(wrapped)
    assert meta["fallback"] == {
        "engine": "ctranslate2",
        "model_id": tiny_model_dir.name,
        "revision": llm.fallback_signature()["revision"],
        "beam": 4,
        "compute_type": llm.fallback_signature()["compute_type"],
        "max_length": "1.0x+0",
        "is_test_model": True,
        "generation": None,
    }
    assert {k: v for k, v in meta.items() if k != "fallback"} == before


def test_engine_wrapper_setters_reach_the_wrapped_engine():
    inner = EchoEngine()

    class Upper(EngineWrapper):
        def translate(self, sentences: Sequence[str], **options: object) -> list[Hypothesis]:
            return [Hypothesis(h.text.upper(), h.score, h.time_ms) for h in
                    self.engine.translate(sentences)]  # fmt: skip

    wrapped = Upper(inner)
    wrapped.model_id = "renamed"
    assert inner.model_id == "renamed" and wrapped.signature()["model"] == "renamed"
    assert [h.text for h in wrapped.translate(["a"])] == ["EN A"]
