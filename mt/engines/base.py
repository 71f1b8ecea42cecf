"""The engine interface (`Translator`) and the `Engine` base class, which owns the batching
workflow; backends fill `translate_batch`.

`Translator` is what drafting and the store read from an engine: `translate`, `signature()`,
the model's name, id, revision and test-model flag, an LLM's NMT fallback signature, and the
LLM's hooks for article context and glossary terms (no-ops for other engines). `Engine`
implements it; `EngineWrapper` implements it by delegating every member to a wrapped engine
(the translation-memory and glossary wrappers); `draft_meta` is what a draft records of it.

The workflow, shared by every backend:
- blank input is never sent to the model (Marian invents text for it);
- identical sentences are translated once;
- sentences longer than the model's input limit are split at clause boundaries, translated in
  pieces and joined, rather than silently truncated;
- unique sentences are sorted by token length and cut into batches by a token budget, so a
  batch holds sentences of similar length and padding stays small;
- the batch plan depends only on the input, so a resumed job re-creates the same batches and
  produces byte-identical output.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol, SupportsInt, cast

from mt.types import Hypothesis

Progress = Callable[[int, int], None]

# Where a long Korean (or English) sentence may be cut, best first: sentence punctuation,
# semicolons and commas, then Korean connective endings followed by a space.
_CLAUSE_BREAKS = [
    re.compile(r"[.!?。]\s+"),
    re.compile(r"[;:]\s+"),
    re.compile(r",\s+"),
    re.compile(r"(?:고|며|면서|지만|는데|은데|으나|니까|어서|아서|해서|도록|으며|거나)\s+"),
    re.compile(r"\s+"),
]


@dataclass(frozen=True)
class DecodingOptions:
    """Decoding settings recorded with every draft."""

    beam_size: int = 4
    max_input_tokens: int = 256
    max_length_ratio: float = 2.0
    max_length_extra: int = 10
    max_length_cap: int = 512
    no_repeat_ngram_size: int = 0  # 0 = off; the offline test model uses 1 (see build_test)

    def max_output_tokens(self, input_tokens: int) -> int:
        """The output length limit for a sentence of `input_tokens` source tokens."""
        limit = int(input_tokens * self.max_length_ratio) + self.max_length_extra
        return max(1, min(self.max_length_cap, limit))


@dataclass(frozen=True)
class Batch:
    """Indices into the unique-sentence list, and the batch's longest token count."""

    indices: tuple[int, ...]
    longest: int


def plan_batches(
    lengths: Sequence[int], *, batch_tokens: int, max_batch_size: int = 64
) -> list[Batch]:
    """Sort by length (stable) and cut into batches whose padded size fits `batch_tokens`."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    batches: list[Batch] = []
    current: list[int] = []
    longest = 0
    for i in order:
        n = max(1, lengths[i])
        new_longest = max(longest, n)
        if current and (
            new_longest * (len(current) + 1) > batch_tokens or len(current) >= max_batch_size
        ):
            batches.append(Batch(tuple(current), longest))
            current, new_longest = [], n
        current.append(i)
        longest = new_longest
    if current:
        batches.append(Batch(tuple(current), longest))
    return batches


def split_long(text: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
    """Split `text` into pieces of at most `limit` tokens at clause boundaries near the middle."""
    if count_tokens(text) <= limit:
        return [text]
    for pattern in _CLAUSE_BREAKS:
        cuts = [m.end() for m in pattern.finditer(text) if 0 < m.start() < len(text)]
        if cuts:
            middle = len(text) / 2
            cut = min(cuts, key=lambda c: abs(c - middle))
            left, right = text[:cut].rstrip(), text[cut:].lstrip()
            if left and right:
                return split_long(left, count_tokens, limit) + split_long(
                    right, count_tokens, limit
                )
    # No whitespace at all: cut by characters.
    half = len(text) // 2
    if half == 0:
        return [text]
    return split_long(text[:half], count_tokens, limit) + split_long(
        text[half:], count_tokens, limit
    )


class FoundTerm(Protocol):
    """A glossary term found in a sentence (an `mt.qa.glossary.TermMatch`)."""

    @property
    def term(self) -> str: ...

    @property
    def english(self) -> str: ...


class Terms(Protocol):
    """What an engine reads from a glossary (an `mt.qa.glossary.Glossary`)."""

    def __len__(self) -> int: ...

    def find_terms(self, source: str) -> Sequence[FoundTerm]: ...


class Translator(Protocol):
    """What drafting and the store read from an engine.

    Any object with these members is a translator; a class that names `Translator` as a base
    also inherits the defaults below (a signature made of its name, model and test-model flag;
    no fallback; no article context; glossary terms ignored).
    """

    name: str
    model_id: str
    revision: str | None
    is_test_model: bool

    def translate(
        self,
        sentences: Sequence[str],
        *,
        beam_size: int | None = None,
        batch_tokens: int | None = None,
        progress: Progress | None = None,
    ) -> list[Hypothesis]:
        """One Hypothesis per sentence, in order."""
        ...

    def translate_iterable(self, sentences: Iterable[str], **options: Any) -> Iterator[Hypothesis]:
        """Translate a stream (by default: all of it in one `translate` call)."""
        yield from self.translate(list(sentences), **options)

    def signature(self, beam_size: int | None = None) -> dict[str, object]:
        """What produced a draft (engine, model, revision, beam, ...), stored with it."""
        return {
            "engine": self.name,
            "model": self.model_id,
            "revision": self.revision,
            "test_model": self.is_test_model,
        }

    def fallback_signature(self) -> dict[str, object] | None:
        """An LLM's NMT fallback engine's signature once it has drafted something, else None."""
        return None

    def article(
        self, sentences: Sequence[str], *, approved: Mapping[str, str] | None = None
    ) -> AbstractContextManager[None]:
        """A scope in which `sentences` is the whole article being drafted (an LLM drafts each
        sentence with its neighbours as context); nothing for a sentence-level engine."""
        return nullcontext()

    def use_glossary(self, glossary: Terms | None) -> None:
        """Draft with `glossary`'s terms in view (an LLM puts them into its prompt); ignored
        by engines that translate sentences alone."""
        return None


class EngineWrapper(Translator):
    """A translator that adds behaviour around `engine` and passes every other member of
    `Translator` through to it, explicitly; subclasses override `translate` (and whatever else
    they change)."""

    def __init__(self, engine: Translator) -> None:
        self.engine = engine

    @property
    def name(self) -> str:
        return self.engine.name

    @name.setter
    def name(self, value: str) -> None:
        self.engine.name = value

    @property
    def model_id(self) -> str:
        return self.engine.model_id

    @model_id.setter
    def model_id(self, value: str) -> None:
        self.engine.model_id = value

    @property
    def revision(self) -> str | None:
        return self.engine.revision

    @revision.setter
    def revision(self, value: str | None) -> None:
        self.engine.revision = value

    @property
    def is_test_model(self) -> bool:
        return self.engine.is_test_model

    @is_test_model.setter
    def is_test_model(self, value: bool) -> None:
        self.engine.is_test_model = value

    def translate_iterable(self, sentences: Iterable[str], **options: Any) -> Iterator[Hypothesis]:
        return self.engine.translate_iterable(sentences, **options)

    def signature(self, beam_size: int | None = None) -> dict[str, object]:
        return self.engine.signature(beam_size)

    def fallback_signature(self) -> dict[str, object] | None:
        return self.engine.fallback_signature()

    def article(
        self, sentences: Sequence[str], *, approved: Mapping[str, str] | None = None
    ) -> AbstractContextManager[None]:
        return self.engine.article(sentences, approved=approved)

    def use_glossary(self, glossary: Terms | None) -> None:
        self.engine.use_glossary(glossary)


def draft_meta(engine: Translator) -> dict[str, Any]:
    """The draft columns that say what produced a draft (engine, model_id, revision, beam,
    compute_type, max_length, is_test_model, generation), from the engine's signature; an
    LLM's NMT fallback engine, once it has drafted, under "fallback"."""
    meta = _meta_of(engine.signature(), engine)
    fallback = engine.fallback_signature()
    if fallback:
        meta["fallback"] = _meta_of(fallback, None)
    return meta


def _meta_of(sig: Mapping[str, object], engine: Translator | None) -> dict[str, Any]:
    """Draft columns from a signature; what it lacks comes from `engine` (none for a fallback)."""
    beam = sig.get("beam")
    compute_type, max_length = sig.get("compute_type"), sig.get("max_length")
    return {
        "engine": str(sig.get("engine") or (engine.name if engine else "unknown")),
        "model_id": str(sig.get("model") or (engine.model_id if engine else "unknown")),
        "revision": sig.get("revision", engine.revision if engine else None),
        "beam": int(cast("SupportsInt", beam)) if beam is not None else None,
        "compute_type": str(compute_type) if compute_type else None,
        "max_length": str(max_length) if max_length is not None else None,
        "is_test_model": bool(sig.get("test_model", engine.is_test_model if engine else False)),
        "generation": sig.get("generation"),
    }


class Engine(Translator, ABC):
    """A loaded translation model. Subclasses implement `translate_batch` and `count_tokens`."""

    name: str = "base"

    def __init__(
        self,
        *,
        model_id: str,
        revision: str | None,
        is_test_model: bool,
        device: str,
        options: DecodingOptions | None = None,
        batch_tokens: int = 2048,
    ) -> None:
        self.model_id = model_id
        self.revision = revision
        self.is_test_model = is_test_model
        self.device = device
        self.options = options or DecodingOptions()
        self.batch_tokens = batch_tokens

    @abstractmethod
    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        """Source token counts, special tokens included."""

    @abstractmethod
    def translate_batch(
        self, sentences: Sequence[str], *, beam_size: int, max_output_tokens: Sequence[int]
    ) -> list[Hypothesis]:
        """Translate in order; one Hypothesis per (non-blank, short enough) input sentence.

        `max_output_tokens[i]` limits sentence i's output whatever else is in the batch, so a
        sentence translates the same alone as in any batch. Engines whose `plan_contexts`
        returns contexts also get `contexts=` (one per sentence).
        """

    def plan_contexts(self, sentences: Sequence[str]) -> Sequence[object] | None:
        """Per input sentence, what the engine needs besides the sentence (the article's
        headline and previous sentences for an LLM), or None: sentence-level engines need
        nothing. A pure function of the input, so a resumed job plans the same prompts."""
        return None

    # -- the workflow ------------------------------------------------------------------------

    def signature(self, beam_size: int | None = None) -> dict[str, object]:
        """What produced a draft: recorded with it so results are reproducible."""
        signature: dict[str, object] = {
            "engine": self.name,
            "model": self.model_id,
            "revision": self.revision,
            "beam": beam_size or self.options.beam_size,
            "compute_type": getattr(self, "compute_type", None),
            "max_input_tokens": self.options.max_input_tokens,
            "max_length": f"{self.options.max_length_ratio}x+{self.options.max_length_extra}",
            "test_model": self.is_test_model,
        }
        if self.options.no_repeat_ngram_size:
            signature["no_repeat_ngram_size"] = self.options.no_repeat_ngram_size
        return signature

    def prepare(self, sentences: Sequence[str]) -> Plan:
        """Deduplicate, drop blanks, split over-long sentences, and plan batches."""
        return Plan.build(self, sentences)

    def translate(
        self,
        sentences: Sequence[str],
        *,
        beam_size: int | None = None,
        batch_tokens: int | None = None,
        progress: Progress | None = None,
    ) -> list[Hypothesis]:
        """Translate sentences with the shared workflow; one Hypothesis per input, in order."""
        plan = Plan.build(self, sentences, batch_tokens=batch_tokens)
        results: dict[int, Hypothesis] = {}
        for batch_no, _ in enumerate(plan.batches):
            results.update(plan.run_batch(self, batch_no, beam_size=beam_size))
            if progress:
                progress(plan.sentences_done(batch_no), len(sentences))
        return plan.assemble(results)

    def translate_iterable(
        self, sentences: Iterable[str], *, chunk: int = 10000, **options: Any
    ) -> Iterator[Hypothesis]:
        """Translate a stream in chunks of `chunk` sentences (each chunk planned on its own)."""
        buffer: list[str] = []
        for sentence in sentences:
            buffer.append(sentence)
            if len(buffer) >= chunk:
                yield from self.translate(buffer, **options)
                buffer = []
        if buffer:
            yield from self.translate(buffer, **options)


@dataclass
class Plan:
    """The deterministic work list for one call: unique pieces, their batches, how to reassemble.

    `pieces` are the texts sent to the model; `parts[k]` lists the piece indices that make up
    the k-th unique sentence (more than one when it was split for length); `unique_of[i]` maps
    input i to its unique sentence, or -1 for blank input.
    """

    inputs: list[str]
    unique: list[str]
    unique_of: list[int]
    pieces: list[str]
    piece_lengths: list[int]
    parts: list[list[int]]
    batches: list[Batch]
    _done_inputs: list[int]
    piece_contexts: list[object] | None = None

    @classmethod
    def build(
        cls, engine: Engine, sentences: Sequence[str], *, batch_tokens: int | None = None
    ) -> Plan:
        inputs = list(sentences)
        index: dict[str, int] = {}
        unique: list[str] = []
        unique_of: list[int] = []
        for text in inputs:
            key = text.strip()
            if not key:
                unique_of.append(-1)
                continue
            if key not in index:
                index[key] = len(unique)
                unique.append(key)
            unique_of.append(index[key])
        lengths = engine.count_tokens(unique) if unique else []
        limit = engine.options.max_input_tokens
        pieces: list[str] = []
        parts: list[list[int]] = []
        piece_lengths: list[int] = []
        for text, n in zip(unique, lengths, strict=True):
            split = (
                [text]
                if n <= limit
                else split_long(text, lambda t: engine.count_tokens([t])[0], limit)
            )
            split_lengths = [n] if len(split) == 1 else engine.count_tokens(split)
            parts.append(list(range(len(pieces), len(pieces) + len(split))))
            pieces.extend(split)
            piece_lengths.extend(split_lengths)
        batches = plan_batches(piece_lengths, batch_tokens=batch_tokens or engine.batch_tokens)
        # How many inputs are complete after each batch, for progress reporting.
        piece_batch = [0] * len(pieces)
        for b, batch in enumerate(batches):
            for i in batch.indices:
                piece_batch[i] = b
        unique_batch = [max(piece_batch[p] for p in ps) for ps in parts]
        done_after = [0] * len(batches)
        for u in unique_of:
            if u >= 0:
                done_after[unique_batch[u]] += 1
        running, done_inputs = unique_of.count(-1), []
        for count in done_after:
            running += count
            done_inputs.append(running)
        piece_contexts: list[object] | None = None
        contexts = engine.plan_contexts(inputs)
        if contexts is not None:
            # A repeated sentence is drafted once, with the context of its first occurrence.
            first: dict[int, object] = {}
            for u, context in zip(unique_of, contexts, strict=True):
                if u >= 0:
                    first.setdefault(u, context)
            piece_contexts = [None] * len(pieces)
            for u, ps in enumerate(parts):
                for p in ps:
                    piece_contexts[p] = first[u]
        return cls(
            inputs,
            unique,
            unique_of,
            pieces,
            piece_lengths,
            parts,
            batches,
            done_inputs,
            piece_contexts,
        )

    def sentences_done(self, batch_no: int) -> int:
        """Inputs whose translation is complete once batches 0..batch_no are done."""
        return self._done_inputs[batch_no]

    def run_batch(
        self, engine: Engine, batch_no: int, *, beam_size: int | None = None
    ) -> dict[int, Hypothesis]:
        """Translate batch `batch_no`; returns piece index → Hypothesis."""
        batch = self.batches[batch_no]
        texts = [self.pieces[i] for i in batch.indices]
        extra = {}
        if self.piece_contexts is not None:
            extra["contexts"] = [self.piece_contexts[i] for i in batch.indices]
        hyps = engine.translate_batch(
            texts,
            beam_size=beam_size or engine.options.beam_size,
            max_output_tokens=[
                engine.options.max_output_tokens(self.piece_lengths[i]) for i in batch.indices
            ],
            **extra,
        )
        return dict(zip(batch.indices, hyps, strict=True))

    def assemble(self, results: dict[int, Hypothesis]) -> list[Hypothesis]:
        """Hypotheses for every input, in input order, from per-piece results."""
        per_unique: list[Hypothesis] = []
        for ps in self.parts:
            hyps = [results[p] for p in ps]
            if len(hyps) == 1:
                per_unique.append(hyps[0])
                continue
            per_unique.append(
                Hypothesis(
                    text=" ".join(h.text for h in hyps if h.text),
                    score=sum(h.score for h in hyps) / len(hyps),
                    time_ms=sum(h.time_ms for h in hyps),
                    origin=hyps[0].origin,
                )
            )
        blank = Hypothesis(text="", score=0.0, time_ms=0.0, origin="blank")
        return [per_unique[u] if u >= 0 else blank for u in self.unique_of]
