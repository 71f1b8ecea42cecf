"""Which model drafted: a hub model's commit hash, a local folder's content fingerprint, labels.

A draft's model is (id, revision) (design.md). For a hub model the revision is the commit hash
of the snapshot it was loaded from (`.../models--org--name/snapshots/<hash>/`). A local folder
is named by its folder name, never by its absolute path on the server, and its revision is a
content fingerprint, ``sha256:<hex>``, over its weight, tokenizer and config files (the
top-level files a translation checkpoint needs: ``*.json``, ``*.spm``, ``*.model``, ``*.txt``,
``*.safetensors``, ``pytorch_model.bin``; a CTranslate2 conversion cached inside the folder is
not part of it). Hashing a large checkpoint takes seconds, so the fingerprint is computed once
and cached, keyed by each file's name, size and modification time, in memory and in
``fingerprints.json`` in the user's cache folder.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import threading
from pathlib import Path

__all__ = ["describe", "fingerprint", "model_label", "model_name", "short_revision"]

_PATTERNS = ("*.json", "*.spm", "*.model", "*.txt", "*.safetensors", "pytorch_model.bin")
_LOCK = threading.Lock()
_MEMORY: dict[str, tuple[list, str]] = {}


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and any(fnmatch.fnmatch(p.name, pat) for pat in _PATTERNS)
    )


def _cache_file() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("TRANSDESK_CACHE") or user_cache_dir("transdesk")) / (
        "fingerprints.json"
    )


def _read_cache() -> dict:
    try:
        data = json.loads(_cache_file().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_cache(key: str, stamp: list, value: str) -> None:
    path = _cache_file()
    data = _read_cache()
    data[key] = {"stamp": stamp, "fingerprint": value}
    from mt.errors import TransdeskError
    from mt.formats.base import atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(data).encode("utf-8"))
    except (OSError, TransdeskError):
        pass  # a cache: next time it is computed again


def fingerprint(folder: str | Path) -> str:
    """The content fingerprint ``sha256:<64 hex>`` of a local model folder (cached).

    It changes when any weight, tokenizer or config file changes, and is the same for two
    copies of one model wherever they are.
    """
    folder = Path(folder).resolve()
    files = _files(folder)
    stamp = [[p.name, (s := p.stat()).st_size, s.st_mtime_ns] for p in files]
    key = str(folder)
    with _LOCK:
        known = _MEMORY.get(key)
        if known and known[0] == stamp:
            return known[1]
        cached = _read_cache().get(key)
        if isinstance(cached, dict) and cached.get("stamp") == stamp:
            _MEMORY[key] = (stamp, cached["fingerprint"])
            return cached["fingerprint"]
    total = hashlib.sha256()
    for p in files:
        digest = hashlib.sha256()
        with p.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        total.update(f"{p.name}\0{p.stat().st_size}\0{digest.hexdigest()}\n".encode())
    value = f"sha256:{total.hexdigest()}"
    with _LOCK:
        _MEMORY[key] = (stamp, value)
    _write_cache(key, stamp, value)
    return value


def model_name(model_id: str | None) -> str | None:
    """A model id as shown to people: a folder path becomes its folder name (drafts stored by
    earlier versions recorded the absolute path); hub ids are kept."""
    if not model_id:
        return model_id
    if model_id.startswith(("/", "\\", "~")) or (len(model_id) > 2 and model_id[1:3] == ":\\"):
        return Path(model_id.replace("\\", "/")).name or model_id
    return model_id


def short_revision(revision: str | None, length: int = 12) -> str | None:
    """A revision shortened for display: ``sha256:`` plus 12 hex digits, or 12 of a commit."""
    if not revision:
        return None
    if revision.startswith("sha256:"):
        return "sha256:" + revision[7 : 7 + length]
    return revision[:length] if len(revision) == 40 else revision


def model_label(model_id: str | None, revision: str | None) -> str:
    """The name a report gives a model: ``name@revision`` (short), or the name alone."""
    name = model_name(model_id) or "(unknown)"
    short = short_revision(revision)
    return f"{name}@{short}" if short else name


def describe(model: str) -> str:
    """How to show a model choice (a registry name, hub id or folder) to people: a local folder
    by its name and short fingerprint, anything else as given."""
    path = Path(model).expanduser()
    if path.is_dir():
        try:
            return model_label(path.name, fingerprint(path))
        except OSError:
            return path.name
    return model
