"""`transdesk check`: QA checks on two aligned files, Korean source and English target."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from mt.errors import InputError

# Paragraphs as single lines: the help renderer keeps line breaks as they are.
_HELP = (
    "Check an English translation against its Korean source, line by line.\n\n"
    "The two files are aligned: line N of TARGET translates line N of SOURCE. Checks: numbers "
    "(numbers, amounts and dates that disagree, Korean units understood: 3조 원 = 3 trillion "
    "won), hangul (Korean left in the English), sentences (a sentence clearly missing or "
    "added), quotes, brackets, spaces, glossary (with --glossary), consistency (the file pair "
    "is one article: a name, party, company or place rendered one way in some lines and as a "
    "variant in another, e.g. Lee Myung-bak / Lee Myeong-bak, Busan / Pusan; with --db, also "
    "against the desk's glossary and translation memory), style (house style: the shipped "
    "default or --style FILE; headline rules apply to the first line).\n\n"
    'Output: one "LINE: check: message" per finding on stdout, or with --json one JSON object '
    'per line that has findings: {"line": N, "findings": [{"check", "severity", "message", '
    '"span", "suggestion"}]}; a summary goes to stderr.\n\n'
    "Exit status: 0 no findings, 1 findings, 2 misused options, 3 unreadable or misaligned "
    "files."
)


def _read_lines(path: Path) -> list[str]:
    """The lines of a text file, any encoding `mt.formats` detects, without line ends."""
    from mt.formats.base import read_path
    from mt.formats.encoding import decode

    data = read_path(path)  # a FIFO or device is refused, not waited on
    text, _encoding = decode(data, str(path))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _parse_checks(value: str | None) -> list[str] | None:
    """The check names of `--checks`; a misused option exits 2 with one line on stderr."""
    from mt.qa.article import ALL_CHECKS as CHECKS

    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in CHECKS]
    if unknown or not names:
        # Not typer.BadParameter: mt.cli.main does not yet turn typer's own click exceptions
        # into an exit code, so it would end in a traceback.
        problem = f"unknown check {unknown[0]!r}" if unknown else "no check named"
        print(f"Error: --checks: {problem} (choose from {', '.join(CHECKS)})", file=sys.stderr)
        raise SystemExit(2)
    return names


def check(
    source: Annotated[
        Path, typer.Option("--source", "-s", help="Korean source file, one segment per line.")
    ],
    target: Annotated[
        Path, typer.Option("--target", "-t", help="English translation, aligned by line.")
    ],
    glossary: Annotated[
        Path | None,
        typer.Option("--glossary", "-g", help="Glossary (CSV/TSV with ko,en columns, or TBX)."),
    ] = None,
    checks: Annotated[
        str | None,
        typer.Option(
            "--checks",
            help="Comma-separated checks to run (numbers, hangul, sentences, quotes, brackets, "
            "spaces, glossary, consistency, style); default all.",
        ),
    ] = None,
    style: Annotated[
        Path | None,
        typer.Option("--style", help="House style TOML file (default: the shipped style)."),
    ] = None,
    headline: Annotated[
        bool,
        typer.Option(
            "--headline/--no-headline", help="The first line is the headline (style rules)."
        ),
    ] = True,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL: check names against the desk's glossary and translation "
            "memory too.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line with findings.")
    ] = False,
) -> None:
    from mt.qa.article import check_article
    from mt.qa.glossary import load_glossary
    from mt.qa.style import load_style

    selected = _parse_checks(checks)
    source_lines = _read_lines(source)
    target_lines = _read_lines(target)
    if len(source_lines) != len(target_lines):
        raise InputError(
            f"{source} has {len(source_lines)} lines but {target} has {len(target_lines)}; "
            "the files must be aligned line by line"
        )
    terms = load_glossary(glossary) if glossary is not None else None
    house_style = load_style(style)
    desk = None
    if db is not None:
        from mt.desk import desk_forms
        from mt.qa.consistency import DeskForms
        from mt.store import open_store

        with open_store(db) as store:
            stored = desk_forms(store)
        if terms is not None:  # the file's glossary wins over the stored one
            desk = DeskForms(
                {**stored.forms, **DeskForms.build(terms).forms},
                {**stored.accepted, **DeskForms.build(terms).accepted},
            )
        else:
            desk = stored

    by_check: Counter[str] = Counter()
    flagged = 0
    results = check_article(
        source_lines,
        target_lines,
        glossary=terms,
        desk=desk,
        style=house_style,
        checks=selected,
        headline=headline,
    )
    for number, findings in enumerate(results, start=1):
        if not findings:
            continue
        flagged += 1
        by_check.update(f.check for f in findings)
        if as_json:
            record = {
                "line": number,
                "findings": [
                    {"check": f.check, "severity": f.severity, "message": f.message}
                    | ({"span": list(f.span)} if f.span else {})
                    | ({"suggestion": f.suggestion} if f.suggestion else {})
                    for f in findings
                ],
            }
            print(json.dumps(record, ensure_ascii=False))
        else:
            for f in findings:
                print(f"{number}: {f.check}: {f.message}")
    total = sum(by_check.values())
    if total:
        detail = ", ".join(f"{name} {n}" for name, n in sorted(by_check.items()))
        print(
            f"{total} finding(s) on {flagged} of {len(source_lines)} lines ({detail})",
            file=sys.stderr,
        )
        raise SystemExit(1)
    print(f"No findings on {len(source_lines)} lines.", file=sys.stderr)


check.__doc__ = _HELP


def register(app: typer.Typer) -> None:
    """Add `transdesk check` to the CLI."""
    app.command("check", help=_HELP)(check)
