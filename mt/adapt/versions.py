"""The desk's model versions: registered models, the current drafting model, promotion events.

A version is a model the desk drafted with or may draft with: a base (registry name, hub id or
folder, as given) or a model adapted from it. Each change of the desk's drafting model is an
event, never an update (rows kept by `mt.store.model_versions`): the current model is the
version named by the newest ``promoted``, ``switched`` or ``rolled_back`` event, or None when
there is none (the desk then uses its configured default, TRANSDESK_MODEL or the registry's).
Drafts record the model id and revision of the version that made them, so reports compare
versions on real edits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from mt.errors import InvalidValue
from mt.store import model_versions as rows
from mt.store.model_versions import ACTIVATING, VersionRow

if TYPE_CHECKING:
    from mt.store.db import Store

__all__ = [
    "ACTIVATING",
    "ModelVersionView",
    "current_version",
    "desk_model",
    "list_events",
    "list_versions",
    "record_event",
    "register_version",
    "rollback",
    "switch_version",
]

KINDS = ("base", "adapted")


@dataclass(frozen=True)
class ModelVersionView(VersionRow):
    """A model version as shown in Settings and by `transdesk versions`: never its path."""

    @property
    def label(self) -> str:
        from mt.models.provenance import model_label

        return model_label(self.model_id, self.revision)


def _view(row: VersionRow) -> ModelVersionView:
    return ModelVersionView(**asdict(row))


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
    if kind not in KINDS:
        raise InvalidValue(f"unknown model version kind {kind!r}")
    return rows.register_version(
        store,
        name=name,
        location=location,
        model_id=model_id,
        revision=revision,
        kind=kind,
        parent_id=parent_id,
        card=card,
        scores=scores,
        by=by,
    )


def record_event(
    store: Store, version_id: int, kind: str, *, by: str | None = None, details: dict | None = None
) -> None:
    """Append an event about a version (``promoted`` and ``refused`` come from `adapt`).

    Raises:
        NotFound: no such version.
    """
    rows.record_event(store, version_id, kind, by=by, details=details)


def list_versions(store: Store) -> list[ModelVersionView]:
    """Every version, oldest first, with the current one marked."""
    return [_view(r) for r in rows.list_versions(store)]


def current_version(store: Store) -> ModelVersionView | None:
    """The desk's drafting model version, or None when the desk uses its configured default."""
    row = rows.current_version(store)
    return _view(row) if row is not None else None


def desk_model(store: Store) -> str | None:
    """What to load to draft as the desk does now (a folder, registry name or hub id), or None
    for the configured default."""
    version = rows.current_version(store)
    return version.location if version is not None else None


def list_events(store: Store, *, limit: int = 50) -> list[dict[str, Any]]:
    """The newest events first: version id and name, kind, who, when, details."""
    return rows.list_events(store, limit=limit)


def switch_version(store: Store, version_id: int, *, by: str | None = None) -> ModelVersionView:
    """Make `version_id` the desk's drafting model (an admin's choice, once accounts exist).

    Raises:
        NotFound: no such version. PermissionDenied: `by` is not an admin.
    """
    return _view(rows.activate(store, version_id, "switched", by=by))


def rollback(store: Store, *, by: str | None = None) -> ModelVersionView:
    """Go back to the drafting model in use before the current one.

    Raises:
        InvalidValue: the desk has had no other model. PermissionDenied: `by` is not an admin.
    """
    chain = rows.activation_chain(store)
    if not chain:
        raise InvalidValue("the desk has not changed its drafting model: nothing to roll back")
    previous = next((v for v in chain if v != chain[0]), None)
    if previous is None:
        raise InvalidValue("the desk has had no other drafting model to roll back to")
    return _view(rows.activate(store, previous, "rolled_back", by=by, details={"from": chain[0]}))
