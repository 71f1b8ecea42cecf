"""`transdesk models`: list known models, download, convert to CTranslate2, build test models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

models_app = typer.Typer(
    help="List, download and convert models; build offline test models.", no_args_is_help=True
)


@models_app.command("list")
def list_models(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the registry's Korean→English models with their licenses and published scores."""
    from mt.models.registry import DEFAULT_MODEL, MODELS, TEST_MODEL_NAME

    rows = [
        {
            "name": name,
            "hub_id": m.hub_id,
            "family": m.family,
            "parameters": m.parameters,
            "license": m.license,
            "revision": m.revision,
            "default": name == DEFAULT_MODEL,
            "scores": {k: {"bleu": v[0], "chrf": v[1]} for k, v in m.scores.items()},
        }
        for name, m in MODELS.items()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console

    from mt.commands.common import print_records

    print_records(
        Console(),
        "Korean→English models (published BLEU / chrF)",
        [
            {
                "name": name + (" (default)" if name == DEFAULT_MODEL else ""),
                "hub id": m.hub_id,
                "family": m.family,
                "parameters": m.parameters,
                "license": m.license or "unknown",
                **{
                    label: (f"{m.scores[key][0]} / {m.scores[key][1]}" if key in m.scores else "-")
                    for key, label in (
                        ("flores200-devtest", "FLORES-200 devtest"),
                        ("ntrex128", "NTREX-128"),
                    )
                },
            }
            for name, m in MODELS.items()
        ],
    )
    typer.echo(f"Offline, '--model {TEST_MODEL_NAME}' drafts with a random-weight test model.")


@models_app.command("download")
def download(
    model: Annotated[str, typer.Argument(help="Registry name or hub id (org/name).")],
    revision: Annotated[str | None, typer.Option(help="Branch, tag or commit to pin.")] = None,
) -> None:
    """Download a hub model into the local Hugging Face cache (on a connected machine)."""
    from mt.models.hub import download_model

    source = download_model(model, revision=revision)
    typer.echo(str(source.path))


@models_app.command("convert")
def convert(
    model: Annotated[str, typer.Argument(help="Model folder, registry name or hub id.")],
    quantization: Annotated[
        str, typer.Option(help="int8, int8_float16, float16 or float32.")
    ] = "int8",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Folder to write (default: cached next to the model)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Convert again even if up to date.")] = False,
) -> None:
    """Convert a transformers model to CTranslate2 (cached; later runs reuse it)."""
    from mt.engines.ct2 import convert_model
    from mt.models.hub import resolve_model

    source = resolve_model(model)
    typer.echo(
        str(convert_model(source.path, quantization=quantization, out_dir=output, force=force))
    )


@models_app.command("build-test")
def build_test(
    folder: Annotated[Path, typer.Argument(help="Folder to write the model to.")],
    size: Annotated[
        str,
        typer.Option(
            help="tiny (seconds, for tests) or full (opus-mt-ko-en's shape, for benchmarks); "
            "causal-lm: tiny or small (Qwen2.5-0.5B's shape)."
        ),
    ] = "tiny",
    family: Annotated[
        str,
        typer.Option(help="translation (a Marian model) or causal-lm (a Llama-style chat LLM)."),
    ] = "translation",
    text: Annotated[
        list[Path] | None,
        typer.Option(
            help="UTF-8 text to train sentencepiece on (repeatable); default: the checkout's "
            "tests/data or samples/."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1234,
) -> None:
    """Build an offline test model: real sentencepiece, random weights. Not a translator."""
    from mt.commands.common import warn
    from mt.models.build_test import TEST_MODEL_WARNING, build_test_model

    if family == "causal-lm":
        from mt.models.build_test_llm import build_test_causal_lm

        out = build_test_causal_lm(folder, size=size, text_files=text, seed=seed)
    elif family == "translation":
        out = build_test_model(folder, size=size, text_files=text, seed=seed)
    else:
        from mt.errors import TransdeskError

        raise TransdeskError(f"unknown model family {family!r}; choose translation or causal-lm")
    warn(f"{out}: {TEST_MODEL_WARNING}")
    typer.echo(str(out))


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
