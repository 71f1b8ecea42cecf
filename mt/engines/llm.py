"""The `LLMEngine` base: drafting with an instruction-tuned LLM behind the `Engine` interface.

The base class owns what every LLM backend shares; backends fill `generate` (conversations in,
response texts out) and `count_tokens`:

- each sentence gets its context from `plan_contexts` (the article's headline, the previous
  sentences with their approved English) and the glossary terms that occur in it, rendered with
  the family's prompt template (`mt.engines.prompting`);
- every response is validated (`clean_response`); a response that breaks the output contract is
  asked for once more, with the reason; a second failure takes the NMT fallback engine's draft,
  with origin ``"fallback"``;
- decoding is greedy at temperature 0 (the default), so a draft is reproducible; beam search is
  not used for LLMs.
"""

from __future__ import annotations

import copy
import threading
import time
from abc import abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

from mt.engines.base import DecodingOptions, Engine, Terms, Translator
from mt.engines.prompting import (
    DEFAULT_CONTEXT,
    Context,
    InvalidResponse,
    PromptTemplate,
    build_contexts,
    clean_response,
)
from mt.errors import ModelError, TransdeskError
from mt.types import Hypothesis

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase


# Korean is 1-2 tokens a syllable in most LLM vocabularies and English output is rarely longer
# in tokens than the Korean; a headroom of 16 tokens covers short sentences.
LLM_OPTIONS = DecodingOptions(
    beam_size=1, max_input_tokens=512, max_length_ratio=2.5, max_length_extra=16
)
FALLBACK_ORIGIN = "fallback"
_RETRY = (
    "That reply broke the output contract ({reason}). Reply again with only the English "
    "translation of the Korean sentence, on one line."
)


@dataclass(frozen=True)
class LLMSettings:
    """How an LLM drafts: prompt template, temperature, context window, fallback engine.

    `fallback` is an engine, a callable that loads one on first use, or None (then a sentence
    whose response fails validation twice is an error). `fallback_name` names it in signatures.
    """

    prompt: PromptTemplate
    temperature: float = 0.0
    context: int = DEFAULT_CONTEXT
    fallback: Translator | Callable[[], Translator] | None = None
    fallback_name: str | None = None
    validate: bool = True
    seed: int = 0


class LLMEngine(Engine):
    """Draft with an instruction-tuned LLM; subclasses implement `generate` and `count_tokens`."""

    family = "causal-lm"

    def __init__(
        self,
        *,
        model_id: str,
        revision: str | None,
        is_test_model: bool,
        device: str,
        settings: LLMSettings,
        batch_tokens: int = 2048,
    ) -> None:
        super().__init__(
            model_id=model_id,
            revision=revision,
            is_test_model=is_test_model,
            device=device,
            options=LLM_OPTIONS,
            batch_tokens=batch_tokens,
        )
        if settings.temperature < 0:
            raise TransdeskError(f"temperature must be 0 or more, not {settings.temperature}")
        if settings.context < 0:
            raise TransdeskError(f"context must be 0 or more sentences, not {settings.context}")
        self.settings = settings
        self.glossary: Terms | None = None
        self.approved: dict[str, str] = {}
        self._fallback: Translator | None = None
        self._local = threading.local()  # the article being drafted, per thread
        self.generated_tokens = 0  # by the last `generate` call (local backends; benchmarks)

    # -- what the desk knows ---------------------------------------------------------------

    def use_glossary(self, glossary: Terms | None) -> None:
        """Put the terms of `glossary` (an `mt.qa.glossary.Glossary`) that occur in a sentence
        into its prompt."""
        self.glossary = glossary

    def with_prompt(self, prompt: PromptTemplate) -> LLMEngine:
        """This engine drafting with `prompt` instead: a copy sharing the loaded model (the
        web app's shared engine, with the desk's template of the moment)."""
        if prompt.sha256 == self.settings.prompt.sha256:
            return self
        other = copy.copy(self)
        other.settings = replace(self.settings, prompt=prompt)
        other._local = threading.local()
        return other

    def add_approved(self, pairs: Mapping[str, str]) -> None:
        """Approved English of Korean sentences, given as context to the sentences after them."""
        self.approved.update(pairs)

    @contextmanager
    def article(
        self, sentences: Sequence[str], *, approved: Mapping[str, str] | None = None
    ) -> Iterator[None]:
        """Draft within `sentences`, the whole article in reading order, while the block runs:
        a caller that sends only some of them to the engine (the others matched the translation
        memory) still gets each sentence's real neighbours and headline as context, with
        `approved` (Korean → approved English) beside them."""
        previous = getattr(self._local, "article", None)
        self._local.article = (list(sentences), dict(approved or {}))
        try:
            yield
        finally:
            self._local.article = previous

    def plan_contexts(self, sentences: Sequence[str]) -> list[Context]:
        window = self.settings.context
        current = getattr(self._local, "article", None)
        own = build_contexts(sentences, window=window, approved=self.approved)
        if current is None:
            return own
        article, approved = current
        full = build_contexts(article, window=window, approved={**self.approved, **approved})
        first: dict[str, Context] = {}
        for text, context in zip(article, full, strict=True):
            first.setdefault(text.strip(), context)
        return [first.get(s.strip(), c) for s, c in zip(sentences, own, strict=True)]

    # -- backends --------------------------------------------------------------------------

    @abstractmethod
    def generate(
        self, conversations: Sequence[list[dict[str, str]]], *, max_new_tokens: Sequence[int]
    ) -> list[tuple[str, float]]:
        """One (response text, mean token log-probability or NaN) per conversation, in order."""

    def generation_info(self) -> dict[str, object]:
        """What made a draft, stored with it: family, model, prompt hash, temperature, context."""
        return {
            "family": self.family,
            "model": self.model_id,
            "revision": self.revision,
            "prompt": self.settings.prompt.name,
            "prompt_sha256": self.settings.prompt.sha256,
            "temperature": self.settings.temperature,
            "context_sentences": self.settings.context,
        }

    def signature(self, beam_size: int | None = None) -> dict[str, object]:
        signature = super().signature(1)
        signature.update(
            generation=self.generation_info(),
            fallback=self.settings.fallback_name,
            validate=self.settings.validate,
            glossary_terms=len(self.glossary) if self.glossary is not None else 0,
            approved_context=len(self.approved),
        )
        return signature

    # -- fallback --------------------------------------------------------------------------

    def fallback_engine(self) -> Translator:
        """The NMT engine that drafts what the LLM could not (loaded on first use)."""
        if self._fallback is None:
            fallback = self.settings.fallback
            if fallback is None:
                raise ModelError(
                    "no NMT fallback model is set for the sentences whose LLM reply failed "
                    "validation"
                )
            # An engine, or a loader called now: most documents never need the fallback.
            self._fallback = fallback() if callable(fallback) else fallback
        return self._fallback

    def fallback_signature(self) -> dict[str, object] | None:
        """The fallback engine's signature once it has drafted something, else None."""
        return self._fallback.signature() if self._fallback is not None else None

    # -- the batch -------------------------------------------------------------------------

    def translate_batch(
        self,
        sentences: Sequence[str],
        *,
        beam_size: int,
        max_output_tokens: Sequence[int],
        contexts: Sequence[Context | None] | None = None,
    ) -> list[Hypothesis]:
        if not sentences:
            return []
        start = time.perf_counter()
        contexts = contexts or [None] * len(sentences)
        conversations = [
            self.settings.prompt.messages(s, c or Context(), glossary=self.glossary)
            for s, c in zip(sentences, contexts, strict=True)
        ]
        responses = self.generate(conversations, max_new_tokens=max_output_tokens)
        texts: list[str | None] = [None] * len(sentences)
        scores = [r[1] for r in responses]
        failed: dict[int, str] = {}
        for i, (raw, _) in enumerate(responses):
            try:
                texts[i] = self._check(raw, sentences[i], conversations[i])
            except InvalidResponse as e:
                failed[i] = str(e)
        if failed:
            order = sorted(failed)
            retries = [
                [
                    *conversations[i],
                    {"role": "assistant", "content": responses[i][0]},
                    {"role": "user", "content": _RETRY.format(reason=failed[i])},
                ]
                for i in order
            ]
            again = self.generate(retries, max_new_tokens=[max_output_tokens[i] for i in order])
            for i, (raw, score) in zip(order, again, strict=True):
                try:
                    texts[i] = self._check(raw, sentences[i], conversations[i])
                    scores[i] = score
                    del failed[i]
                except InvalidResponse as e:
                    failed[i] = str(e)
        fallback: dict[int, Hypothesis] = {}
        if failed:
            order = sorted(failed)
            drafted = self.fallback_engine().translate([sentences[i] for i in order])
            fallback = {
                i: Hypothesis(h.text, h.score, h.time_ms, origin=FALLBACK_ORIGIN)
                for i, h in zip(order, drafted, strict=True)
            }
        elapsed_ms = (time.perf_counter() - start) * 1000 / len(sentences)
        return [
            fallback[i]
            if i in fallback
            else Hypothesis(
                text=texts[i] or "",
                score=scores[i],
                time_ms=elapsed_ms,
            )
            for i in range(len(sentences))
        ]

    def _check(self, raw: str, sentence: str, messages: list[dict[str, str]]) -> str:
        if not self.settings.validate:
            return " ".join(raw.split())
        names = [m.term for m in self.glossary.find_terms(sentence)] if self.glossary else []
        return clean_response(raw, sentence=sentence, messages=messages, names=names)


def chat_prompt(tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]]) -> str:
    """The model's own chat template applied to `messages`, ready for the reply. A template
    without a system role (Gemma's older ones) gets the system text at the top of the first
    user message."""
    try:
        # tokenize=False: the rendered text, a str
        return cast(
            str,
            tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True),
        )
    except Exception as e:  # jinja raises TemplateError for an unsupported role
        if messages and messages[0]["role"] == "system":
            merged = [
                {
                    "role": "user",
                    "content": f"{messages[0]['content']}\n\n{messages[1]['content']}",
                },
                *messages[2:],
            ]
            return chat_prompt(tokenizer, merged)
        raise ModelError(f"the model's chat template cannot render the prompt ({e})") from None


def needs_chat_template(tokenizer: PreTrainedTokenizerBase, model_dir: object) -> None:
    """Refuse a model without a chat template: a base model cannot follow the prompt."""
    if not getattr(tokenizer, "chat_template", None):
        raise ModelError(
            f"{model_dir}: the tokenizer has no chat template; use an instruction-tuned model"
        )
