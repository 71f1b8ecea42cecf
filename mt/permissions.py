"""The one permission table of the desk: which roles may take which action.

The store checks it on every change (`mt.store.accounts.actor`, and
`mt.store.accounts.check_change_approved` for approved segments), the CLI inherits those checks,
and the web app asks the same table to hide what a person cannot do (`ui.auth.Identity.can`;
the editor grid gets the rights computed, `mt.editing.GRID_RIGHTS`).

Roles, lowest first: ``viewer`` reads articles and reports and downloads them, and changes
nothing; ``editor`` post-edits; ``reviewer`` (the copy desk) approves, reopens and moves articles
to ready and published; ``admin`` also manages people, the glossary, the house style, the LLM
prompt and the translation memory, and may override the all-approved rule of ``ready``.
Reviewers and admins may make a share of an article's untouched segments from scratch
(``scratch``).

Without accounts (a single-user desk, nobody has a password) roles are not enforced, except
that a ``viewer`` never changes anything: such a row exists only because someone chose it.
"""

from __future__ import annotations

from mt.errors import InvalidValue, PermissionDenied

ROLES = ("viewer", "editor", "reviewer", "admin")
_ALL = frozenset(ROLES)
_EDIT = frozenset({"editor", "reviewer", "admin"})
_REVIEW = frozenset({"reviewer", "admin"})
_ADMIN = frozenset({"admin"})

# action → the roles that may take it (once accounts exist).
PERMISSIONS: dict[str, frozenset[str]] = {
    # reading: everyone
    "read": _ALL,
    "download": _ALL,
    "presence": _ALL,  # being seen in an article is not a change to it
    # post-editing
    "import": _EDIT,
    "translate": _EDIT,
    "open": _EDIT,
    "edit": _EDIT,
    "save": _EDIT,
    "revert": _EDIT,
    "comment": _EDIT,
    # the copy desk
    "approve": _REVIEW,
    "reopen": _REVIEW,
    "change_approved": _REVIEW,  # save over or revert an approved segment (others reopen it first)
    # the article's workflow (mt.store.workflow)
    "assign": _EDIT,
    "rename": _EDIT,
    "deadline": _EDIT,
    "state": _EDIT,  # drafted, editing, review
    "state_final": _REVIEW,  # ready, published, and reopening a published article
    "archive": _REVIEW,
    "restore": _REVIEW,
    "override": _ADMIN,  # ready with segments not approved (logged)
    "scratch": _REVIEW,  # make untouched segments from scratch (mt.store.scratch)
    # the desk itself
    "manage_users": _ADMIN,
    "glossary": _ADMIN,
    "house_style": _ADMIN,
    "llm_prompt": _ADMIN,  # the desk's LLM prompt template (Settings)
    "memory": _ADMIN,
}

_NAMES = {
    "state_final": "move an article to ready or published",
    "edit": "edit",
    "change_approved": "change an approved segment",
    "glossary": "change the glossary",
    "house_style": "change the house style",
    "llm_prompt": "change the LLM prompt",
    "memory": "import a translation memory",
}


def check_action(action: str) -> str:
    """`action` when the table knows it; a programming error (ValueError) otherwise."""
    if action not in PERMISSIONS:
        raise ValueError(f"unknown action {action!r} (not in mt.permissions.PERMISSIONS)")
    return action


def check_role(role: str) -> str:
    """`role` when it is one of `ROLES`; `InvalidValue` (exit 1) otherwise."""
    if role not in ROLES:
        raise InvalidValue(f"unknown role {role!r} (choose from: {', '.join(ROLES)})")
    return role


def allowed(role: str, action: str, *, accounts: bool = True) -> bool:
    """Whether `role` may take `action`; without accounts every role but viewer may."""
    roles = PERMISSIONS[check_action(action)]
    if not accounts and role != "viewer":
        return True
    return role in roles


def roles_for(action: str) -> tuple[str, ...]:
    """The roles that may take `action`, lowest first."""
    roles = PERMISSIONS[check_action(action)]
    return tuple(r for r in ROLES if r in roles)


def require(
    name: str, role: str, action: str, *, accounts: bool = True, doing: str | None = None
) -> None:
    """Raise `PermissionDenied` (exit 7) unless `role` may take `action`.

    The message names the person, their role, what they tried (`doing`, else the action's
    name) and who may do it.
    """
    if allowed(role, action, accounts=accounts):
        return
    who = " or ".join(roles_for(action))
    what = doing or _NAMES.get(action, action.replace("_", " "))
    raise PermissionDenied(
        f"{name} is {_article(role)} {role}; to {what} needs {_article(who)} {who}"
    )


def assignable(role: str) -> bool:
    """Whether a person with `role` may be an article's assignee: anyone who may edit (not a
    viewer). `mt.store.workflow.assign` refuses others; the web app lists only these."""
    return allowed(role, "edit")


def needs_change_approved(op: str, status: str) -> bool:
    """Whether change `op` ("save", "revert", ...) of a segment in `status` needs the
    ``change_approved`` right: saving over or reverting an approved segment does. The store
    (`mt.store.accounts.check_change_approved`), `mt.editing` and the editor grid ask this."""
    return op in ("save", "revert") and status == "approved"


def change_approved_denied(segment_id: int, name: str) -> PermissionDenied:
    """The refusal when `name` lacks ``change_approved`` for approved segment `segment_id`."""
    return PermissionDenied(
        f"segment {segment_id} is approved; a reviewer must reopen it before {name} can change it"
    )


def _article(words: str) -> str:
    return "an" if words[:1] in "aeiou" else "a"
