"""Drafting: a Korean article becomes a stored document with machine drafts (segment →
translation memory → glossary → MT → store), from text, from a file's bytes or from a path;
a document is drafted again by another model; its text is rebuilt from its segments.

Which segments get no draft (from scratch) and which model drafts the others (model A/B) are
both drawn at random from a seed, so a study can be repeated.

From scratch (the DivEMT design): ``round(share × segments)`` segments, drawn with
``random.Random(seed).sample``, get an empty draft with origin ``scratch``: the editor
translates them without MT, and reports compare words per hour with and without it. They are
never sent to the model or the translation memory.

Model A/B: the remaining segments are shuffled with the same generator and dealt to the
models in turn, so each model drafts a random half (third, ...) of them; each draft records
its own model. One model means every remaining segment is that model's.

An article without a title takes one rule everywhere (`default_title`): its first line when
that reads like a headline, else the file's name, else "Untitled".
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath
from typing import Any, cast

from mt.engines.base import Translator, draft_meta
from mt.errors import InputError, InvalidValue
from mt.store.db import Store
from mt.store.documents import (
    DRAFT_ORIGINS,
    SCRATCH_DRAFT,
    NewDraft,
    document_layout,
    document_sources,
    insert_document,
    require_account,
    store_retranslation,
)
from mt.store.guards import nfc
from mt.types import Hypothesis

Progress = Callable[[int, int], None]
TITLE_LENGTH = 120  # a first line longer than this is not a headline


def check_share(share: float) -> float:
    """A from-scratch share as a fraction 0-1; InvalidValue otherwise."""
    try:
        value = float(share)
    except (TypeError, ValueError):
        raise InvalidValue(f"from-scratch share {share!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise InvalidValue(f"from-scratch share {value:g} must be between 0 and 1 (e.g. 0.3)")
    return value


def assign(n: int, *, models: int = 1, scratch_share: float = 0.0, seed: int | None = 0) -> list:
    """For each of `n` segments: the index of the model that drafts it, or None (from scratch).

    Reproducible: the same (n, models, share, seed) always gives the same assignment.
    """
    if models < 1:
        raise InvalidValue("at least one model is needed to draft")
    rng = random.Random(seed)
    share = check_share(scratch_share)
    scratch = set(rng.sample(range(n), round(share * n))) if share else set()
    rest = [i for i in range(n) if i not in scratch]
    out: list[int | None] = [None] * n
    if models == 1:
        for i in rest:
            out[i] = 0
        return out
    rng.shuffle(rest)
    for j, i in enumerate(rest):
        out[i] = j % models
    return out


def draft_segments(
    engines: Sequence[Translator],
    sources: Sequence[str],
    assignment: Sequence[int | None],
    meta_of: Callable[[Translator], dict[str, Any]],
    *,
    progress: Progress | None = None,
) -> list[tuple[Any, dict[str, Any]] | None]:
    """Translate each segment with its assigned engine: (hypothesis, draft meta) per segment,
    None for from-scratch ones. Each engine translates its share in one call."""
    out: list[tuple[Any, dict[str, Any]] | None] = [None] * len(sources)
    total = sum(a is not None for a in assignment)
    done = 0
    for k, engine in enumerate(engines):
        idx = [i for i, a in enumerate(assignment) if a == k]
        if not idx:
            continue

        def step(d: int, _t: int, base: int = done) -> None:
            if progress:
                progress(base + d, total)

        hyps = engine.translate([sources[i] for i in idx], progress=step)
        meta = meta_of(engine)
        for i, h in zip(idx, hyps, strict=True):
            out[i] = (h, meta)
        done += len(idx)
    if progress and total:
        progress(total, total)
    return out


def new_draft(hypothesis: Hypothesis, meta: dict[str, Any]) -> NewDraft:
    """The draft to store for an engine's hypothesis (`meta` from `draft_meta`): a TM match
    as the translation memory's, an LLM's NMT fallback as the fallback engine's."""
    from mt.tm import draft_row

    origin = hypothesis.origin if hypothesis.origin in DRAFT_ORIGINS else "mt"
    return NewDraft(
        text=hypothesis.text,
        origin=origin,
        score=hypothesis.score,
        time_ms=hypothesis.time_ms,
        **draft_row(hypothesis, meta),
    )


def default_title(filename: str | None, text: str) -> str:
    """The title of an article given none: its first line when it reads like a headline (at
    most `TITLE_LENGTH` characters), else the file name without its extension, else the
    start of the first line, else "Untitled"."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first and len(first) <= TITLE_LENGTH:
        return first
    if filename:
        return PurePath(filename).stem[:TITLE_LENGTH] or "Untitled"
    return first[:TITLE_LENGTH] or "Untitled"


def _engines(engine: Translator | Sequence[Translator] | None) -> list[Translator]:
    """The drafting models given: none, one, or several (model A/B: each drafts a random share)."""
    if engine is None:
        return []
    if isinstance(engine, list | tuple):
        return list(engine)
    return [cast("Translator", engine)]


def create_document(
    store: Store,
    text: str,
    *,
    title: str | None = None,
    engine: Translator | Sequence[Translator] | None,
    created_by: str,
    filename: str | None = None,
    file_format: str = "txt",
    segment_mode: str = "sentence",
    progress: Progress | None = None,
    from_scratch: float = 0.0,
    seed: int | None = 0,
) -> int:
    """Segment `text`, draft every segment with `engine`, store it all; returns the document id.

    Arguments:
        text: the Korean article (NFC-normalised here); paragraphs are kept (see `mt.segment`).
        title: the title; empty or None: `default_title`.
        engine: an `mt.engines` engine (its `translate` and `signature()` are used), a list of
            engines (model A/B: each segment drafted by one of them at random, see `assign`),
            or None to store the document without drafts.
        created_by: editor name (created if missing, unless accounts exist).
        segment_mode: "sentence" (kiwipiepy) or "line".
        progress: called with (done, total) while translating.
        from_scratch: share (0-1) of segments, drawn at random, left without a draft
            (origin "scratch", empty target) for the editor to translate from scratch.
        seed: seeds the from-scratch draw and the model assignment (reproducible).

    Raises:
        InputError: the text has no segment; InvalidValue: the share is not between 0 and 1.
        PermissionDenied: accounts exist and `created_by` has none.
    """
    from mt.segment import segment
    from mt.tm import drafting_engine

    title = nfc(title or "", "title").strip()
    title = title or nfc(default_title(filename, text), "title").strip()
    require_account(store, created_by)  # refuse a stranger before minutes of translation
    seg = segment(nfc(text, filename or title), mode=segment_mode)
    if not seg.segments:
        raise InputError(f"{filename or title}: no text to translate")
    sources = [s.text for s in seg.segments]
    share = check_share(from_scratch)
    engines = _engines(engine)
    drafts: list[NewDraft | None] | None = None
    model_id = None
    if engines:  # exact translation-memory matches, then MT held to the glossary
        wrapped = [drafting_engine(store, e) for e in engines]
        plan = assign(len(sources), models=len(wrapped), scratch_share=share, seed=seed)
        drafted = draft_segments(wrapped, sources, plan, draft_meta, progress=progress)
        drafts = [new_draft(*d) if d else SCRATCH_DRAFT for d in drafted]
        models = list(dict.fromkeys(m["model_id"] for _, m in filter(None, drafted)))
        model_id = ", ".join(models) if models else None
    return insert_document(
        store,
        title=title,
        created_by=created_by,
        segments=seg.segments,
        trailing=seg.trailing,
        drafts=drafts,
        model_id=model_id,
        filename=filename,
        file_format=file_format,
        segment_mode=segment_mode,
    )


def import_file(
    store: Store,
    source: bytes | str | Path,
    *,
    name: str | None = None,
    title: str | None = None,
    engine: Translator | Sequence[Translator] | None,
    created_by: str,
    segment_mode: str = "sentence",
    progress: Progress | None = None,
    format: str | None = None,
    field: str | None = None,
    column: str | None = None,
    from_scratch: float = 0.0,
    seed: int | None = 0,
    force_source_language: bool = False,
    overwrite: frozenset[str] = frozenset(),
) -> int:
    """Read a file (a path, or its bytes and `name`: a web upload) with `mt.formats` and
    `create_document` from it (`title`, `engine`, `from_scratch` and `seed` as there).

    A file whose source is not Korean is refused (NotKorean) unless `force_source_language`;
    every source of a TMX file is imported, whether or not it has a target. An XLIFF file is a
    client's (`mt.exchange.client`): its segments, ids, notes, translations (human drafts, unless
    their state is in `overwrite`) and approvals are kept, and so is the file itself.

    A plain-text file is segmented as decoded, so its paragraphs and blank lines come back in
    `document_text`; in other formats each unit (Word paragraph, JSONL field, CSV cell, XLIFF
    source) is one paragraph.

    Raises:
        InputError: the file cannot be read or holds no text (message names the file).
    """
    from mt import formats
    from mt.formats.encoding import decode
    from mt.formats.existing import ANY, APPROVALS

    read: Callable[[], bytes]
    if isinstance(source, bytes):
        if name is None:
            raise TypeError("import_file needs the name of a file given as bytes")
        data = source
        parsed = formats.read_bytes(
            data, name, format=format, field=field, column=column,
            overwrite=APPROVALS | {ANY}, force_source_language=force_source_language,
        )  # fmt: skip
        filename, read = PurePath(name).name, lambda: data
    else:
        path = Path(source)
        parsed = formats.read(
            path, format=format, field=field, column=column,
            overwrite=APPROVALS | {ANY}, force_source_language=force_source_language,
        )  # fmt: skip
        filename, read = path.name, path.read_bytes
    units_text = "\n\n".join(unit.text for unit in parsed.units)
    if parsed.format == "xliff":
        from mt.exchange.client import import_client_xliff

        engines = _engines(engine)
        if len(engines) > 1:
            raise InvalidValue(
                f"{filename}: a client's XLIFF is drafted by one model; compare models on a "
                "plain article (txt, docx, jsonl, csv)"
            )
        return import_client_xliff(
            store, read(), filename,
            title=(title or "").strip() or default_title(filename, units_text),
            engine=engines[0] if engines else None,
            created_by=created_by, overwrite=overwrite, progress=progress,
        )  # fmt: skip
    text = decode(read(), filename)[0] if parsed.format == "txt" else units_text
    return create_document(
        store,
        text,
        title=title,
        engine=engine,
        created_by=created_by,
        filename=filename,
        file_format=parsed.format,
        segment_mode=segment_mode,
        progress=progress,
        from_scratch=from_scratch,
        seed=seed,
    )


def retranslate_document(
    store: Store,
    doc_id: int,
    *,
    engine: Translator,
    progress: Progress | None = None,
    editor: str | None = None,
) -> None:
    """Draft every segment again with `engine`, keeping the earlier drafts.

    Segments nobody has touched (status "draft") take the new draft as their target (an
    `import` event, client "cli", by `editor` or else the document's creator), except a
    client's own translations (human drafts), which are kept; edited and
    approved segments keep their text and the draft they were edited from, and the new draft
    is kept (and scored against their current text) for model comparison in reports.

    Raises:
        NotFound: no such document.
    """
    from mt.scoring import cache_pair_stats
    from mt.tm import drafting_engine

    rows = document_sources(store, doc_id)
    # Untouched segments may take exact matches from other documents' approvals; edited and
    # approved ones are drafted by the model, so models are compared on the same edits.
    engine = drafting_engine(store, engine, exclude_document=doc_id)
    hyps = engine.translate(
        [r.source for r in rows],
        progress=progress,
        reuse=[r.status == "draft" for r in rows],
        approved={r.source: r.target for r in rows if r.status == "approved"},
    )
    meta = draft_meta(engine)
    scored = store_retranslation(
        store, doc_id, [new_draft(h, meta) for h in hyps], editor=editor, model_id=meta["model_id"]
    )
    if scored:
        cache_pair_stats(store, scored)


def apply_scratch(
    store: Store, doc_id: int, share: float, *, seed: int | None = 0, by: str, client: str = "cli"
) -> int:
    """Make a random share (0-1) of document `doc_id`'s untouched segments from scratch, drawn
    with `seed` as an import draws (see `mt.store.scratch`); returns how many segments were
    changed (already-scratch ones are not).

    Raises:
        InvalidValue: share not between 0 and 1; NotFound: no such document;
        PermissionDenied: `by` may not (`mt.permissions` action ``scratch``);
        WorkflowError: the article is published.
    """
    from mt.store.scratch import scratch_segments

    share = check_share(share)

    def pick(n: int) -> list[bool]:
        return [a is None for a in assign(n, scratch_share=share, seed=seed)]

    return scratch_segments(store, doc_id, pick, by=by, client=client)


def document_text(store: Store, doc_id: int, *, which: str = "target") -> str:
    """The whole article with its paragraphs: `which` is "target", "draft" or "source".

    The source comes back exactly as imported (after NFC); translations are laid out by
    `mt.segment.join_translation` (sentences of a paragraph joined by one space).
    """
    from mt.segment import Segmentation, join_translation, rebuild

    if which not in ("target", "draft", "source"):
        raise InvalidValue(f"unknown text {which!r} (choose from: target, draft, source)")
    segments, trailing, targets, drafts = document_layout(store, doc_id)
    seg = Segmentation(segments, trailing)
    if which == "source":
        return rebuild(seg)
    return join_translation(seg, targets if which == "target" else [d or "" for d in drafts])
