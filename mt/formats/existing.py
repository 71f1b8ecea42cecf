"""Which existing targets a translation may replace: human work is kept unless asked for.

Pre-translation fills empty targets only. A segment that already has a target keeps it unless
its state is named in `overwrite` (the CLI's `--overwrite STATES`). A segment's state is read
from the most binding signal the file carries, in this order:

- `locked`: SDLXLIFF `<sdl:seg locked="true">`, memoQ `mq:locked="locked"`;
- `approved`: XLIFF 1.2 `<trans-unit approved="yes">`;
- SDLXLIFF `<sdl:seg conf>` lowercased: `draft`, `translated`, `approvedtranslation`,
  `approvedsignoff`, `rejectedtranslation`, `rejectedsignoff`;
- memoQ `mq:status` lowercased: `pretranslated`, `manuallyconfirmed`, `proofread`, …;
- XLIFF 1.2 `<target state>` (MateCat, Okapi, OmegaT, translate-toolkit …): `new`,
  `needs-translation`, `needs-review-translation`, `translated`, `signed-off`, `final`, …;
- XLIFF 2 `<segment state>`: `initial` (also when absent), `translated`, `reviewed`, `final`;
- a TMX memory's existing English `<tuv>`: `translated`;
- a target with none of these: `none`.

`any` names every state that is not an approval; approvals (`APPROVALS`) and `locked` are only
replaced when named themselves.
"""

from __future__ import annotations

from mt.errors import InvalidValue

APPROVALS = frozenset(
    {
        "locked",
        "approved",
        "signed-off",
        "final",
        "approvedtranslation",
        "approvedsignoff",
        "proofread",
        "reviewer1confirmed",
        "reviewer2confirmed",
    }
)
ANY = "any"


def parse_overwrite(value: str | None) -> frozenset[str]:
    """The state names of a comma-separated list ("translated,needs-review-translation")."""
    if not value:
        return frozenset()
    names = frozenset(part.strip().lower() for part in value.split(",") if part.strip())
    bad = [n for n in names if not n.replace("-", "").replace("_", "").isalnum()]
    if bad:
        raise InvalidValue(f"overwrite: {bad[0]!r} is not a state name")
    return names


def may_replace(state: str, overwrite: frozenset[str]) -> bool:
    """Whether an existing, non-empty target in `state` may be replaced."""
    state = state.lower()
    if state in overwrite:
        return True
    return ANY in overwrite and state not in APPROVALS
