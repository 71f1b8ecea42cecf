"""Translation engines behind one interface, and `load_engine` to pick and load one."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mt.engines.base import DecodingOptions, Engine, Plan
from mt.errors import InputError, ModelError, TransdeskError
from mt.models.build_test import decoding_overrides, is_test_model
from mt.models.hub import resolve_model
from mt.models.registry import DEFAULT_MODEL, lookup

ENGINES = {
    "transformers": "mt.engines.hf.HFEngine",
    "ctranslate2": "mt.engines.ct2.CT2Engine",
    "llm-transformers": "mt.engines.llm_local.LocalLLMEngine",
    "llm-ctranslate2": "mt.engines.llm_ct2.CT2LLMEngine",
    "endpoint": "mt.engines.llm_endpoint.EndpointEngine",
}
# The backend choice (`--engine`) and the engine that runs a causal LM on it.
_LLM_BACKENDS = {"transformers": "llm-transformers", "ctranslate2": "llm-ctranslate2"}
_BACKENDS = ("transformers", "ctranslate2")

__all__ = [
    "ENGINES",
    "DecodingOptions",
    "Engine",
    "LLMOptions",
    "Plan",
    "load_engine",
    "pick_engine",
]


@dataclass(frozen=True)
class LLMOptions:
    """How to draft with an LLM (ignored by NMT models).

    Arguments:
        endpoint: an OpenAI-compatible base URL; the model is then its model name.
        prompt: a prompt template file (default: `prompt_text`).
        prompt_text: the desk's prompt template, as text (default: the package's template for
            the model family); an explicit `prompt` file wins.
        style: a house-style notes file (default: the package's notes).
        temperature: 0 (the default) decodes greedily.
        context: previous sentences given as context.
        fallback_model: the NMT model for sentences whose replies fail validation twice
            (default: the registry default); "none" for no fallback (such a sentence is an error).
        concurrency, timeout, retries: endpoint requests in flight, seconds to wait, retries.
    """

    endpoint: str | None = None
    prompt: str | None = None
    prompt_text: str | None = None
    style: str | None = None
    temperature: float = 0.0
    context: int = 3
    fallback_model: str | None = None
    concurrency: int = 4
    timeout: float = 60.0
    retries: int = 4
    validate: bool = True


def _engine_class(name: str) -> Callable[..., Engine]:
    """The backend class `name` (each takes the model folder, then its own keyword options)."""
    module_name, class_name = ENGINES[name].rsplit(".", 1)
    return getattr(importlib.import_module(module_name), class_name)


def pick_engine(requested: str = "auto") -> str:
    """The backend to use: CTranslate2 when installed (several times faster), else transformers."""
    if requested != "auto":
        if requested not in _BACKENDS:
            raise TransdeskError(
                f"unknown engine {requested!r}; choose auto, {', '.join(_BACKENDS)}"
            )
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
    llm: LLMOptions | None = None,
    **engine_options,
) -> Engine:
    """Load a model by registry name, hub id or folder, on the chosen backend.

    A causal LM (an instruction model such as Qwen2.5-Instruct) is loaded as an LLM engine on
    that backend; with `llm.endpoint`, `model` names the endpoint's model.

    Raises:
        ModelError: the model cannot be found or loaded; the message says what to do.
    """
    llm = llm or LLMOptions()
    if llm.endpoint:
        if not model:
            raise TransdeskError("an endpoint needs the name of its model")
        from mt.engines.llm_endpoint import EndpointEngine

        return EndpointEngine(
            llm.endpoint,
            model=model,
            settings=_llm_settings(llm, "generic", engine=engine, device=device),
            timeout=llm.timeout,
            retries=llm.retries,
            concurrency=llm.concurrency,
            batch_tokens=batch_tokens,
        )
    source = resolve_model(model, revision=revision)
    name = pick_engine(engine)
    options = DecodingOptions(beam_size=beam_size, **decoding_overrides(source.path))
    causal = causal_lm_family(source.path)
    if causal is not None:
        info = lookup(model) if model else None
        engine_options.setdefault("trust_remote_code", bool(info and info.remote_code))
        engine_options["settings"] = _llm_settings(
            llm, (info.prompt if info and info.prompt else causal), engine=engine, device=device
        )
        if engine == "auto" and info is not None and info.remote_code:
            name = "transformers"  # CTranslate2 cannot convert a model defined by its own code
        name = _LLM_BACKENDS[name]
    cls = _engine_class(name)
    try:
        if causal is not None:
            return cls(
                source.path,
                model_id=source.model_id,
                revision=source.revision,
                is_test_model=is_test_model(source.path),
                device=device,
                batch_tokens=batch_tokens,
                threads=threads,
                **engine_options,
            )
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


def _llm_settings(llm: LLMOptions, family: str, *, engine: str, device: str):
    """The prompt, decoding and fallback settings of an LLM engine."""
    from mt.engines.llm import LLMEngine, LLMSettings
    from mt.engines.prompting import PromptTemplate

    style = None
    if llm.style is not None:
        try:
            style = Path(llm.style).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"{llm.style}: cannot read the house-style notes ({e})") from None
    template = PromptTemplate.load(llm.prompt, family=family, style=style, text=llm.prompt_text)
    fallback_name = llm.fallback_model or DEFAULT_MODEL
    fallback = None
    if fallback_name.lower() != "none":

        def fallback() -> Engine:
            loaded = load_engine(fallback_name, engine=engine, device=device)
            if isinstance(loaded, LLMEngine):  # an LLM cannot stand in for itself
                raise ModelError(f"fallback model {fallback_name}: must be a translation model")
            return loaded

    return LLMSettings(
        prompt=template,
        temperature=llm.temperature,
        context=llm.context,
        fallback=fallback,
        fallback_name=None if fallback is None else fallback_name,
        validate=llm.validate,
    )


def causal_lm_family(model_dir: Path) -> str | None:
    """The prompt family ("qwen", "exaone", "gemma", "generic") of a causal LM folder, or None
    for a translation (encoder-decoder) model."""
    import json

    try:
        config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    architectures = config.get("architectures") or []
    model_type = str(config.get("model_type", ""))
    causal = any(a.endswith("ForCausalLM") for a in architectures) or model_type.startswith(
        "gemma3"
    )
    if not causal:
        return None
    for family in ("qwen", "exaone", "gemma"):
        if model_type.startswith(family):
            return family
    return "generic"
