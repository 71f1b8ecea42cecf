"""The paths of the routes served by `ui.server` beside the app (importable without starting
it): the sign-in cookie's two, and the editing grid's two (unsaved text, others' changes)."""

SESSION_ROUTE = "/api/transdesk/session"
SIGNOUT_ROUTE = "/api/transdesk/signout"
WIP_ROUTE = "/api/transdesk/wip"
CHANGES_ROUTE = "/api/transdesk/changes"
