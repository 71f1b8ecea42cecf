"""Translation engines behind one interface, and `load_engine` to pick and load one."""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path

from mt.engines.base import DecodingOptions, Engine, Plan
from mt.errors import ModelError, TransdeskError
from mt.models.build_test import decoding_overrides, is_test_model
from mt.models.hub import resolve_model

ENGINES = {
    "transformers": "mt.engines.hf.HFEngine",
    "ctranslate2": "mt.engines.ct2.CT2Engine",
}

__all__ = ["ENGINES", "DecodingOptions", "Engine", "Plan", "load_engine", "pick_engine"]


def _engine_class(name: str) -> type[Engine]:
    module_name, class_name = ENGINES[name].rsplit(".", 1)
    return getattr(importlib.import_module(module_name), class_name)


def pick_engine(requested: str = "auto") -> str:
    """The backend to use: CTranslate2 when installed (several times faster), else transformers."""
    if requested != "auto":
        if requested not in ENGINES:
            raise TransdeskError(f"unknown engine {requested!r}; choose auto, {', '.join(ENGINES)}")
        return requested
    try:
        importlib.import_module("ctranslate2")
    except ImportError:
        return "transformers"
    return "ctranslate2"


def load_engine(
    model: str | None = None,
    *,
    engine: str = "auto",
    device: str = "auto",
    revision: str | None = None,
    beam_size: int = 4,
    batch_tokens: int = 2048,
    threads: int | None = None,
    **engine_options,
) -> Engine:
    """Load a model by registry name, hub id or folder, on the chosen backend.

    Raises:
        ModelError: the model cannot be found or loaded; the message says what to do.
    """
    source = resolve_model(model, revision=revision)
    name = pick_engine(engine)
    options = DecodingOptions(beam_size=beam_size, **decoding_overrides(source.path))
    cls = _engine_class(name)
    try:
        return cls(
            source.path,
            model_id=source.model_id,
            revision=source.revision,
            is_test_model=is_test_model(source.path),
            device=device,
            options=options,
            batch_tokens=batch_tokens,
            threads=threads,
            **engine_options,
        )
    except ImportError as e:
        raise ModelError(f"engine {name} is not installed ({e.name})") from None


@lru_cache(maxsize=4)
def cached_engine(model: str | None = None, engine: str = "auto", device: str = "auto") -> Engine:
    """One loaded engine per (model, backend, device) per process."""
    return load_engine(model, engine=engine, device=device)


def model_path(model: str | None) -> Path:
    """The local folder of a model (for tools that need its files)."""
    return resolve_model(model).path
