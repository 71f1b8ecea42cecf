"""`transdesk versions`: the desk's drafting-model versions (list, switch, roll back)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from mt.commands.common import DbOption

versions_app = typer.Typer(
    help="The desk's drafting-model versions: list, switch, roll back.", no_args_is_help=True
)


@versions_app.command("list")
def list_versions(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the desk's model versions with their held-out scores; * marks the current one."""
    from mt.adapt.versions import list_versions as versions
    from mt.store import open_store

    with open_store(db) as store:
        rows = versions(store)
    records = [
        {
            "id": v.id,
            "name": v.name,
            "model": v.label,
            "kind": v.kind,
            "base": v.parent_id,
            "current": v.current,
            "created_at": v.created_at.isoformat(timespec="seconds"),
            "hter_before": (v.scores or {}).get("before", {}).get("hter"),
            "hter_after": (v.scores or {}).get("after", {}).get("hter"),
            "chrf_before": (v.scores or {}).get("before", {}).get("chrf"),
            "chrf_after": (v.scores or {}).get("after", {}).get("chrf"),
            "significant": (v.scores or {}).get("significant"),
        }
        for v in rows
    ]
    if as_json:
        print(json.dumps(records, indent=2, ensure_ascii=False))
        return
    if not records:
        print("No model versions yet: the desk drafts with its configured model.")
        return
    for r in records:
        scores = (
            f"HTER {r['hter_before']} → {r['hter_after']}, chrF {r['chrf_before']} → "
            f"{r['chrf_after']}"
            if r["hter_after"] is not None
            else ""
        )
        print(f"{'*' if r['current'] else ' '} {r['id']:>3} {r['kind']:8} {r['model']}  {scores}")


@versions_app.command("use")
def use(
    version: Annotated[int, typer.Argument(help="Version id (see 'transdesk versions list').")],
    by: Annotated[str | None, typer.Option(help="Who (an admin, once accounts exist).")] = None,
    db: DbOption = None,
) -> None:
    """Make a version the desk's drafting model."""
    from mt.adapt.versions import switch_version
    from mt.store import open_store

    with open_store(db) as store:
        v = switch_version(store, version, by=by)
    print(f"The desk now drafts with {v.label}.")


@versions_app.command("rollback")
def rollback(
    by: Annotated[str | None, typer.Option(help="Who (an admin, once accounts exist).")] = None,
    db: DbOption = None,
) -> None:
    """Go back to the drafting model the desk used before the current one."""
    from mt.adapt.versions import rollback as roll_back
    from mt.store import open_store

    with open_store(db) as store:
        v = roll_back(store, by=by)
    print(f"The desk now drafts with {v.label}.")


def register(app: typer.Typer) -> None:
    app.add_typer(versions_app, name="versions")
