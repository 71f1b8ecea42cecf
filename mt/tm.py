"""Translation memory as drafting and the editor use it: TM drafts, fuzzy matches, TMX files.

The entries and their lookups are the store's (`mt.store.tm`: one entry per Korean source, the
latest English wins, `remember` on every approval, exact matches by the `tm_key` hash). This
module is what is done with them:

Drafting. `TMEngine` wraps an engine so that exactly matched sentences take the memory's English
(a draft with origin "tm") and only the others are sent to the model; `drafting_engine` adds the
desk glossary (`mt.termbase`) and `draft_row` gives a hypothesis's draft columns.

Fuzzy matches. `fuzzy_matches` scores entries with rapidfuzz's `fuzz.ratio` (normalised Indel
similarity of the keys' characters, 0-100; it counts word order and Korean particles, which
a post-editor has to fix). A ratio of at least r needs the shorter key to have at least
r / (200 - r) of the longer one's characters, so only entries in that length range are scored
(`mt.store.tm.key_candidates`, keys held in memory by length), with
`process.extract(..., score_cutoff=r)`. Each match carries a word diff (`mt.textdiff`) from
the memory's source to the current one, so the editor sees what differs.

TMX: `import_tmx` reads Korean-English `<tu>`s with `mt.formats.tmx.read_tmx` and adds them
(`mt.store.tm.add_pairs`); `export_tmx` writes every entry with `write_tmx`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mt.engines.base import EngineWrapper, Translator
from mt.errors import InputError

if TYPE_CHECKING:
    from mt.store.db import Store
    from mt.store.tm import TMEntryView, TMImportResult
    from mt.textdiff import DiffOp
    from mt.types import Hypothesis

__all__ = [
    "FUZZY_CUTOFF",
    "TM_DRAFT",
    "TMEngine",
    "TMMatch",
    "draft_row",
    "drafting_engine",
    "export_tmx",
    "fuzzy_matches",
    "import_tmx",
]

FUZZY_CUTOFF = 75.0
# What a translation-memory draft records instead of an engine's signature.
TM_DRAFT = {
    "engine": "tm",
    "model_id": "translation-memory",
    "revision": None,
    "beam": None,
    "compute_type": None,
    "max_length": None,
    "is_test_model": False,
    "generation": None,
}


@dataclass(frozen=True)
class TMMatch:
    """A fuzzy (or exact, score 100) match for a source.

    `diff` goes from the memory's source (`before`) to the current source (`after`).
    """

    entry: TMEntryView
    score: float
    diff: tuple[DiffOp, ...]

    @property
    def source(self) -> str:
        return self.entry.source

    @property
    def target(self) -> str:
        return self.entry.target


def import_tmx(
    store: Store, path: str | Path, *, replace_existing: bool = True, by: str | None = None
) -> TMImportResult:
    """Add the Korean-English units of a TMX file to the memory (see `mt.store.tm.add_pairs`).

    Raises:
        InputError: the file is unreadable, unsafe or not TMX, or has no Korean-English unit.
        PermissionDenied: accounts exist and `by` is not an admin.
    """
    from mt.formats.tmx import read_tmx
    from mt.store.tm import add_pairs

    pairs = read_tmx(path)
    if not pairs:
        raise InputError(f"{Path(path).name}: no unit with both Korean (ko) and English (en) text")
    return add_pairs(store, pairs, replace_existing=replace_existing, by=by)


def export_tmx(store: Store, out: str | Path) -> int:
    """Write every entry (oldest first) as a TMX 1.4 file; returns how many were written."""
    from mt.formats.tmx import write_tmx
    from mt.store.tm import tm_pairs

    pairs = tm_pairs(store)
    write_tmx(pairs, out)
    return len(pairs)


def _length_range(length: int, cutoff: float) -> tuple[int, int]:
    """Key lengths that can reach `cutoff` with fuzz.ratio against a key of `length`."""
    if cutoff <= 0:
        return 0, 2**31 - 1
    share = cutoff / (200.0 - cutoff)
    return math.ceil(length * share - 1e-9), math.floor(length / share + 1e-9)


def fuzzy_matches(
    store: Store,
    source: str,
    *,
    limit: int = 5,
    cutoff: float = FUZZY_CUTOFF,
    exclude_segment: int | None = None,
) -> list[TMMatch]:
    """The best entries for `source` scoring at least `cutoff` (0-100), best first.

    Arguments:
        limit: at most this many matches.
        exclude_segment: leave out the entry that segment's own approval made (an approved
            segment would otherwise match itself).
    """
    from rapidfuzz import fuzz, process

    from mt.store.tm import entries_by_id, key_candidates, tm_key
    from mt.textdiff import diff_words

    key = tm_key(source)
    if not key:
        return []
    candidates = key_candidates(store, *_length_range(len(key), cutoff))
    # One more than asked: the excluded segment's entry (at most one) may be among them.
    best = process.extract(key, candidates, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit + 1)
    if not best:
        return []
    entries = entries_by_id(
        store, [entry_id for _, _, entry_id in best], exclude_segment=exclude_segment
    )
    # Ties keep the most recent entry first.
    best = sorted((m for m in best if m[2] in entries), key=lambda m: (-m[1], -m[2]))[:limit]
    return [
        TMMatch(
            entries[entry_id],
            round(float(score), 1),
            tuple(diff_words(entries[entry_id].source, source)),
        )
        for _, score, entry_id in best
    ]


# --- drafting ---------------------------------------------------------------------------------


class TMEngine(EngineWrapper):
    """An engine that takes exact translation-memory matches instead of translating them.

    Matched sentences get the memory's English as a `Hypothesis` with origin "tm" (no model
    score: NaN, stored as none); the others go to the wrapped engine in one call, which is not
    made at all when every sentence matched. The rest of the interface (`signature`,
    `model_id`, ...) is the wrapped engine's.

    Arguments:
        exclude_document: ignore entries made by that document's own approvals (when it is
            drafted again).
    """

    def __init__(
        self, engine: Translator, store: Store, *, exclude_document: int | None = None
    ) -> None:
        super().__init__(engine)
        self.store = store
        self.exclude_document = exclude_document

    def translate(
        self,
        sentences: Sequence[str],
        *,
        progress: Callable[[int, int], None] | None = None,
        reuse: Sequence[bool] | None = None,
        approved: Mapping[str, str] | None = None,
        **options: Any,
    ) -> list[Hypothesis]:
        """One hypothesis per sentence, in order; `reuse[i]` False sends sentence i to the
        model whatever the memory holds (default: every sentence may be reused). An engine that
        drafts with the article's context (an LLM) sees all `sentences` as the article, with
        the memory's matches and `approved` (Korean → approved English) as approved English."""
        from mt.store.tm import exact_matches
        from mt.types import Hypothesis

        if reuse is not None and len(reuse) != len(sentences):
            raise ValueError(f"reuse has {len(reuse)} flags for {len(sentences)} sentences")
        allowed = [s for i, s in enumerate(sentences) if reuse is None or reuse[i]]
        found = exact_matches(self.store, allowed, exclude_document=self.exclude_document)
        out: list[Hypothesis | None] = [
            Hypothesis(found[s].target, math.nan, 0.0, origin="tm")
            if s in found and (reuse is None or reuse[i])
            else None
            for i, s in enumerate(sentences)
        ]
        todo = [i for i, h in enumerate(out) if h is None]
        hits = len(sentences) - len(todo)
        if todo:
            step = None
            if progress is not None:

                def step(done: int, total: int) -> None:
                    progress(done + hits, total + hits)

            with self.engine.article(
                sentences, approved={**{s: e.target for s, e in found.items()}, **(approved or {})}
            ):
                drafted = self.engine.translate(
                    [sentences[i] for i in todo], progress=step, **options
                )
            for i, h in zip(todo, drafted, strict=True):
                out[i] = h
        elif progress is not None:
            progress(hits, hits)
        return [h for h in out if h is not None]


def drafting_engine(
    store: Store, engine: Translator, *, exclude_document: int | None = None
) -> TMEngine:
    """`engine` as documents are drafted with it: exact TM matches first (`TMEngine`), and MT
    drafts post-corrected to the store's glossary (`GlossaryEngine`) when it has terms."""
    from mt.qa.glossary import GlossaryEngine
    from mt.termbase import store_glossary

    glossary = store_glossary(store)
    engine.use_glossary(glossary)  # an LLM puts the terms found in a sentence into its prompt
    if glossary is not None and not isinstance(engine, GlossaryEngine):
        engine = GlossaryEngine(engine, glossary)
    return TMEngine(engine, store, exclude_document=exclude_document)


def draft_row(hypothesis: Hypothesis, meta: dict[str, Any]) -> dict[str, Any]:
    """The draft columns of a hypothesis: the engine's `meta`, `TM_DRAFT` for a TM match, or,
    for an LLM's NMT fallback, the fallback engine's meta with the LLM's settings kept in
    `generation["fallback_for"]`."""
    if hypothesis.origin == "tm":
        return dict(TM_DRAFT)
    row = {k: v for k, v in meta.items() if k != "fallback"}
    row.setdefault("generation", None)
    if hypothesis.origin == "fallback" and meta.get("fallback"):
        row = {**meta["fallback"], "generation": {"fallback_for": meta.get("generation")}}
    return row
