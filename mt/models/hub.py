"""Find a model's files: a local folder, the Hugging Face cache, or the hub (pinned revision)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mt.errors import ModelError
from mt.models.registry import DEFAULT_MODEL, TEST_MODEL_NAME, lookup

# What a translation checkpoint needs; weights in either format, tokenizer in any of the families.
_ALLOW_PATTERNS = [
    "*.json",
    "*.spm",
    "*.model",
    "*.txt",
    "*.jinja",  # chat templates of instruction LLMs
    "*.py",  # modelling code of models that need it (run only when the registry says so)
    "*.safetensors",
    "pytorch_model.bin",
]


@dataclass(frozen=True)
class ModelSource:
    """Where a model's files are, and what it is called."""

    path: Path
    model_id: str
    revision: str | None


def _snapshot_revision(path: Path) -> str | None:
    # Hub cache layout: .../models--org--name/snapshots/<commit hash>/
    if path.parent.name == "snapshots":
        return path.name
    return None


def _snapshot_id(path: Path) -> str | None:
    """`org/name` of a hub-cache snapshot folder (``models--org--name/snapshots/<hash>``)."""
    repo = path.parent.parent.name
    if path.parent.name == "snapshots" and repo.startswith("models--"):
        return repo[len("models--") :].replace("--", "/")
    return None


def resolve_model(
    model: str | None = None, *, revision: str | None = None, offline: bool | None = None
) -> ModelSource:
    """Turn a model name, hub id or folder into a local folder with its files.

    Arguments:
        model: a registry short name, a hub id (``org/name``, optionally ``org/name@revision``),
            a local folder, or ``test`` (the offline test model). None means the environment's
            ``TRANSDESK_MODEL``, else the registry default.
        revision: a branch, tag or commit hash to pin (hub ids only).
        offline: only look in the local cache; default from ``HF_HUB_OFFLINE``.

    Raises:
        ModelError: the folder lacks a model, or the model is neither cached nor downloadable.
    """
    name = model or os.environ.get("TRANSDESK_MODEL") or DEFAULT_MODEL
    # The offline test model is a local folder like any other (named and fingerprinted below).
    path = test_model_folder() if name == TEST_MODEL_NAME else Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise ModelError(f"{path}: not a model folder (no config.json)")
        # Named by folder name (never the server's path) and pinned by content: a hub snapshot
        # by its commit hash, any other folder by its fingerprint (mt.models.provenance).
        from mt.models.provenance import fingerprint

        path = path.resolve()
        commit = _snapshot_revision(path)
        hub = _snapshot_id(path) if commit else None
        if hub and commit:
            return ModelSource(path=path, model_id=hub, revision=commit)
        return ModelSource(path=path, model_id=path.name, revision=fingerprint(path))
    if "@" in name and revision is None:
        name, revision = name.split("@", 1)
    info = lookup(name)
    hub_id = info.hub_id if info else name
    if info and revision is None:
        revision = info.revision
    if "/" not in hub_id and not info:
        raise ModelError(f"{name}: no such model folder, and not a hub id (expected org/name)")
    if offline is None:
        offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")
    folder = _download(hub_id, revision, offline)
    # The exact commit the snapshot holds (a branch or tag name moves; the hash does not).
    return ModelSource(
        path=folder, model_id=hub_id, revision=_snapshot_revision(folder) or revision
    )


def test_model_folder() -> Path:
    """The offline test model (`--model test`) in the user's cache folder, built on first use."""
    from platformdirs import user_cache_dir

    from mt.models.build_test import cached_test_model

    return cached_test_model(Path(user_cache_dir("transdesk")) / "test-model-tiny")


def _download(hub_id: str, revision: str | None, offline: bool) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    try:
        folder = snapshot_download(
            hub_id, revision=revision, allow_patterns=_ALLOW_PATTERNS, local_files_only=offline
        )
    except LocalEntryNotFoundError:
        raise ModelError(
            f"model {hub_id} is not in the local Hugging Face cache and the hub cannot be reached"
            f"{' (HF_HUB_OFFLINE is set)' if offline else ''}; pass a local model folder with "
            f"--model PATH, or run 'transdesk models download {hub_id}' on a connected machine "
            f"and copy its cache here; to try Transdesk offline, use --model {TEST_MODEL_NAME} "
            "(a random-weight test model: its output is not a translation)"
        ) from None
    except HfHubHTTPError as e:
        raise ModelError(
            f"model {hub_id}: the hub refused it ({e.response.status_code}); "
            "check the id and revision"
        ) from None
    except (OSError, ValueError) as e:
        raise ModelError(f"model {hub_id}: cannot be fetched ({e})") from None
    return Path(folder)


def download_model(model: str, *, revision: str | None = None) -> ModelSource:
    """Download a hub model into the local cache (for `transdesk models download`)."""
    return resolve_model(model, revision=revision, offline=False)
