"""`transdesk import`: a Korean file becomes a stored document with drafts (`mt.drafting`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mt.commands.common import (
    ConcurrencyOption,
    ContextOption,
    DbOption,
    EndpointOption,
    FallbackOption,
    ForceSourceOption,
    OverwriteOption,
    PromptOption,
    StyleOption,
    TemperatureOption,
    TimeoutOption,
    editor_default,
)
from mt.errors import InvalidValue


def import_(
    file: Annotated[Path, typer.Argument(help="Korean file: txt, docx, jsonl, csv/tsv, XLIFF.")],
    title: Annotated[
        str | None,
        typer.Option(
            help="Title (default: the first line when it reads like a headline, else the file "
            "name)."
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Registry name, hub id (org/name[@revision]), local folder or 'test' (default: "
            "env TRANSDESK_MODEL, else opus-mt-ko-en)."
        ),
    ] = None,
    engine: Annotated[str, typer.Option(help="auto, transformers or ctranslate2.")] = "auto",
    beam: Annotated[int, typer.Option(min=1, max=16, help="Beam size (1 = greedy).")] = 4,
    segment_mode: Annotated[
        str, typer.Option("--segment", help="sentence (split with kiwipiepy) or line.")
    ] = "sentence",
    input_format: Annotated[
        str | None, typer.Option("--input-format", help="Input format if not from the name.")
    ] = None,
    field: Annotated[str | None, typer.Option(help="JSONL field holding the Korean text.")] = None,
    column: Annotated[str | None, typer.Option(help="CSV/TSV column holding the text.")] = None,
    editor: Annotated[
        str | None, typer.Option(help="Who imports (default: your login name).")
    ] = None,
    models: Annotated[
        str | None,
        typer.Option(
            "--models",
            help="Model A/B: several models, comma-separated; each segment is drafted by one "
            "of them at random (recorded per draft).",
        ),
    ] = None,
    from_scratch: Annotated[
        float,
        typer.Option(
            "--from-scratch",
            help="Share (0-1) of segments, drawn at random, left without a draft to translate "
            "from scratch (measures the gain of MT).",
        ),
    ] = 0.0,
    seed: Annotated[
        int, typer.Option(help="Seed of the from-scratch draw and the model assignment.")
    ] = 0,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"document_id": N}.')] = False,
    force_source_language: ForceSourceOption = False,
    overwrite: OverwriteOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes.")] = False,
    endpoint: EndpointOption = None,
    prompt: PromptOption = None,
    style: StyleOption = None,
    temperature: TemperatureOption = 0.0,
    context: ContextOption = 3,
    fallback_model: FallbackOption = None,
    concurrency: ConcurrencyOption = 4,
    timeout: TimeoutOption = 60.0,
) -> None:
    """Import a file as a document: segment it, draft it with the model, store it; print its id."""
    from mt.commands.common import llm_options, open_engine, progress_bar
    from mt.drafting import check_share, import_file
    from mt.segment import check_mode
    from mt.store import open_store

    check_mode(segment_mode)
    from mt import formats

    # Read the file before loading the model, so a bad input fails at once.
    check_share(from_scratch)
    names = [m.strip() for m in models.split(",") if m.strip()] if models else []
    if models is not None and not names:
        raise InvalidValue("--models names no model")
    if names and model:
        raise InvalidValue("give either --model or --models, not both")
    if len(set(names)) != len(names):
        raise InvalidValue(f"--models names a model twice: {models}")
    from mt.formats.existing import ANY, APPROVALS, parse_overwrite

    overwrite_states = parse_overwrite(overwrite)
    formats.read(
        file,
        format=input_format,
        field=field,
        column=column,
        overwrite=APPROVALS | {ANY},
        force_source_language=force_source_language,
    )
    llm = llm_options(
        endpoint=endpoint,
        prompt=prompt,
        style=style,
        temperature=temperature,
        context=context,
        fallback_model=fallback_model,
        concurrency=concurrency,
        timeout=timeout,
    )
    if prompt is None:
        # The desk's LLM prompt template (Settings); an explicit --prompt FILE wins.
        from dataclasses import replace

        from mt.desk import desk_prompt_text

        with open_store(db) as desk:
            llm = replace(llm, prompt_text=desk_prompt_text(desk))
    if not names and not model and not llm.endpoint:
        # The desk's drafting model version (`transdesk adapt`, `transdesk versions use`).
        from mt.adapt.versions import desk_model

        with open_store(db) as desk:
            model = desk_model(desk)
    to_load: list[str | None] = list(names) or [model]
    loaded = [
        open_engine(name, engine=engine, beam=beam, quiet=quiet or as_json, llm=llm)
        for name in to_load
    ]
    with open_store(db) as store, progress_bar(file.name, enabled=not quiet) as progress:
        doc_id = import_file(
            store, file, title=title, engine=loaded if names else loaded[0],
            created_by=editor or editor_default(), segment_mode=segment_mode,
            progress=progress, format=input_format, field=field, column=column,
            from_scratch=from_scratch, seed=seed, force_source_language=force_source_language,
            overwrite=overwrite_states,
        )  # fmt: skip
    print(json.dumps({"document_id": doc_id}) if as_json else doc_id)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
