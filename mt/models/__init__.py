"""Models: the registry of real hub models, hub resolution, and offline test models."""

from __future__ import annotations

from pathlib import Path

from mt.errors import ModelError
from mt.models.registry import DEFAULT_MODEL, MODELS, ModelInfo, lookup

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "ModelInfo",
    "default_model_or_test",
    "lookup",
    "test_model_cache",
]


def test_model_cache() -> Path:
    """Where the fallback offline test model is built (the user's cache folder)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("transdesk")) / "test-model-tiny"


def default_model_or_test(model: str | None = None) -> tuple[str, bool]:
    """The model to run the app with: `model` (or the default hub model) if it can be loaded
    from a folder or the local cache, else a tiny offline test model, built once and cached.

    Returns:
        (model folder or id, True when it is the offline test model).
    """
    from mt.models.build_test import build_test_model, is_test_model
    from mt.models.hub import resolve_model

    try:
        source = resolve_model(model or DEFAULT_MODEL)
        return str(source.path), is_test_model(source.path)
    except ModelError:
        if model and model != DEFAULT_MODEL:
            raise  # an explicit choice that fails is an error, not a reason to fall back
    folder = test_model_cache()
    if not is_test_model(folder):
        build_test_model(folder, size="tiny")
    return str(folder), True
