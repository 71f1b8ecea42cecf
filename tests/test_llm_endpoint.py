"""The OpenAI-compatible endpoint engine against a real HTTP server on 127.0.0.1 (tests/llm_server).

Answers, delays, 429, 500, malformed JSON, dropped connections, echoed prompts and chatter: the
right draft, or one clear line and nothing written; a resumed job gives the same bytes; the API
key never shows up in any output or file.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from mt.checkpoint import checkpoint_path
from mt.engines import LLMOptions, load_engine
from mt.engines.llm_endpoint import EndpointError
from mt.engines.prompting import PromptTemplate
from mt.errors import TransdeskError
from tests.conftest import ROOT, TRANSDESK, run_cli_process, shared_lines
from tests.llm_server import FakeLLM, answer_for

# Random-looking, like a real key: once registered, any 8-character piece of it is masked in
# every message of the process (a key holding "transdesk" would mask "TRANSDESK_API_KEY").
SECRET = "sk-Vb7nQ4wErT9yUi2oPa5sDf8gHj3kLz6xCm"


@pytest.fixture
def server():
    fakes: list[FakeLLM] = []

    def start(**kwargs) -> FakeLLM:
        fake = FakeLLM(**kwargs).start()
        fakes.append(fake)
        return fake

    yield start
    for fake in fakes:
        fake.stop()


@pytest.fixture(scope="module")
def korean() -> list[str]:
    return shared_lines("ntrex128", "ko", 16)


def engine_for(fake: FakeLLM, **options):
    llm = {"endpoint": fake.url, "fallback_model": "none", **options}
    retries = llm.pop("retries", 4)
    engine = load_engine("test-model", llm=LLMOptions(**llm))
    engine.retries = retries
    return engine


def test_answers_become_drafts_one_request_per_distinct_sentence(server, korean):
    fake = server()
    engine = engine_for(fake)
    hyps = engine.translate([*korean, "", korean[0]])
    assert [h.text for h in hyps] == [*(answer_for(s) for s in korean), "", answer_for(korean[0])]
    assert all(h.origin == "mt" for h in hyps[: len(korean)])
    assert fake.requests == len(korean)
    body = fake.bodies[0]
    assert body["model"] == "test-model" and body["temperature"] == 0.0
    assert body["max_tokens"] > 0 and body["messages"][0]["role"] == "system"
    gen = engine.signature()["generation"]
    assert gen["family"] == "endpoint" and gen["model"] == "test-model"
    assert gen["endpoint"] == fake.url.removesuffix("/v1")


def test_429_500_malformed_and_dropped_replies_are_retried(server, korean):
    fake = server(errors=[429, 503, "malformed", "drop"])  # 4 failures, 5 tries
    engine = engine_for(fake, concurrency=1)
    hyps = engine.translate(korean[:3])
    assert [h.text for h in hyps] == [answer_for(s) for s in korean[:3]]
    assert fake.requests == 3 + 4


@pytest.mark.parametrize(
    ("errors", "message"),
    [
        ([500] * 10, "HTTP 500 after 3 tries; nothing was written"),
        (["malformed"] * 10, "malformed JSON in the reply after 3 tries; nothing was written"),
        ([429] * 10, "HTTP 429 after 3 tries; nothing was written"),
    ],
)
def test_persistent_failure_is_one_line(server, errors, message):
    fake = server(errors=errors)
    engine = engine_for(fake, retries=2)
    error = f"^{re.escape(f'endpoint {engine.endpoint}: {message}')}$"
    with pytest.raises(EndpointError, match=error) as err:
        engine.translate(["회사는 밝혔다."])
    assert str(err.value) == f"endpoint {engine.endpoint}: {message}"
    assert "\n" not in str(err.value)


def test_timeout(server):
    fake = server(delay=1.0)
    engine = engine_for(fake, timeout=0.2, retries=1)
    with pytest.raises(EndpointError, match=r"no reply within 0\.2 s after 2 tries"):
        engine.translate(["회사는 밝혔다."])


def test_client_errors_are_not_retried_and_keep_the_key_out(server, monkeypatch):
    fake = server(key="the-right-key")
    monkeypatch.setenv("TRANSDESK_API_KEY", SECRET)
    engine = engine_for(fake)
    error = (
        rf"^endpoint {re.escape(engine.endpoint)}: HTTP 401, the API key was refused \(set "
        rf"TRANSDESK_API_KEY\)$"
    )
    with pytest.raises(EndpointError, match=error) as err:
        engine.translate(["회사는 밝혔다."])
    assert str(err.value) == (
        f"endpoint {engine.endpoint}: HTTP 401, the API key was refused (set TRANSDESK_API_KEY)"
    )
    assert fake.requests == 1 and SECRET not in repr(engine) + str(engine.signature())


def test_bad_endpoint_urls():
    with pytest.raises(TransdeskError, match="must not carry credentials"):
        load_engine("m", llm=LLMOptions(endpoint="http://user:pw@127.0.0.1:1/v1"))
    with pytest.raises(TransdeskError, match="expected an http"):
        load_engine("m", llm=LLMOptions(endpoint="ftp://127.0.0.1/v1"))
    with pytest.raises(TransdeskError, match="needs the name of its model"):
        load_engine(None, llm=LLMOptions(endpoint="http://127.0.0.1:1/v1"))


def test_echo_is_asked_again_and_chatter_falls_back_to_nmt(server, korean, tiny_model_dir):
    fake = server(echo_once=[korean[0]], always_bad=[korean[1]])
    engine = engine_for(fake, fallback_model=str(tiny_model_dir))
    hyps = engine.translate(korean[:3])
    assert hyps[0].text == answer_for(korean[0]) and hyps[0].origin == "mt"
    nmt = load_engine(str(tiny_model_dir)).translate([korean[1]])[0]
    assert (hyps[1].text, hyps[1].origin) == (nmt.text, "fallback")
    assert hyps[2].text == answer_for(korean[2])
    assert fake.requests == 3 + 2  # one retry each for the two bad replies
    retry = [b for b in fake.bodies if len(b["messages"]) > 2]
    assert len(retry) == 2 and "broke the output contract" in retry[0]["messages"][-1]["content"]


def test_concurrency_limit(server, korean):
    fake = server(delay=0.2)
    engine = engine_for(fake, concurrency=4)
    engine.translate(korean)
    assert fake.max_in_flight == 4
    fake1 = server(delay=0.05)
    engine_for(fake1, concurrency=1).translate(korean[:4])
    assert fake1.max_in_flight == 1


# -- through the CLI ------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TRANSDESK_API_KEY"}
    env.update(extra)
    return env


def test_translate_cli_with_an_endpoint(server, korean, tmp_path):
    fake = server()
    src = tmp_path / "news.txt"
    src.write_text("\n".join(korean[:6]) + "\n", encoding="utf-8")
    out = tmp_path / "news.en.txt"
    result = run_cli_process(
        "translate", str(src), "-o", str(out), "--segment", "line",
        "--endpoint", fake.url, "--model", "qwen2.5:3b", env=_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_text(encoding="utf-8") == "\n".join(answer_for(s) for s in korean[:6]) + "\n"
    assert b"Model: qwen2.5:3b (endpoint, http://127.0.0.1:" in result.stderr


def test_translate_cli_failure_writes_nothing(server, tmp_path):
    fake = server(errors=[500] * 100)
    src = tmp_path / "news.txt"
    src.write_text("회사는 밝혔다.\n", encoding="utf-8")
    out = tmp_path / "news.en.txt"
    result = run_cli_process(
        "translate", str(src), "-o", str(out), "--endpoint", fake.url, "--model", "m", "-q",
        env=_env(),
    )  # fmt: skip
    assert result.returncode == 4
    assert result.stderr.decode().splitlines() == [
        f"Error: endpoint {fake.url.removesuffix('/v1')}: HTTP 500 after 5 tries; nothing was "
        "written"
    ]
    assert not out.exists()
    missing = run_cli_process(
        "translate", str(src), "-o", str(out), "--endpoint", fake.url, env=_env()
    )
    assert missing.returncode == 1
    assert missing.stderr.decode().splitlines() == [
        "Error: an endpoint needs the name of its model"
    ]


def _wait_for_batches(path: Path, batches: int, proc: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text(encoding="utf-8").splitlines()) > batches:
            return
        if proc.poll() is not None:
            raise AssertionError("the job ended before it could be interrupted")
        time.sleep(0.05)
    raise AssertionError("no checkpoint progress")


def test_resume_after_kill_gives_the_same_bytes_and_no_key_anywhere(server, korean, tmp_path):
    fake = server(key=SECRET, delay=0.15)
    env = _env(TRANSDESK_API_KEY=SECRET)
    src = tmp_path / "news.txt"
    src.write_text("\n\n".join(korean) + "\n", encoding="utf-8")
    llm = ["--endpoint", fake.url, "--model", "m", "--concurrency", "1"]
    args = [*llm, "--batch-tokens", "64"]
    clean = tmp_path / "clean.en.txt"
    first = run_cli_process("translate", str(src), "-o", str(clean), *args, env=env)
    assert first.returncode == 0, first.stderr.decode()
    full_requests = fake.requests

    out = tmp_path / "resumed.en.txt"
    proc = subprocess.Popen(
        [*TRANSDESK, "translate", str(src), "-o", str(out), *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    _wait_for_batches(checkpoint_path(out), 2, proc)
    proc.send_signal(signal.SIGKILL)
    killed_out, killed_err = proc.communicate(timeout=30)
    assert not out.exists()
    checkpoint = checkpoint_path(out).read_bytes()
    before = fake.requests
    resumed = run_cli_process("translate", str(src), "-o", str(out), "--resume", *args, env=env)
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert b"resumed" in resumed.stderr
    assert out.read_bytes() == clean.read_bytes()
    assert fake.requests - before < full_requests  # finished batches were not asked again

    db = f"sqlite:///{tmp_path / 'desk.db'}"
    imported = run_cli_process("import", str(src), "--db", db, "--json", *llm, env=env)
    assert imported.returncode == 0, imported.stderr.decode()
    wrong = run_cli_process("translate", str(src), "-o", str(tmp_path / "x.txt"), *args, env=_env(
        TRANSDESK_API_KEY=SECRET[::-1]))  # fmt: skip
    assert wrong.returncode == 4 and b"API key was refused" in wrong.stderr

    outputs = [first, resumed, imported, wrong]
    streams = [s for r in outputs for s in (r.stdout, r.stderr)] + [killed_out, killed_err]
    assert all(SECRET.encode() not in s for s in streams)
    assert SECRET.encode() not in checkpoint
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 4
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path


def _stored_drafts(url: str, doc: int) -> list:
    from sqlalchemy import select

    from mt.store import open_store
    from mt.store.models import Draft, Segment

    with open_store(url) as store, store.session() as session:
        return session.execute(
            select(Segment.source, Draft.origin, Draft.engine, Draft.model_id, Draft.generation)
            .join(Draft, Draft.segment_id == Segment.id)
            .where(Segment.document_id == doc)
            .order_by(Segment.position)
        ).all()


def test_import_records_what_made_each_draft(server, korean, tiny_model_dir, store_url):
    """Drafts in the store carry family, model, endpoint, prompt hash, temperature and context;
    the glossary's terms and the approved English reach the prompt; a fallback is marked."""
    from mt.drafting import create_document
    from mt.qa.glossary import Glossary
    from mt.store import open_store
    from mt.store.glossary import save_terms

    url = store_url
    headline = "삼성전자, 3분기 영업이익 10조 돌파"
    body = ["삼성전자는 반도체 수요가 회복됐다고 밝혔다.", korean[3], korean[4]]
    fake = server(always_bad=[korean[4]])
    engine = engine_for(fake, fallback_model=str(tiny_model_dir), context=2)
    with open_store(url) as store:
        save_terms(store, list(Glossary.from_dict({"반도체": "chips"})), source="test", by=None)
        doc = create_document(
            store, "\n\n".join([headline, *body]), title="t", engine=engine, created_by="kim"
        )
    rows = _stored_drafts(url, doc)
    assert [r.origin for r in rows] == ["mt", "mt", "mt", "fallback"]
    for row in rows[:3]:
        assert row.engine == "endpoint" and row.model_id == "test-model"
        gen = row.generation
        assert gen["family"] == "endpoint" and gen["endpoint"] == engine.endpoint
        assert gen["prompt_sha256"] == PromptTemplate.load().sha256
        assert gen["temperature"] == 0.0 and gen["context_sentences"] == 2
    assert rows[3].engine in ("transformers", "ctranslate2")
    assert rows[3].generation["fallback_for"]["model"] == "test-model"
    prompts = {
        json.dumps(b["messages"], ensure_ascii=False): b for b in fake.bodies
    }  # the prompt of each request
    first_body = next(p for p in prompts if "회복됐다고" in p.split("Korean: ")[-1])
    assert "반도체 = chips" in first_body
    assert f"Headline of the article: {headline}" in first_body
    headline_prompt = next(p for p in prompts if p.endswith(f'Korean: {headline}"}}]'))
    assert "news headline" in headline_prompt


def test_approved_english_and_memory_matches_are_context(server, korean, tmp_path):
    """A sentence the memory already holds is not sent to the LLM, but its approved English is
    the context of the sentence after it; re-drafting a document gives its approved segments'
    English as context too."""
    from mt.drafting import create_document, retranslate_document
    from mt.revising import approve_segment
    from mt.store import list_segments, open_store

    url = f"sqlite:///{tmp_path / 'desk.db'}"
    fake = server()
    engine = engine_for(fake)
    approved = "The approved English of the first sentence."
    with open_store(url) as store:
        first = create_document(store, korean[0], title="a", engine=engine, created_by="kim")
        seg = list_segments(store, first)[0]
        approve_segment(store, seg.id, editor="kim", base_version=seg.version, text=approved)
        fake.bodies.clear()
        second = create_document(
            store, f"{korean[0]} {korean[1]}", title="b", engine=engine, created_by="kim"
        )
        asked = [json.dumps(b["messages"], ensure_ascii=False) for b in fake.bodies]
        assert len(asked) == 1  # korean[0] came from the memory
        assert f"Korean: {korean[1]}" in asked[0]
        assert f"Headline in English (approved): {approved}" in asked[0]

        seg2 = list_segments(store, second)[0]
        approve_segment(store, seg2.id, editor="kim", base_version=seg2.version, text="Mine.")
        fake.bodies.clear()
        retranslate_document(store, second, engine=engine)
        again = [json.dumps(b["messages"], ensure_ascii=False) for b in fake.bodies]
        follow = next(a for a in again if f"Korean: {korean[1]}" in a)
        assert "English (approved): Mine." in follow
