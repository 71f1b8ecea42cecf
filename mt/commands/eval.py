"""`transdesk eval`: corpus BLEU, chrF and TER of hypotheses against references."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mt.errors import InputError


def _lines(path: Path) -> list[str]:
    from mt.formats.base import read_path
    from mt.metrics import read_lines

    read_path(path)  # missing, a folder, a FIFO or device, or too big: one line, at once
    try:
        return read_lines(str(path))
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not valid UTF-8 (byte offset {e.start})") from None


def eval_(
    hyp: Annotated[Path, typer.Option("--hyp", help="System output, one sentence a line.")],
    ref: Annotated[
        list[Path], typer.Option("--ref", help="Reference file (repeat for several references).")
    ],
    metrics: Annotated[
        str, typer.Option(help="Comma-separated: bleu, chrf, ter.")
    ] = "bleu,chrf,ter",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Corpus BLEU, chrF and TER with sacrebleu signatures (the sacrebleu CLI's numbers)."""
    from mt.metrics import METRIC_NAMES, corpus_score

    names = [m.strip().lower() for m in metrics.split(",") if m.strip()]
    unknown = [m for m in names if m not in METRIC_NAMES]
    if unknown or not names:
        raise InputError(
            f"unknown metric {', '.join(unknown) or '(none)'} (choose from: "
            f"{', '.join(METRIC_NAMES)})"
        )
    hypotheses = _lines(hyp)
    references = [_lines(r) for r in ref]
    for path, lines in zip(ref, references, strict=True):
        if len(lines) != len(hypotheses):
            raise InputError(
                f"{path}: {len(lines)} lines, but {hyp} has {len(hypotheses)}; they must align"
            )
    scores = [corpus_score(name, hypotheses, references) for name in names]
    if as_json:
        print(json.dumps({s.name: s.to_dict() for s in scores}, indent=2))
        return
    for s in scores:
        print(s.text)


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_)
