"""How often an editor may change segments: at most `SAVES_PER_SECOND` (10) changes (save,
approve, revert, reopen) in any second, counted in the edit log itself, so every web server
process shares the count. What one save may add is `mt.limits`'.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from mt.errors import TooManySaves

if TYPE_CHECKING:
    from mt.store.db import Store

__all__ = ["SAVES_PER_SECOND", "TooManySaves", "check_save_rate"]

SAVES_PER_SECOND = 10
# The rate is counted among the edit log's latest rows (a bounded read by primary key).
_RECENT_ROWS = 1_000
_RATED_KINDS = ("save", "approve", "revert", "reopen")


def check_save_rate(store: Store, editor: str) -> None:
    """Refuse (`TooManySaves`) a change by `editor` when `SAVES_PER_SECOND` of their changes
    are already in the edit log's last second. The web's change path (`mt.editing.apply_event`)
    asks before each change; bulk writers (an XLIFF import, a script over the library) do not."""
    from sqlalchemy import func, select

    from mt.store.editors import clean_name
    from mt.store.models import EditEvent, Editor, utcnow

    recent = select(EditEvent.id).order_by(EditEvent.id.desc()).limit(_RECENT_ROWS).subquery()
    with store.session() as session:
        count = session.execute(
            select(func.count())
            .select_from(EditEvent)
            .join(Editor, Editor.id == EditEvent.editor_id)
            .where(
                EditEvent.id.in_(select(recent.c.id)),
                Editor.name == clean_name(editor),
                EditEvent.kind.in_(_RATED_KINDS),
                EditEvent.saved_at > utcnow() - timedelta(seconds=1),
            )
        ).scalar_one()
    if count >= SAVES_PER_SECOND:
        raise TooManySaves(
            f"too many saves: at most {SAVES_PER_SECOND} a second per editor; nothing saved, "
            "save again in a moment"
        )
