"""`transdesk translate`: files, folders or stdin in; translated files or stdout out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from mt.commands.common import (
    ConcurrencyOption,
    ContextOption,
    EndpointOption,
    FallbackOption,
    ForceSourceOption,
    OverwriteOption,
    PromptOption,
    StyleOption,
    TemperatureOption,
    TimeoutOption,
)
from mt.errors import InputError, TransdeskError


def _collect_inputs(inputs: list[Path]) -> list[tuple[Path, Path | None]]:
    """(file, folder it came from or None): folders are walked for files with a known format."""
    from mt import formats
    from mt.checkpoint import SUFFIX

    found: list[tuple[Path, Path | None]] = []
    for path in inputs:
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in formats.FORMATS
                and not p.name.endswith(SUFFIX)
                and not p.name.startswith(".")
            )
            if not files:
                raise InputError(f"{path}: folder has no files in a known format")
            found.extend((f, path) for f in files)
        elif path.exists():
            found.append((path, None))
        else:
            raise InputError(f"{path}: no such file or folder")
    return found


def _output_for(
    file: Path, root: Path | None, out: Path | None, out_format: str | None, many: bool
) -> Path:
    from mt.batch import output_path_for
    from mt.formats.base import make_folder

    if root is not None and out is not None:
        target = out / file.relative_to(root)
        make_folder(target.parent)
        return output_path_for(file, target.parent, out_format)
    if many and out is not None:
        make_folder(out)
        return output_path_for(file, out, out_format)
    return output_path_for(file, out, out_format)


def translate(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders to translate; '-' or nothing reads stdin.", show_default=False
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Output file, or folder for several inputs; '-' for stdout. "
            "Default: <name>.en.<ext> next to each input.",
        ),
    ] = None,
    out_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Output format (txt, docx, jsonl, csv, tsv, xliff, tmx); default from "
            "the output's extension, else the input's.",
        ),
    ] = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--input-format", help="Input format when it cannot be told from the name (stdin)."
        ),
    ] = None,
    field: Annotated[str | None, typer.Option(help="JSONL field holding the Korean text.")] = None,
    column: Annotated[
        str | None, typer.Option(help="CSV/TSV column holding the Korean text.")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Registry name, hub id (org/name[@revision]), local folder, or 'test' (the "
            "offline test model: random weights, not a translation). Default: env "
            "TRANSDESK_MODEL, else opus-mt-ko-en."
        ),
    ] = None,
    engine: Annotated[str, typer.Option(help="auto, transformers or ctranslate2.")] = "auto",
    beam: Annotated[int, typer.Option(min=1, max=16, help="Beam size (1 = greedy).")] = 4,
    batch_tokens: Annotated[int, typer.Option(min=16, help="Token budget per batch.")] = 2048,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    segment_mode: Annotated[
        str, typer.Option("--segment", help="sentence (split with kiwipiepy) or line.")
    ] = "sentence",
    resume: Annotated[
        bool, typer.Option(help="Continue an interrupted job from its checkpoint.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes.")] = False,
    ray: Annotated[
        bool,
        typer.Option(
            "--ray",
            help="Run the batches on a Ray cluster (one model per worker): --ray-address, "
            "else RAY_ADDRESS, else a local instance on this machine.",
        ),
    ] = False,
    ray_address: Annotated[
        str | None,
        typer.Option(
            help="Ray cluster address (auto, host:6379 or ray://host:10001); implies --ray."
        ),
    ] = None,
    ray_workers: Annotated[
        int | None,
        typer.Option(min=1, help="Ray workers (default: cluster CPUs ÷ 2, or its GPUs)."),
    ] = None,
    endpoint: EndpointOption = None,
    prompt: PromptOption = None,
    style: StyleOption = None,
    temperature: TemperatureOption = 0.0,
    context: ContextOption = 3,
    fallback_model: FallbackOption = None,
    concurrency: ConcurrencyOption = 4,
    timeout: TimeoutOption = 60.0,
    overwrite: OverwriteOption = None,
    force_source_language: ForceSourceOption = False,
) -> None:
    """Translate Korean files into English drafts (txt, docx, jsonl, csv/tsv, XLIFF, TMX)."""
    from mt import formats
    from mt.batch import translate_parsed
    from mt.checkpoint import checkpoint_path
    from mt.commands.common import llm_options, open_engine, progress_bar, warn
    from mt.segment import check_mode

    paths = inputs or [Path("-")]
    use_stdin = [str(p) for p in paths] == ["-"]
    if out_format:
        formats.detect_format("x", out_format)  # validates the name early
    check_mode(segment_mode)
    from mt.formats.existing import parse_overwrite

    overwrite_states = parse_overwrite(overwrite)
    jobs: list[tuple[str, bytes, Path | None, Path | None]] = []  # name, data, file, output
    to_stdout = output is not None and str(output) == "-"
    if use_stdin:
        from mt.formats.base import check_size
        from mt.formats.limits import MAX_INPUT_BYTES

        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        check_size(data, "<stdin>")
        jobs.append(("<stdin>", data, None, None if (output is None or to_stdout) else output))
    else:
        files = _collect_inputs(paths)
        many = len(files) > 1 or any(root is not None for _, root in files)
        if many and to_stdout:
            raise TransdeskError("several inputs cannot all be written to stdout")
        if many and output is not None and output.exists() and not output.is_dir():
            raise TransdeskError(f"{output}: several inputs need an output folder, not a file")
        for in_file, root in files:
            target = None if to_stdout else _output_for(in_file, root, output, out_format, many)
            if target is not None and target.resolve() == in_file.resolve():
                raise TransdeskError(f"{in_file}: output would overwrite the input")
            jobs.append((str(in_file), b"", in_file, target))

    def parse(name: str, data: bytes, file: Path | None) -> tuple[bytes, Any]:
        if file is not None:
            data = _read_bytes(file)
        fmt = input_format or (None if file is not None else "txt")
        return data, formats.read_bytes(
            data,
            name,
            format=fmt,
            field=field,
            column=column,
            overwrite=overwrite_states,
            force_source_language=force_source_language,
        )

    # Every output location is checked before the model loads: a missing or read-only folder
    # fails now, not after the model has loaded and the first batch is done.
    from mt.formats.base import check_output

    for _name, _data, _file, target in jobs:
        if target is not None:
            check_output(target)
    # One input: a bad file or output name fails now, not after seconds of loading the model
    # (with several, each failure is reported in turn and the other files still translate).
    first = None
    if len(jobs) == 1:
        first = parse(*jobs[0][:3])
        formats.output_format(first[1], jobs[0][3], out_format)
    loaded = open_engine(
        model,
        engine=engine,
        device=device,
        beam=beam,
        batch_tokens=batch_tokens,
        quiet=quiet,
        llm=llm_options(
            endpoint=endpoint,
            prompt=prompt,
            style=style,
            temperature=temperature,
            context=context,
            fallback_model=fallback_model,
            concurrency=concurrency,
            timeout=timeout,
        ),
    )
    from mt.engines.llm import LLMEngine

    executor = None
    if (ray or ray_address) and isinstance(loaded, LLMEngine):
        raise TransdeskError("LLM drafting runs in this process; it cannot run on a Ray cluster")
    if ray or ray_address:
        from mt.distributed import ray_executor

        executor = ray_executor(loaded, address=ray_address, workers=ray_workers)
    failures: list[TransdeskError] = []
    for name, data, file, target in jobs:
        try:
            data, parsed = first if first is not None else parse(name, data, file)
            if target is not None and not resume and checkpoint_path(target).exists():
                warn(
                    f"{checkpoint_path(target)}: an interrupted job's checkpoint is discarded "
                    "and the job starts again (pass --resume to continue it instead)"
                )
            with progress_bar(Path(name).name, enabled=not quiet) as progress:
                result, written = translate_parsed(
                    parsed,
                    loaded,
                    data=data,
                    output=target,
                    out_format=out_format,
                    beam=beam,
                    batch_tokens=batch_tokens,
                    segment_mode=segment_mode,
                    resume=resume,
                    progress=progress,
                    executor=executor,
                    notice=warn,
                )
            if written is not None:
                sys.stdout.buffer.write(written)
                sys.stdout.flush()
            elif not quiet:
                note = (
                    f" (resumed {result.resumed_batches}/{result.batches} batches)"
                    if result.resumed_batches
                    else ""
                )
                print(
                    f"{name} → {target}: {result.units} units, {result.sentences} sentences{note}",
                    file=sys.stderr,
                )
        except TransdeskError as e:
            if len(jobs) == 1:
                raise
            print(f"Error: {e}", file=sys.stderr)
            failures.append(e)
    if failures:
        raise SystemExit(max(e.exit_code for e in failures))


def _read_bytes(file: Path) -> bytes:
    from mt.formats.base import read_path

    return read_path(file)


def register(app: typer.Typer) -> None:
    app.command("translate")(translate)
