"""The desk's model version rows: registered models, and the events that change the drafting
model (`mt.adapt.versions` holds the rules: which kinds exist, what rolling back goes to).

A version is a model the desk drafted with or may draft with: a base (registry name, hub id or
folder, as given) or a model adapted from it. Each change of the desk's drafting model is an
event (`model_event`), never an update: the current model is the version named by the newest
``promoted``, ``switched`` or ``rolled_back`` event, or None when there is none (the desk then
uses its configured default, TRANSDESK_MODEL or the registry's). Drafts record the model id and
revision of the version that made them, so reports compare versions on real edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mt.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mt.store.db import Store
    from mt.store.models import ModelVersion

__all__ = [
    "ACTIVATING",
    "VersionRow",
    "activate",
    "activation_chain",
    "current_version",
    "list_events",
    "list_versions",
    "record_event",
    "register_version",
]

ACTIVATING = ("promoted", "switched", "rolled_back")


@dataclass(frozen=True)
class VersionRow:
    """A model version row; `current`: it is the desk's drafting model now."""

    id: int
    name: str
    model_id: str
    revision: str | None
    kind: str
    parent_id: int | None
    scores: dict | None
    card: dict | None
    created_at: datetime
    current: bool
    location: str


def _view(row: ModelVersion, current_id: int | None) -> VersionRow:
    return VersionRow(
        id=row.id,
        name=row.name,
        model_id=row.model_id,
        revision=row.revision,
        kind=row.kind,
        parent_id=row.parent_id,
        scores=row.scores,
        card=row.card,
        created_at=row.created_at,
        current=row.id == current_id,
        location=row.location,
    )


def _current_id(session: Session) -> int | None:
    from sqlalchemy import select

    from mt.store.models import ModelEvent

    return session.execute(
        select(ModelEvent.version_id)
        .where(ModelEvent.kind.in_(ACTIVATING))
        .order_by(ModelEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _editor_id(session: Session, by: str | None) -> int | None:
    from mt.store.accounts import clean_name, find_editor

    if not by:
        return None
    row = find_editor(session, clean_name(by))
    return row.id if row is not None else None


def register_version(
    store: Store,
    *,
    name: str,
    location: str,
    model_id: str,
    revision: str | None,
    kind: str = "base",
    parent_id: int | None = None,
    card: dict | None = None,
    scores: dict | None = None,
    by: str | None = None,
) -> int:
    """The id of the version (model_id, revision), inserted with a ``registered`` event when
    new; an existing one gets `card` and `scores` when given."""
    from sqlalchemy import select

    from mt.store.models import ModelVersion, utcnow

    with store.session(write=True) as session:
        row = session.execute(
            select(ModelVersion).where(
                ModelVersion.model_id == model_id,
                ModelVersion.revision.is_(None)
                if revision is None
                else ModelVersion.revision == revision,
            )
        ).scalar_one_or_none()
        if row is not None:
            if card is not None:
                row.card = card
            if scores is not None:
                row.scores = scores
            row.location = location
            return row.id
        row = ModelVersion(
            name=name,
            location=location,
            model_id=model_id,
            revision=revision,
            kind=kind,
            parent_id=parent_id,
            card=card,
            scores=scores,
            created_by_id=_editor_id(session, by),
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        _add_event(session, row.id, "registered", row.created_by_id)
        return row.id


def _add_event(
    session: Session,
    version_id: int,
    kind: str,
    editor_id: int | None,
    details: dict | None = None,
) -> None:
    """Append one event row about a version in the open write session."""
    from mt.store.models import ModelEvent, utcnow

    session.add(
        ModelEvent(
            version_id=version_id,
            kind=kind,
            editor_id=editor_id,
            details=details,
            created_at=utcnow(),
        )
    )


def record_event(
    store: Store, version_id: int, kind: str, *, by: str | None = None, details: dict | None = None
) -> None:
    """Append an event about a version (``promoted`` and ``refused`` come from `adapt`)."""
    from mt.store.models import ModelVersion

    with store.session(write=True) as session:
        if session.get(ModelVersion, version_id) is None:
            raise NotFound(f"no model version {version_id}")
        _add_event(session, version_id, kind, _editor_id(session, by), details)


def list_versions(store: Store) -> list[VersionRow]:
    """Every version, oldest first, with the current one marked."""
    from sqlalchemy import select

    from mt.store.models import ModelVersion

    with store.session() as session:
        current = _current_id(session)
        rows = session.execute(select(ModelVersion).order_by(ModelVersion.id)).scalars().all()
        return [_view(r, current) for r in rows]


def current_version(store: Store) -> VersionRow | None:
    """The desk's drafting model version, or None when the desk uses its configured default."""
    from mt.store.models import ModelVersion

    with store.session() as session:
        current = _current_id(session)
        if current is None:
            return None
        return _view(session.get(ModelVersion, current), current)


def list_events(store: Store, *, limit: int = 50) -> list[dict[str, Any]]:
    """The newest events first: version id and name, kind, who, when, details."""
    from sqlalchemy import select

    from mt.store.models import Editor, ModelEvent, ModelVersion

    with store.session() as session:
        rows = session.execute(
            select(ModelEvent, ModelVersion.name, Editor.name)
            .join(ModelVersion, ModelVersion.id == ModelEvent.version_id)
            .outerjoin(Editor, Editor.id == ModelEvent.editor_id)
            .order_by(ModelEvent.id.desc())
            .limit(limit)
        ).all()
        return [
            {
                "version_id": e.version_id,
                "version": name,
                "kind": e.kind,
                "by": who,
                "at": e.created_at,
                "details": e.details,
            }
            for e, name, who in rows
        ]


def activation_chain(store: Store) -> list[int]:
    """The versions the desk changed its drafting model to, newest first (repeats kept)."""
    from sqlalchemy import select

    from mt.store.models import ModelEvent

    with store.session() as session:
        return list(
            session.execute(
                select(ModelEvent.version_id)
                .where(ModelEvent.kind.in_(ACTIVATING))
                .order_by(ModelEvent.id.desc())
            ).scalars()
        )


def activate(
    store: Store, version_id: int, kind: str, *, by: str | None, details: dict | None = None
) -> VersionRow:
    """Make `version_id` the drafting model with a `kind` event (one of `ACTIVATING`).

    Raises:
        NotFound: no such version. PermissionDenied: accounts exist and `by` is not an admin.
    """
    from mt.store.accounts import require_admin
    from mt.store.models import ModelVersion

    with store.session(write=True) as session:
        require_admin(session, by, "change the drafting model")
        row = session.get(ModelVersion, version_id)
        if row is None:
            raise NotFound(f"no model version {version_id}")
        _add_event(session, version_id, kind, _editor_id(session, by), details)
        session.flush()
        return _view(row, version_id)
