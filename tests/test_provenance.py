"""Which model drafted (#15): hub snapshots pinned by commit hash, local folders by name and a
cached content fingerprint, never by the server's path."""

from __future__ import annotations

import shutil

import pytest

from mt.models.hub import resolve_model
from mt.models.provenance import describe, fingerprint, model_label, model_name

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    from mt.models import provenance

    monkeypatch.setenv("TRANSDESK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(provenance, "_MEMORY", {})  # as a fresh process
    return tmp_path / "cache"


def test_local_folder_is_named_by_folder_and_fingerprint(tiny_model_dir, tmp_path, cache):
    source = resolve_model(str(tiny_model_dir))
    assert source.model_id == "tiny" and source.revision == fingerprint(tiny_model_dir)
    assert source.revision.startswith("sha256:") and len(source.revision) == 71
    assert (cache / "fingerprints.json").is_file()  # computed once, cached
    copy = tmp_path / "elsewhere" / "tiny"
    shutil.copytree(tiny_model_dir, copy, ignore=shutil.ignore_patterns("ctranslate2*"))
    assert fingerprint(copy) == source.revision  # the same content wherever it is
    (copy / "config.json").write_text(
        (copy / "config.json").read_text(encoding="utf-8").replace("}", ', "x": 1}', 1),
        encoding="utf-8",
    )
    assert fingerprint(copy) != source.revision  # any change to its files changes it
    assert str(tmp_path) not in describe(str(copy)) and describe(str(copy)).startswith("tiny@")


def test_hub_snapshot_records_its_commit(tiny_model_dir, tmp_path, monkeypatch, cache):
    import huggingface_hub.constants as hub_constants

    repo = tmp_path / "hub" / "models--org--tiny-ko-en"
    snapshot = repo / "snapshots" / COMMIT
    shutil.copytree(tiny_model_dir, snapshot, ignore=shutil.ignore_patterns("ctranslate2*"))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT, encoding="utf-8")
    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    source = resolve_model("org/tiny-ko-en", offline=True)  # a branch name, resolved
    assert (source.model_id, source.revision) == ("org/tiny-ko-en", COMMIT)
    folder = resolve_model(str(snapshot))  # the snapshot folder given as a path
    assert (folder.model_id, folder.revision) == ("org/tiny-ko-en", COMMIT)


@pytest.mark.parametrize(
    ("model_id", "revision", "label"),
    [
        ("/srv/models/opus-mt-ko-en", None, "opus-mt-ko-en"),
        ("opus", "sha256:" + "ab" * 32, "opus@sha256:abababababab"),
        ("Helsinki-NLP/opus-mt-ko-en", COMMIT, "Helsinki-NLP/opus-mt-ko-en@0123456789ab"),
        ("Helsinki-NLP/opus-mt-ko-en", "main", "Helsinki-NLP/opus-mt-ko-en@main"),
    ],
)
def test_labels_never_show_a_path(model_id, revision, label):
    assert model_label(model_id, revision) == label
    assert model_name("C:\\models\\opus") == "opus"
