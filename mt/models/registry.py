"""Known Korean→English models: hub ids, families, licenses and their published scores.

Translation models (Marian, NLLB) draft sentence by sentence; instruction LLMs (family
"causal-lm") draft with the article's context through `mt.engines.llm`. Check each license
before use: `models list` shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ModelInfo:
    """A real model users can load from the Hugging Face hub.

    `scores` maps a test set to its published (BLEU, chrF): FLORES-200 devtest and NTREX-128,
    from the OPUS-MT leaderboard and the NLLB paper's released metrics.
    """

    hub_id: str
    family: str  # "marian" | "nllb" | "m2m100" | "causal-lm"
    description: str
    parameters: str
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)
    revision: str | None = None  # pin a commit hash here once verified on a connected machine
    license: str = ""
    prompt: str | None = None  # prompt template family of an LLM (mt/engines/prompts)
    remote_code: bool = False  # the hub repository's own modelling code must run


MODELS: dict[str, ModelInfo] = {
    "opus-mt-ko-en": ModelInfo(
        hub_id="Helsinki-NLP/opus-mt-ko-en",
        family="marian",
        description="OPUS-MT Korean→English, Marian transformer-base (default)",
        parameters="78M",
        scores={"flores200-devtest": (20.3, 49.8), "ntrex128": (19.4, 48.0)},
        license="CC-BY-4.0",
    ),
    "opus-mt-tc-big-ko-en": ModelInfo(
        hub_id="Helsinki-NLP/opus-mt-tc-big-ko-en",
        family="marian",
        description="OPUS-MT Tatoeba Challenge transformer-big Korean→English",
        parameters="240M",
        scores={"flores200-devtest": (27.7, 56.6), "ntrex128": (26.1, 54.6)},
        license="CC-BY-4.0",
    ),
    "nllb-200-distilled-600M": ModelInfo(
        hub_id="facebook/nllb-200-distilled-600M",
        family="nllb",
        description="NLLB-200 distilled 600M, many-to-many (kor_Hang → eng_Latn)",
        parameters="600M",
        scores={"flores200-devtest": (25.1, 54.1)},
        license="CC-BY-NC-4.0 (non-commercial)",
    ),
    "qwen2.5-3b-instruct": ModelInfo(
        hub_id="Qwen/Qwen2.5-3B-Instruct",
        family="causal-lm",
        description="Qwen2.5 3B instruction LLM (multilingual, Korean included)",
        parameters="3.1B",
        license="Qwen Research License (research and non-commercial use)",
        prompt="qwen",
    ),
    "exaone-3.5-2.4b-instruct": ModelInfo(
        hub_id="LGAI-EXAONE/EXAONE-3.5-2.4B-Instruct",
        family="causal-lm",
        description="LG AI Research EXAONE 3.5 2.4B instruction LLM (Korean and English)",
        parameters="2.4B",
        license="EXAONE AI Model License 1.1 - NC (non-commercial)",
        prompt="exaone",
        remote_code=True,
    ),
    "gemma-3-4b-it": ModelInfo(
        hub_id="google/gemma-3-4b-it",
        family="causal-lm",
        description="Google Gemma 3 4B instruction-tuned (140+ languages); gated on the hub",
        parameters="4.3B",
        license="Gemma Terms of Use (accept on the hub before downloading)",
        prompt="gemma",
    ),
}

DEFAULT_MODEL = "opus-mt-ko-en"

# `--model test`: the offline test model (random weights, built once in the user's cache). It
# lets the CLI and the web app be tried without the hub; its output is not a translation.
TEST_MODEL_NAME = "test"

# Language codes each family expects for Korean→English.
LANGUAGE_CODES: dict[str, tuple[str, str]] = {
    "marian": ("", ""),
    "nllb": ("kor_Hang", "eng_Latn"),
    "m2m100": ("ko", "en"),
}


def lookup(name: str) -> ModelInfo | None:
    """The registry entry for a short name or a hub id, or None for anything else."""
    if name in MODELS:
        return MODELS[name]
    for info in MODELS.values():
        if info.hub_id == name:
            return info
    return None
