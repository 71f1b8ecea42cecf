"""SQLAlchemy 2 tables: editor, document, segment, draft, edit_event (append-only), edit_step,
metric_stats, tm_entry (translation memory), glossary_term, document_event (the article's
workflow log, append-only), presence (who has an article open, expiring), segment_wip (unsaved
text), web_session (signed-in browsers), desk_setting, editor_rename, document_source and
segment_ref (a client's XLIFF file and its ids), and the model versions of `transdesk adapt`
(model_version, model_event).

Why one module (about 510 lines): declarative tables only, no logic; the migrations and the
store's modules read them together, one class a table.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect


# Stable constraint names, so Alembic migrations can refer to them on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit id.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """Now, in UTC, with its time zone."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A time stored in UTC and always read back time-zone aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Editor(Base):
    """A person; `password_hash` (argon2id) is None for local, password-less editors."""

    __tablename__ = "editor"
    __table_args__ = (
        CheckConstraint("role IN ('viewer', 'editor', 'reviewer', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="editor")
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Document(Base):
    """An article: its segments rebuild it (paragraph numbers, `before` whitespace, `trailing`).

    `state` is its place in the newsroom workflow (`mt.store.workflow`): drafted, editing,
    review, ready, published; every move is a `DocumentEvent`. An archived article
    (`archived_at` set) is hidden from lists and kept everywhere else."""

    __tablename__ = "document"
    __table_args__ = (
        CheckConstraint("status IN ('in_progress', 'done')", name="status"),
        CheckConstraint(
            "state IN ('drafted', 'editing', 'review', 'ready', 'published')", name="state"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    source_lang: Mapped[str] = mapped_column(String(16), default="ko")
    target_lang: Mapped[str] = mapped_column(String(16), default="en")
    filename: Mapped[str | None] = mapped_column(Text, nullable=True)
    file_format: Mapped[str] = mapped_column(String(16), default="txt")
    segment_mode: Mapped[str] = mapped_column(String(16), default="sentence")
    trailing: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    model_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("editor.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="drafted", server_default="drafted")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DocumentEvent(Base):
    """One entry of an article's workflow log: a state move, an assignment, a rename, a
    deadline, an archive or a restore (who, when, from, to, note). Append-only: database
    triggers refuse UPDATE and DELETE. `override` marks an admin's move to ready with
    segments not yet approved."""

    __tablename__ = "document_event"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('state', 'assign', 'rename', 'deadline', 'archive', 'restore')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id"))
    kind: Mapped[str] = mapped_column(String(16))
    from_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    to_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Presence(Base):
    """Who has an article open right now: one row per browser session (`client`), refreshed by
    heartbeats every few seconds and ignored (then removed) once `seen_at` is older than
    `mt.store.presence.EXPIRY_S`. Derived, disposable data: not part of any history."""

    __tablename__ = "presence"
    __table_args__ = (UniqueConstraint("client", name="uq_presence_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id"))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), nullable=True)
    typing: Mapped[bool] = mapped_column(Boolean, default=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Segment(Base):
    """One sentence (or line): the source, the current target, its status and version."""

    __tablename__ = "segment"
    __table_args__ = (
        UniqueConstraint("document_id", "position", name="uq_segment_document_position"),
        CheckConstraint("status IN ('draft', 'edited', 'approved')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    paragraph: Mapped[int] = mapped_column(Integer)
    before: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The draft the current target started from (use_alter: draft also points at segment).
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("draft.id", use_alter=True), nullable=True
    )
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), nullable=True)


class Draft(Base):
    """A machine (or translation-memory) draft of a segment; every run's drafts are kept.

    `origin` is "mt", "tm", "scratch" (none: translate from scratch), "fallback" (the NMT
    draft taken where an LLM's replies failed validation; `generation` then holds the LLM's
    settings under "fallback_for") or "human" (a translation the client's file already had)."""

    __tablename__ = "draft"
    __table_args__ = (
        CheckConstraint("origin IN ('mt', 'tm', 'scratch', 'fallback', 'human')", name="origin"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id"), index=True)
    run: Mapped[int] = mapped_column(Integer, default=1)
    engine: Mapped[str] = mapped_column(String(32))
    model_id: Mapped[str] = mapped_column(Text)
    revision: Mapped[str | None] = mapped_column(Text, nullable=True)
    beam: Mapped[int | None] = mapped_column(Integer, nullable=True)
    compute_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    max_length: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    time_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    origin: Mapped[str] = mapped_column(String(8), default="mt")
    is_test_model: Mapped[bool] = mapped_column(Boolean, default=False)
    # What made an LLM draft (family, model, prompt hash, temperature, context); NULL for NMT.
    generation: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EditEvent(Base):
    """One entry of the edit log. Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "edit_event"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('open', 'save', 'approve', 'reopen', 'revert', 'comment', 'import')",
            name="kind",
        ),
        Index("ix_edit_event_segment_kind", "segment_id", "kind"),
        # Covers the report's effort sum (SUM(active_ms) GROUP BY segment_id) without the table.
        Index("ix_edit_event_effort", "segment_id", "active_ms"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id"))
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id"))
    kind: Mapped[str] = mapped_column(String(16))
    text_before: Mapped[str | None] = mapped_column(Text, nullable=True)
    text_after: Mapped[str | None] = mapped_column(Text, nullable=True)
    version_before: Mapped[int | None] = mapped_column(Integer, nullable=True)
    version_after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id"), nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    idle_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    keystrokes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    client: Mapped[str] = mapped_column(String(16), default="web")
    findings: Mapped[list[dict] | None] = mapped_column(JSON, nullable=True)
    # The visit's key events without the text: {"t": [ms since the visit began, ...],
    # "c": "one class letter per event"} (see mt.keystrokes).
    keylog: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # A save that kept its editor's text over someone else's newer version (a conflict
    # resolved by "keep mine"): {"kept": "mine", "mine_from": version typed against,
    # "theirs": version saved on top of, "theirs_by": who made it}; else NULL.
    resolution: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class EditStep(Base):
    """One step of a segment's history, rebuilt from the edit log (`mt.store.steps`).

    `kind` is "draft" (the machine's: MT, translation memory or an empty from-scratch slot;
    no editor), "edit" (one person's stretch of changes, from the text they found to the text
    they left) or "review" (an approval, or reopening, without a change). Derived data: the
    rows of a segment are replaced whenever its log grows; `stats` caches sacrebleu statistics
    of `text_before` (hypothesis) against `text_after` (reference) under `stats_config`.
    """

    __tablename__ = "edit_step"
    __table_args__ = (
        CheckConstraint("kind IN ('draft', 'edit', 'review')", name="kind"),
        Index("ix_edit_step_segment_seq", "segment_id", "seq"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), nullable=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id"), nullable=True)
    text_before: Mapped[str | None] = mapped_column(Text, nullable=True)
    text_after: Mapped[str] = mapped_column(Text, default="")
    events: Mapped[int] = mapped_column(Integer, default=0)
    active_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    edit_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    review_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    keystrokes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    first_event_id: Mapped[int] = mapped_column(BigInteger)
    last_event_id: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    stats: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    stats_config: Mapped[str | None] = mapped_column(String(200), nullable=True)


class MetricStats(Base):
    """Cached sacrebleu sufficient statistics of one draft against one final text.

    A derived cache (safe to empty): reports sum these instead of re-scoring every segment.
    `config` names the metric settings and sacrebleu version the statistics belong to.
    """

    __tablename__ = "metric_stats"
    __table_args__ = (
        UniqueConstraint("draft_id", "final_hash", "config", name="uq_metric_stats_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"))
    final_hash: Mapped[str] = mapped_column(String(64))
    config: Mapped[str] = mapped_column(String(200))
    stats: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TMEntry(Base):
    """One translation-memory pair: an approved segment's source and English, or a TMX unit.

    One entry per source: `key` is the source normalised for lookup (NFC, whitespace collapsed,
    see `mt.store.tm.tm_key`), found exactly by its SHA-256 `key_hash` (unique, indexed) and fuzzily
    among entries of similar `length` (characters of the key, indexed).
    """

    __tablename__ = "tm_entry"
    __table_args__ = (CheckConstraint("origin IN ('approved', 'tmx')", name="origin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer, index=True)
    source: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), nullable=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DocumentSource(Base):
    """The file a document was imported from, byte for byte (a client's XLIFF), so the desk
    can write the client's own file back with its finals in it (`mt.exchange.client`)."""

    __tablename__ = "document_source"

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SegmentRef(Base):
    """Where a segment sits in its document's source file: the unit's id and, for a unit of
    several segments, the segment's key (1.2 `mrk mid`, 2.0 `segment id` or its number; ""
    for a unit of one segment)."""

    __tablename__ = "segment_ref"
    __table_args__ = (
        UniqueConstraint(
            "document_id", "unit_id", "segment_key", name="uq_segment_ref_document_place"
        ),
    )

    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    unit_id: Mapped[str] = mapped_column(Text, index=True)
    segment_key: Mapped[str] = mapped_column(Text)


class GlossaryTerm(Base):
    """One glossary entry of the desk: a Korean term and its required English renderings.

    `english` and `avoid` are JSON lists (first English rendering preferred); see
    `mt.qa.glossary.Term`.
    """

    __tablename__ = "glossary_term"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    korean: Mapped[str] = mapped_column(String(200), unique=True)
    english: Mapped[list[str]] = mapped_column(JSON)
    avoid: Mapped[list[str]] = mapped_column(JSON)
    case_sensitive: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeskSetting(Base):
    """A desk-wide setting kept in the database, as text: e.g. ``style`` (the house style TOML,
    `mt.qa.style`), so every editor's QA uses the same rules."""

    __tablename__ = "desk_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EditorRename(Base):
    """A change of an editor's name (append-only, written by a database trigger on `editor`).

    Identity is the editor's id; the name is data. History stays with the id, and this log
    says when the name it is shown under changed, so a rename never silently re-attributes it.
    """

    __tablename__ = "editor_rename"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id"))
    old_name: Mapped[str] = mapped_column(String(200))
    new_name: Mapped[str] = mapped_column(String(200))
    renamed_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=text("CURRENT_TIMESTAMP")
    )


class SegmentWip(Base):
    """An editor's unsaved text of one segment (work in progress).

    Not a version and not an edit event: one row per (editor, segment), replaced as the editor
    types and deleted when they save. Only its own editor ever reads it.
    """

    __tablename__ = "segment_wip"
    __table_args__ = (UniqueConstraint("editor_id", "segment_id", name="uq_segment_wip_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id"))
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebSession(Base):
    """A signed-in browser: only the SHA-256 of its random token is stored.

    `role` is the editor's role at sign-in: a changed role (or a removed account) ends the
    session. `revoked_at` is set on sign-out.
    """

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    # A one-time code the browser trades for the token cookie (see mt.store.sessions).
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ModelVersion(Base):
    """A drafting model the desk knows: a base model, or one adapted from it (`transdesk adapt`).

    `location` is what loads it (a folder on the server, a registry name or hub id; never shown
    to editors); `model_id` and `revision` are what its drafts record. `card` is the model card
    (base, data, settings, time); `scores` the held-out evaluation before and after adaptation.
    """

    __tablename__ = "model_version"
    __table_args__ = (
        CheckConstraint("kind IN ('base', 'adapted')", name="kind"),
        UniqueConstraint("model_id", "revision", name="uq_model_version_model_revision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(Text)
    model_id: Mapped[str] = mapped_column(Text)
    revision: Mapped[str | None] = mapped_column(Text, nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("model_version.id"), nullable=True)
    card: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    scores: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModelEvent(Base):
    """What happened to a model version: registered, promoted (by `adapt`), refused (not
    better), switched or rolled back (by an admin). The newest promoted/switched/rolled-back
    event names the desk's drafting model."""

    __tablename__ = "model_event"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('registered', 'promoted', 'refused', 'switched', 'rolled_back')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"))
    kind: Mapped[str] = mapped_column(String(16))
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id"), nullable=True)
    details: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
