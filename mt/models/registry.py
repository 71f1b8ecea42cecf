"""Known Korean→English models: hub ids, families and their published scores."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ModelInfo:
    """A real model users can load from the Hugging Face hub.

    `scores` maps a test set to its published (BLEU, chrF): FLORES-200 devtest and NTREX-128,
    from the OPUS-MT leaderboard and the NLLB paper's released metrics.
    """

    hub_id: str
    family: str  # "marian" | "nllb" | "m2m100"
    description: str
    parameters: str
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)
    revision: str | None = None  # pin a commit hash here once verified on a connected machine


MODELS: dict[str, ModelInfo] = {
    "opus-mt-ko-en": ModelInfo(
        hub_id="Helsinki-NLP/opus-mt-ko-en",
        family="marian",
        description="OPUS-MT Korean→English, Marian transformer-base (default)",
        parameters="78M",
        scores={"flores200-devtest": (20.3, 49.8), "ntrex128": (19.4, 48.0)},
    ),
    "opus-mt-tc-big-ko-en": ModelInfo(
        hub_id="Helsinki-NLP/opus-mt-tc-big-ko-en",
        family="marian",
        description="OPUS-MT Tatoeba Challenge transformer-big Korean→English",
        parameters="240M",
        scores={"flores200-devtest": (27.7, 56.6), "ntrex128": (26.1, 54.6)},
    ),
    "nllb-200-distilled-600M": ModelInfo(
        hub_id="facebook/nllb-200-distilled-600M",
        family="nllb",
        description="NLLB-200 distilled 600M, many-to-many (kor_Hang → eng_Latn)",
        parameters="600M",
        scores={"flores200-devtest": (25.1, 54.1)},
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
