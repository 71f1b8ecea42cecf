"""The paths of the sign-in cookie routes served by `ui.server` (importable without starting it)."""

SESSION_ROUTE = "/api/transdesk/session"
SIGNOUT_ROUTE = "/api/transdesk/signout"
