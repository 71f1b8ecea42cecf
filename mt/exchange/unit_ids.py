"""The XLIFF unit ids Transdesk writes: ``s{segment}-v{version}``, and reading them back.

Export names each unit after its segment and the version exported (`unit_id`); an import finds
the segment and the version the translator started from (`UNIT_ID`); a file whose every unit
has a desk id came from a Transdesk export (`DESK_ID`), any other is a client's own.
"""

from __future__ import annotations

import re

# A unit id as read back: "s12-v3", also a bare "12" or "s12" (no version) from older files.
UNIT_ID = re.compile(r"s?(\d+)(?:-v(\d+))?")
DESK_ID = re.compile(r"s\d+-v\d+")


def unit_id(segment_id: int, version: int) -> str:
    """The XLIFF unit id of a segment at a version (an XML NMTOKEN, as XLIFF 2 requires)."""
    return f"s{segment_id}-v{version}"
