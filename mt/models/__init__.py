"""Models: the registry of real hub models, hub resolution, and offline test models."""

from __future__ import annotations

from mt.errors import ModelError
from mt.models.registry import DEFAULT_MODEL, MODELS, TEST_MODEL_NAME, ModelInfo, lookup

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "TEST_MODEL_NAME",
    "ModelInfo",
    "default_model_or_test",
    "lookup",
]


def default_model_or_test(model: str | None = None) -> tuple[str, bool]:
    """The model to run the app with: `model` (or the default hub model) if it can be loaded
    from a folder or the local cache, else a tiny offline test model, built once and cached.

    Returns:
        (model folder or id, True when it is the offline test model).
    """
    from mt.models.build_test import is_test_model
    from mt.models.hub import resolve_model

    try:
        source = resolve_model(model or DEFAULT_MODEL)
        return str(source.path), is_test_model(source.path)
    except ModelError:
        if model and model != DEFAULT_MODEL:
            raise  # an explicit choice that fails is an error, not a reason to fall back
    return str(resolve_model(TEST_MODEL_NAME).path), True
