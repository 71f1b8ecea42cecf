"""Process-wide resources (store, models) and settings of the web app, read from the environment.

`transdesk ui` passes its options as environment variables, so `streamlit run ui/app.py` and the
command behave the same:
- TRANSDESK_DB: the database URL (default: the store's default SQLite file);
- TRANSDESK_MODEL: the model drafts come from (default: the registry default, or an offline test
  model when that cannot be loaded here);
- TRANSDESK_MAX_UPLOAD_MB: the largest upload accepted (default 20).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import streamlit as st

from mt import store as repo

if TYPE_CHECKING:
    from mt.engines import Engine
    from mt.engines.llm import LLMEngine
    from mt.engines.prompting import PromptTemplate

DEFAULT_MAX_UPLOAD_MB = 20


@dataclass(frozen=True)
class ModelChoice:
    """A model the app can draft with; `is_test_model` when it is the offline test model."""

    model: str
    is_test_model: bool
    note: str = ""


def max_upload_bytes() -> int:
    """The upload size limit in bytes (TRANSDESK_MAX_UPLOAD_MB, default 20 MB)."""
    raw = os.environ.get("TRANSDESK_MAX_UPLOAD_MB", "")
    try:
        megabytes = float(raw) if raw else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        megabytes = DEFAULT_MAX_UPLOAD_MB
    return int(max(megabytes, 0.001) * 1024 * 1024)


def db_url() -> str:
    """The database URL this process uses."""
    return repo.default_url()


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> repo.Store:
    return repo.open_store(url)


def store() -> repo.Store:
    """The process's one open store (opened, and migrated, on first use)."""
    return _open_store(db_url())


@st.cache_resource(show_spinner="Finding the translation model…")
def default_model() -> ModelChoice:
    """The model drafts come from unless the editor picks another one.

    TRANSDESK_MODEL when set; otherwise the registry default, replaced by a cached offline test
    model when the hub cannot be reached.
    """
    env = os.environ.get("TRANSDESK_MODEL")
    if env:
        return ModelChoice(env, is_test_model_id(env))
    from mt.models import default_model_or_test

    model, is_test = default_model_or_test()
    note = "the default model could not be loaded here" if is_test else ""
    return ModelChoice(str(model), is_test, note)


def is_test_model_id(model_id: str | None) -> bool:
    """Whether drafts recorded with this model id came from an offline test model folder."""
    if not model_id:
        return False
    from pathlib import Path

    from mt.models import TEST_MODEL_NAME
    from mt.models.build_test import is_test_model

    if model_id == TEST_MODEL_NAME:
        return True

    path = Path(model_id)
    return path.is_dir() and bool(is_test_model(path))


def desk_model() -> str | None:
    """The desk's drafting model version (promoted by `transdesk adapt` or chosen by an admin
    in Settings), or None when the desk drafts with the default model. Read on every run, so a
    switch takes effect for every editor at once."""
    from mt.adapt.versions import desk_model as current

    return current(store())


def model_choices() -> list[str]:
    """Models offered in the picker: the desk's drafting model version (when one is set), the
    default, then the registry's other models."""
    from mt.models import MODELS

    default = default_model().model
    desk = desk_model()
    first = [desk] if desk and desk != default else []
    return [*first, default, *(name for name in MODELS if name not in (default, desk))]


@st.cache_resource(show_spinner="Loading the translation model (once per server)…", max_entries=4)
def engine(model: str, kind: str = "auto") -> Engine:
    """The loaded engine for `model`, shared by every session of this process."""
    from mt.engines import load_engine

    return load_engine(model, engine=kind)


def desk_prompt() -> PromptTemplate | None:
    """The desk's LLM prompt template (Settings) as a `PromptTemplate`, or None when drafts use
    the model family's template. Read on every run, so a change reaches every editor at once."""
    from mt.desk import desk_prompt_text
    from mt.engines.prompting import PromptTemplate

    text = desk_prompt_text(store())
    return None if text is None else PromptTemplate.load(text=text)


@st.cache_resource(show_spinner=False, max_entries=4)
def _prompted(model: str, kind: str, sha256: str, _prompt: PromptTemplate) -> LLMEngine:
    llm = cast("LLMEngine", engine(model, kind))  # drafting_engine asks only for an LLM's
    return llm.with_prompt(_prompt)


def drafting_engine(model: str, kind: str = "auto") -> Engine:
    """The engine the desk drafts `model` with: an LLM uses the desk's prompt template (the
    loaded model is shared; only the prompt differs)."""
    from mt.engines.llm import LLMEngine

    loaded = engine(model, kind)
    prompt = desk_prompt() if isinstance(loaded, LLMEngine) else None
    if prompt is None:
        return loaded
    return _prompted(model, kind, prompt.sha256, prompt)
