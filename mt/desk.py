"""The desk's shared QA state: house style, established name forms, and article indexes.

Settings are stored by `mt.store.settings`, the TM rows mined and the segment texts indexed are
read through `mt.store.tm` and `mt.store.document_rows`; this module holds the rules and caches.

- **House style**: the shipped default (`mt.qa.style`) unless an admin stored an override in
  Settings (`set_desk_style`; table desk_setting, key ``style``).
- **LLM prompt**: the prompt template every LLM draft of the desk uses unless ``--prompt FILE``
  is given, stored by an admin in Settings (`set_desk_prompt`; key ``llm_prompt``), checked by
  the rules of a template file; None means the model family's template.
- **Established forms** (`desk_forms`): the glossary's renderings, and the renderings mined from
  the translation memory (`mt.qa.terms.TermMiner`, at least two consistent pairs). The miner is
  kept per database and fed only the TM rows added or changed since its last look, so a save
  does not re-read the whole memory (its most recent `MAX_MINED` rows are mined).
- **Article indexes** (`article_index`): one `mt.qa.consistency.ArticleIndex` per document,
  built on first use and updated with every save this process makes (`document_findings`);
  the editor's aids bring it up to date with the targets it has loaded (`ArticleIndex.sync`).

`document_findings` is what the store keeps with every save: the article-level findings
(``consistency`` and ``style``) of one segment's new text.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, TypeVar

from mt.errors import InputError
from mt.qa.consistency import ArticleIndex, DeskForms, NameSuggestion
from mt.qa.findings import Finding
from mt.qa.style import Style, check_style, load_style, parse_style
from mt.qa.terms import TermMiner, TermSuggestion
from mt.termbase import session_glossary

if TYPE_CHECKING:
    from mt.store.db import Session, Store

__all__ = [
    "MAX_MINED",
    "accept_suggestions",
    "article_index",
    "desk_forms",
    "desk_prompt_text",
    "desk_style",
    "desk_style_text",
    "document_findings",
    "segment_article_aids",
    "set_desk_prompt",
    "set_desk_style",
    "suggest_terms",
]

MAX_MINED = 20_000
_STYLE_KEY = "style"
_PROMPT_KEY = "llm_prompt"
_lock = threading.RLock()
T = TypeVar("T")
_miners: dict[tuple[str, int], tuple[TermMiner, tuple]] = {}
# document → (index, position → row, newest segment change applied)
_indexes: dict[tuple[str, int, int], list[Any]] = {}
_desks: dict[tuple[str, int], tuple[tuple, DeskForms]] = {}
_styles: dict[tuple[str, int], tuple[Any, Style]] = {}


def _key(session: Session) -> tuple[str, int]:
    bind = session.get_bind().engine  # the Engine itself (a Connection names its Engine)
    return (str(bind.url), id(bind.pool))


# --- house style ---------------------------------------------------------------------------------


def desk_style_text(store: Store) -> str | None:
    """The desk's stored style TOML, or None when the desk uses the shipped default."""
    from mt.store.settings import get_setting

    return get_setting(store, _STYLE_KEY)


def _stamped(cache: dict[Any, tuple[Any, T]], key: Any, stamp: Any, build: Callable[[], T]) -> T:
    """`cache[key]`'s value while its stamp is `stamp`; else `build()`, kept under the new
    stamp. Built outside the lock: two sessions may build at once, and the last one is kept."""
    with _lock:
        cached = cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    value = build()
    with _lock:
        cache[key] = (stamp, value)
    return value


def _session_style(session: Session) -> Style:
    from mt.store.settings import session_setting

    value = session_setting(session, _STYLE_KEY)
    return _stamped(
        _styles,
        _key(session),
        (value,),
        lambda: parse_style(value, "desk style") if value is not None else load_style(),
    )


def desk_style(store: Store) -> Style:
    """The desk's house style: the stored override, or the shipped default."""
    with store.session() as session:
        return _session_style(session)


def set_desk_style(store: Store, text: str | None, *, by: str | None = None) -> None:
    """Store `text` (style TOML) as the desk's house style; None or blank goes back to the
    default.

    Raises:
        InputError: the text is not a valid style. PermissionDenied: accounts exist and `by` is
            not an admin.
    """
    from mt.store.settings import put_setting

    if text is not None and text.strip():
        parse_style(text, "desk style")  # refuse a bad file before storing it
    else:
        text = None
    put_setting(store, _STYLE_KEY, text, by=by, action="change the house style")


# --- LLM prompt ----------------------------------------------------------------------------------


def desk_prompt_text(store: Store) -> str | None:
    """The desk's stored LLM prompt template, or None when drafts use the family's template."""
    from mt.store.settings import get_setting

    return get_setting(store, _PROMPT_KEY)


def set_desk_prompt(store: Store, text: str | None, *, by: str | None = None) -> None:
    """Store `text` as the desk's LLM prompt template; None or blank goes back to the family's.

    Raises:
        InputError: the text is not a valid template (the rules of ``--prompt FILE``: a
            ``=== user`` section that uses ``$sentence``). PermissionDenied: accounts exist
            and `by` is not an admin.
    """
    from mt.engines.prompting import PromptTemplate
    from mt.store.settings import put_setting

    if text is not None and text.strip():
        PromptTemplate.parse(text, name="LLM prompt")  # refuse a bad template before storing it
    else:
        text = None
    put_setting(
        store,
        _PROMPT_KEY,
        text,
        by=by,
        action="change the LLM prompt",
        permission="llm_prompt",
    )


# --- established forms ---------------------------------------------------------------------------


def _session_miner(session: Session) -> TermMiner:
    from mt.store.tm import recent_pairs, tm_stamp

    key = _key(session)
    stamp = tm_stamp(session)
    with _lock:
        cached = _miners.get(key)
        if cached is not None and cached[1] == stamp:
            return cached[0]
        miner, old = cached if cached is not None else (TermMiner(), (0, None, None))
        since = None
        if old[0] and stamp[0] >= old[0] and old[2] is not None:
            # Only rows added or changed since the last look (nothing was deleted).
            since = old[2]
        else:
            miner = TermMiner()
        rows = recent_pairs(session, changed_since=since, limit=MAX_MINED)
        for row_id, source, target in reversed(rows):  # oldest first: examples in TM order
            miner.add(row_id, source, target)
        _miners[key] = (miner, stamp)
        return miner


def _session_desk(session: Session) -> DeskForms:
    glossary = session_glossary(session)
    miner = _session_miner(session)
    stamp = (id(glossary), miner.version)
    return _stamped(_desks, _key(session), stamp, lambda: DeskForms.build(glossary, miner.forms()))


def desk_forms(store: Store) -> DeskForms:
    """The desk's established forms: the glossary's, then those mined from the TM."""
    with store.session() as session:
        return _session_desk(session)


def suggest_terms(store: Store, *, min_count: int = 2) -> list[TermSuggestion]:
    """Korean terms and the English the desk gave them consistently in approved pairs (the
    translation memory), most frequent first; terms the glossary already has are left out."""
    if min_count < 1:
        raise InputError("the minimum count must be at least 1")
    with store.session() as session:
        glossary = session_glossary(session)
        known = {t.korean: t.english for t in glossary} if glossary is not None else {}
        return _session_miner(session).suggestions(min_count=min_count, known=known)


def accept_suggestions(
    store: Store, suggestions: list[TermSuggestion], *, by: str | None = None
) -> int:
    """Add suggested terms to the glossary (a term already there gets the suggested English
    first, its other renderings kept); returns how many terms were added or changed.

    Raises:
        PermissionDenied: accounts exist and `by` is not an admin.
    """
    from mt.qa.glossary import Glossary, Term
    from mt.store.glossary import list_glossary, save_terms

    if not suggestions:
        return 0
    existing = {t.korean: t for t in list_glossary(store)}
    terms = []
    for s in suggestions:
        old = existing.get(s.korean)
        english = (s.english, *(e for e in old.english if e != s.english)) if old else (s.english,)
        terms.append(
            Term(
                s.korean,
                english,
                old.avoid if old else (),
                old.case_sensitive if old else any(c.isupper() for c in s.english),
                old.note if old else f"suggested from {s.count} approved segments",
            )
        )
    result = save_terms(store, list(Glossary(terms)), source="suggested", by=by)
    return result.added + result.updated


# --- article indexes -----------------------------------------------------------------------------


def _session_index(session: Session, document_id: int) -> tuple[ArticleIndex, dict[int, int]]:
    """The document's index and its map from segment position to index row."""
    from mt.store.document_rows import changed_targets, document_texts

    key = (*_key(session), document_id)
    desk = _session_desk(session)
    style = _session_style(session)
    with _lock:
        cached = _indexes.get(key)
    if cached is None:
        rows = document_texts(session, document_id)
        index = ArticleIndex(
            [r[1] for r in rows],
            [r[2] or "" for r in rows],
            glossary=session_glossary(session),
            desk=desk,
            north_style=style.north_korean_style,
        )
        newest = max((r[3] for r in rows if r[3] is not None), default=None)
        cached = [index, {r[0]: i for i, r in enumerate(rows)}, newest]
        with _lock:
            if len(_indexes) > 64:
                _indexes.pop(next(iter(_indexes)))
            _indexes[key] = cached
    else:
        # Saves made since (by any process): only the changed rows are read.
        changed = changed_targets(session, document_id, cached[2])
        with _lock:
            for position, target, updated_at in changed:
                row = cached[1].get(position)
                if row is not None:
                    cached[0].set_target(row, target or "")
                if updated_at is not None and (cached[2] is None or updated_at > cached[2]):
                    cached[2] = updated_at
        if cached[0].desk is not desk:
            cached[0].set_desk(desk)
    return cached[0], cached[1]


def article_index(store: Store, document_id: int) -> ArticleIndex:
    """The document's `ArticleIndex` (built on first use, then kept and updated); its rows
    are the document's segments in position order."""
    with store.session() as session:
        return _session_index(session, document_id)[0]


def segment_article_aids(
    store: Store, document_id: int, position: int, text: str
) -> tuple[list[Finding], list[NameSuggestion]]:
    """For the editor: article-level findings of `text` as segment `position` (not stored,
    the index keeps the saved text) and news-style spellings for its names."""
    with store.session() as session:
        index, rows = _session_index(session, document_id)
        style = _session_style(session)
    row = rows.get(position)
    if row is None:
        return [], []
    with _lock:
        found = index.check_segment(row, text)
        names = index.name_suggestions(row)
    return found + check_style(text, style, headline=row == 0), names


def document_findings(
    session: Session, document_id: int, position: int, text: str
) -> list[dict[str, Any]]:
    """Article-level findings (consistency, style) of segment `position`'s new `text`, as the
    dicts stored with a save; the document's index takes the new text."""
    index, rows = _session_index(session, document_id)
    style = _session_style(session)
    row = rows.get(position)
    if row is None:
        return []
    with _lock:
        index.set_target(row, text)
        found = index.check_segment(row)
    found += check_style(text, style, headline=row == 0)
    return [asdict(f) for f in found]
