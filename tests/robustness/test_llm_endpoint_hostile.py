"""A hostile or broken OpenAI-compatible endpoint, and a badly pasted API key (tests/llm_server).

Replies of hundreds of megabytes, replies that trickle in a byte at a time, JSON nested 100,000
deep, odd log-probabilities, lone surrogates, an endpoint that echoes the API key; keys with a
Windows line end, a space or a non-ASCII character inside. Each ends in the draft, a retry, or
one line naming the endpoint and the problem; never a traceback, never the key, never a draft
holding the key; the reply is held only up to its size bound and the timeout bounds each try.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import textwrap
import time

import pytest

from mt import redact
from mt.engines import LLMOptions, load_engine
from mt.engines.llm_endpoint import EndpointError, reply_limit
from mt.errors import InvalidValue
from tests.conftest import ROOT, run_cli, run_cli_process
from tests.llm_server import FakeLLM, answer_for

# Random-looking, like a real key: the masking is process-wide once a key is registered, and a
# key holding a word would mask that word in every later message of the test session.
SECRET = "sk-Zq8vR2mXw7Lp4Nt6Yh3Jk9Bc5Df1Gs0QaWe"
SENTENCE = "회사는 밝혔다."
PROMPT = [{"role": "user", "content": f"Korean: {SENTENCE}"}]


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


@pytest.fixture
def no_key(monkeypatch):
    monkeypatch.delenv("TRANSDESK_API_KEY", raising=False)


def engine_for(fake: FakeLLM, *, retries: int = 1, **options):
    engine = load_engine(
        "test-model", llm=LLMOptions(endpoint=fake.url, fallback_model="none", **options)
    )
    engine.retries = retries
    return engine


def leaks(text: str) -> bool:
    """Whether `text` holds the key or any 8-character piece of it, in any case."""
    low = text.lower()
    key = SECRET.lower()
    return any(key[i : i + 8] in low for i in range(len(key) - 7))


def _reply(content: object = "Fine.", **choice: object) -> bytes:
    return json.dumps({"choices": [{"message": {"content": content}, **choice}]}).encode()


# -- masking ------------------------------------------------------------------------------


def test_mask_covers_case_variants_and_long_pieces_only():
    text = (
        f"a {SECRET} b {SECRET.upper()} c {SECRET[5:17]} d {SECRET[-8:].upper()} "
        f"e {SECRET[:7]} f repr=b'Bearer {SECRET}\\n'"
    )
    masked = redact.mask(text, [SECRET])
    assert not leaks(masked)
    assert masked == (
        f"a *** b *** c *** d *** e {SECRET[:7]} f repr=b'Bearer ***\\n'"
    )  # a 7-character piece is not masked
    assert redact.mask("nothing secret here", [SECRET]) == "nothing secret here"
    assert redact.contains(f"x{SECRET[10:20].swapcase()}y", [SECRET])
    assert redact.mask("abc xyz ABC", ["abc"]) == "*** xyz ***"  # a short secret: masked whole


def test_the_traceback_hook_masks_a_registered_key():
    """The CLI installs this hook: an unexpected exception quoting the key shows no key."""
    script = textwrap.dedent(f"""
        from mt import redact
        redact.register({SECRET!r})
        redact.install_excepthook()
        raise ValueError("Invalid header value " + repr(b"Bearer {SECRET}\\n"))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=60)
    err = done.stderr.decode()
    assert done.returncode == 1 and "Traceback" in err and "Bearer ***" in err
    assert not leaks(err)


# -- the key as read ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [f"{SECRET}\r\n", f"{SECRET}\n", f"\ufeff {SECRET} \t", f"  {SECRET}"]
)
def test_a_key_with_a_line_end_or_spaces_around_it_works(server, monkeypatch, raw):
    fake = server(key=SECRET)
    monkeypatch.setenv("TRANSDESK_API_KEY", raw)
    assert engine_for(fake).translate([SENTENCE])[0].text == answer_for(SENTENCE)


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (f"{SECRET[:20]} {SECRET[20:]}", 21),
        (f"{SECRET[:20]}\r{SECRET[20:]}", 21),
        (f"{SECRET[:20]}\x7f{SECRET[20:]}", 21),
        (f"{SECRET[:10]}é{SECRET[10:]}", 11),
        (f"{SECRET}\u2019", len(SECRET) + 1),
    ],
)
def test_a_key_with_whitespace_control_or_non_ascii_inside_is_one_line(
    server, monkeypatch, raw, where
):
    fake = server(key=SECRET)
    monkeypatch.setenv("TRANSDESK_API_KEY", raw)
    with pytest.raises(InvalidValue) as err:
        engine_for(fake)
    message = str(err.value)
    assert message.startswith("TRANSDESK_API_KEY: the API key holds whitespace, a control")
    assert f"(character {where} of " in message
    assert "\n" not in message and not leaks(message)
    assert fake.requests == 0


def test_a_key_echoed_in_an_error_body_is_masked(server, monkeypatch):
    fake = server(echo_key="error")
    monkeypatch.setenv("TRANSDESK_API_KEY", SECRET)
    engine = engine_for(fake)
    with pytest.raises(EndpointError) as err:
        engine.translate([SENTENCE])
    assert str(err.value) == (
        f"endpoint {engine.endpoint}: HTTP 400 for model 'test-model': Incorrect API key "
        "provided: ***. Check it."
    )


def test_a_reply_quoting_the_key_is_refused_and_never_drafted(server, monkeypatch):
    fake = server(echo_key="content")
    monkeypatch.setenv("TRANSDESK_API_KEY", SECRET)
    engine = engine_for(fake, retries=4)
    with pytest.raises(EndpointError) as err:
        engine.translate([SENTENCE])
    assert str(err.value) == (
        f"endpoint {engine.endpoint}: the reply quotes the API key; it was refused and nothing "
        "was written"
    )
    assert fake.requests == 1  # refused at once: asking again gets the same


# -- size and time ------------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_oversized_reply_is_refused_at_once_and_not_read_to_the_end(server, no_key, chunked):
    size = 64 * 1024 * 1024
    fake = server(huge=size, chunked=chunked)
    engine = engine_for(fake, retries=4)
    with pytest.raises(EndpointError) as err:
        engine.generate([PROMPT], max_new_tokens=[40])
    assert str(err.value) == (
        f"endpoint {engine.endpoint}: the reply is larger than {reply_limit(40)} bytes, the "
        "most a reply of 40 tokens may take; nothing was written"
    )
    assert fake.requests == 1  # not retried
    time.sleep(0.5)
    assert fake.sent < size / 2  # the client hung up; what the socket buffers took, no more


def test_reading_a_200_mb_reply_holds_a_few_mb(server, no_key):
    """Peak memory of a real process offered 200 MB without a Content-Length: it grows by less
    than 32 MB (by 572 MB before the size bound)."""
    fake = server(huge=200_000_000, chunked=True)  # no Content-Length to refuse it by
    script = textwrap.dedent(f"""
        import resource
        from mt.engines import LLMOptions, load_engine
        engine = load_engine("m", llm=LLMOptions(endpoint={fake.url!r}, fallback_model="none"))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            engine.generate([{PROMPT!r}], max_new_tokens=[40])
        except Exception as e:
            print(type(e).__name__)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
    """)
    env = {k: v for k, v in os.environ.items() if k != "TRANSDESK_API_KEY"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=300, env=env
    )
    lines = done.stdout.decode().split()
    assert done.returncode == 0, done.stderr.decode()
    assert lines[0] == "EndpointError"
    assert int(lines[1]) < 32 * 1024  # KiB


@pytest.mark.parametrize("head", [True, False], ids=["trickled-head", "trickled-body"])
def test_a_trickling_reply_meets_the_deadline(server, no_key, head):
    fake = server(trickle=0.3, trickle_head=head)
    engine = engine_for(fake, timeout=1.0, retries=1)
    start = time.monotonic()
    with pytest.raises(EndpointError) as err:
        engine.generate([PROMPT], max_new_tokens=[40])
    elapsed = time.monotonic() - start
    assert str(err.value) == (
        f"endpoint {engine.endpoint}: no reply within 1 s after 2 tries; nothing was written"
    )
    assert fake.requests == 2
    assert elapsed < 2 * 1.0 + 0.5 + 1.0  # two tries, one backoff, some slack


# -- odd shapes ---------------------------------------------------------------------------

DEEP = 100_000
HOSTILE = {
    "nested-100k": b'{"choices": [{"message": {"content": "x"}, "x": '
    + b"[" * DEEP
    + b"]" * DEEP
    + b"}]}",
    "open-100k": b"[" * DEEP,
    "nested-in-string-ok-but-not-object": b'["[[[[[[[["]',
    "nan": b'{"choices": [{"message": {"content": "Fine."}, "x": NaN}]}',
    "surrogate": b'{"choices": [{"message": {"content": "Fine \\ud800."}}]}',
    "content-list": _reply(["Fine."]),
    "content-null": _reply(None),
    "choices-object": b'{"choices": {"message": {"content": "Fine."}}}',
    "choices-empty": b'{"choices": []}',
    "choice-string": b'{"choices": ["Fine."]}',
    "message-string": b'{"choices": [{"message": "Fine."}]}',
    "not-utf8": b'{"choices": [{"message": {"content": "\xff\xfe"}}]}',
    "huge-int": b'{"choices": [{"message": {"content": "x"}}], "n": 1' + b"0" * 5000 + b"}",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_shaped_reply_is_retried_then_one_line(server, no_key, name):
    fake = server(raw=HOSTILE[name])
    engine = engine_for(fake, retries=1)
    assert len(HOSTILE[name]) < reply_limit(1000)  # within the size bound: parsed, and refused
    with pytest.raises(EndpointError) as err:
        engine.generate([PROMPT], max_new_tokens=[1000])
    message = str(err.value)
    pattern = rf"endpoint {re.escape(engine.endpoint)}: malformed JSON in the reply( \(.+\))? "
    assert re.fullmatch(pattern + r"after 2 tries; nothing was written", message), message
    assert fake.requests == 2


LOGPROBS = {
    "1e400": b'{"content": [{"token": "a", "logprob": 1e400}]}',
    "-1e400": b'{"content": [{"token": "a", "logprob": -1e400}]}',
    "10^400": b'{"content": [{"token": "a", "logprob": -1' + b"0" * 400 + b"}]}",
    "list": b'[{"token": "a", "logprob": -0.5}]',
    "content-object": b'{"content": {"token": "a", "logprob": -0.5}}',
    "token-list": b'{"content": [["a", -0.5]]}',
    "string": b'{"content": [{"token": "a", "logprob": "-0.5"}]}',
    "bool": b'{"content": [{"token": "a", "logprob": true}]}',
    "positive": b'{"content": [{"token": "a", "logprob": 3.0}]}',
    "one-missing": b'{"content": [{"token": "a", "logprob": -0.5}, {"token": "b"}]}',
    "sum-overflows": b'{"content": [{"logprob": -1e308}, {"logprob": -1e308}]}',
    "number": b"-0.5",
}


@pytest.mark.parametrize("name", list(LOGPROBS))
def test_odd_logprobs_keep_the_text_and_give_no_score(server, no_key, name):
    body = b'{"choices": [{"message": {"content": "Fine."}, "logprobs": %s}]}' % LOGPROBS[name]
    fake = server(raw=body)
    [(text, score)] = engine_for(fake).generate([PROMPT], max_new_tokens=[40])
    assert text == "Fine." and math.isnan(score)


def test_good_logprobs_give_their_mean(server, no_key):
    tokens = [{"token": "a", "logprob": -0.5}, {"token": "b", "logprob": -1.5}]
    fake = server(raw=_reply("Fine.", logprobs={"content": tokens}))
    assert engine_for(fake).generate([PROMPT], max_new_tokens=[40]) == [("Fine.", -1.0)]


# -- through the CLI ----------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TRANSDESK_API_KEY"}
    env.update(extra)
    return env


def _translate(src, out, fake: FakeLLM, *extra: str, env: dict[str, str]):
    return run_cli_process(
        "translate", str(src), "-o", str(out), "--endpoint", fake.url, "--model", "m", "-q",
        "--fallback-model", "none", *extra, env=env,
    )  # fmt: skip


def _one_error_line(result) -> str:
    err = result.stderr.decode()
    assert "Traceback" not in err and not leaks(err + result.stdout.decode())
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]


def test_cli_key_with_a_windows_line_end_works_and_a_bad_key_is_one_line(server, tmp_path):
    fake = server(key=SECRET)
    src = tmp_path / "news.txt"
    src.write_text(f"{SENTENCE}\n", encoding="utf-8")
    out = tmp_path / "news.en.txt"
    good = _translate(src, out, fake, env=_env(TRANSDESK_API_KEY=f"{SECRET}\r\n"))
    assert good.returncode == 0, good.stderr.decode()
    assert out.read_text(encoding="utf-8") == answer_for(SENTENCE) + "\n"

    bad_out = tmp_path / "bad.en.txt"
    bad = _translate(src, bad_out, fake, env=_env(TRANSDESK_API_KEY=f"{SECRET[:12]}ü{SECRET}"))
    assert bad.returncode == 1
    assert _one_error_line(bad) == (
        "Error: TRANSDESK_API_KEY: the API key holds whitespace, a control character or a "
        f"non-ASCII character inside it (character 13 of {len(SECRET) + 13}); the key is not "
        "shown, check where it was copied from"
    )
    assert not bad_out.exists() and fake.requests == 1


@pytest.mark.parametrize("mode", ["echo-error", "echo-content", "huge", "nested"])
def test_cli_hostile_endpoint_is_one_line_without_the_key(server, tmp_path, mode):
    options = {
        "echo-error": {"echo_key": "error"},
        "echo-content": {"echo_key": "content"},
        "huge": {"huge": 100_000_000, "chunked": True},
        "nested": {"raw": HOSTILE["nested-100k"]},
    }[mode]
    fake = server(**options)
    src = tmp_path / "news.txt"
    src.write_text(f"{SENTENCE}\n", encoding="utf-8")
    out = tmp_path / "news.en.txt"
    result = _translate(src, out, fake, env=_env(TRANSDESK_API_KEY=SECRET))
    assert result.returncode == 4
    line = _one_error_line(result)
    assert line.startswith(f"Error: endpoint {fake.url.removesuffix('/v1')}: ")
    assert not out.exists()


def test_cli_timeout_bounds_a_trickling_reply(server, tmp_path):
    """`--timeout 1` against a reply sent a byte every 0.5 s: 5 tries of 1 s, the backoff
    between them (at most 7.5 s), and the start of the process."""
    fake = server(trickle=0.5)
    src = tmp_path / "news.txt"
    src.write_text(f"{SENTENCE}\n", encoding="utf-8")
    start = time.monotonic()
    result = _translate(src, tmp_path / "o.txt", fake, "--timeout", "1", env=_env())
    elapsed = time.monotonic() - start
    assert result.returncode == 4
    assert _one_error_line(result).endswith(
        "no reply within 1 s after 5 tries; nothing was written"
    )
    assert elapsed < 5 * 1 + 7.5 + 20


def test_cli_masks_the_key_in_a_bad_endpoint_url(tmp_path):
    src = tmp_path / "news.txt"
    src.write_text(f"{SENTENCE}\n", encoding="utf-8")
    result = run_cli(
        "translate", str(src), "-o", str(tmp_path / "o.txt"), "--endpoint",
        f"ftp://127.0.0.1/{SECRET}", "--model", "m", "-q", env={"TRANSDESK_API_KEY": SECRET},
    )  # fmt: skip
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: endpoint 'ftp://127.0.0.1/***': expected an http:// or https:// URL\n"
    )
