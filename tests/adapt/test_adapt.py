"""`transdesk adapt` on the tiny offline model and real Korean–English news (NTREX-128): the
split, training that lowers held-out HTER, refusals, base folder untouched, interruption and
resumption, one run at a time, promotion, drafts recording the version, reports, both
databases."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mt.adapt.data import Pair, approved_pairs, split_pairs
from mt.adapt.run import AdaptOptions, adapt, run_lock
from mt.adapt.train import TrainSettings
from mt.errors import TransdeskError
from tests.adapt.conftest import approve_documents, ntrex_documents
from tests.conftest import run_cli

FAST = TrainSettings(learning_rate=1e-2, epochs=5, seed=1)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """Each test has its own adapt lock, working folders and default output folder."""
    monkeypatch.setenv("TRANSDESK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture(scope="session")
def desk_file(tmp_path_factory, _sqlite_template, tiny_engine) -> Path:
    """A SQLite desk: 30 NTREX-128 documents (447 segments) drafted by the tiny model and
    approved with the reference English."""
    from mt.store import open_store

    path = tmp_path_factory.mktemp("desk") / "desk.db"
    shutil.copy(_sqlite_template, path)
    with open_store(f"sqlite:///{path}") as store:
        approve_documents(store, tiny_engine, ntrex_documents(30))
    return path


@pytest.fixture
def desk(desk_file, tmp_path):
    from mt.store import open_store

    path = tmp_path / "desk.db"
    shutil.copy(desk_file, path)
    with open_store(f"sqlite:///{path}") as store:
        yield store


@pytest.fixture
def base_copy(tiny_model_dir, tmp_path) -> Path:
    """The tiny model's files alone (no CTranslate2 conversion inside), in a fresh folder."""
    folder = tmp_path / "base-model"
    folder.mkdir()
    for f in tiny_model_dir.iterdir():
        if f.is_file():
            shutil.copy2(f, folder / f.name)
    return folder


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- data ---------------------------------------------------------------------------------------


def _pairs(docs: int, per_doc: int) -> list[Pair]:
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return [
        Pair(
            f"원문 {d} {i}",
            f"text {d} {i}",
            d,
            d * 100 + i,
            "mt",
            t0 + timedelta(days=d, minutes=i),
        )
        for d in range(1, docs + 1)
        for i in range(per_doc)
    ]


def test_split_holds_out_the_most_recent_documents_never_trained_on():
    split = split_pairs(_pairs(20, 15), holdout=0.1, min_pairs=50)
    held_docs = {p.document_id for p in split.heldout}
    assert held_docs == {20, 19}  # 30 pairs = max(10% of 300, 20): the two newest documents
    assert not held_docs & {p.document_id for p in split.train + split.dev}
    assert {p.document_id for p in split.dev} == {18, 17}  # then ~10% of the 270 left
    assert len(split.train) + len(split.dev) + len(split.heldout) == 300
    summary = split.summary()
    assert summary["heldout"]["pairs"] == 30 and summary["train"]["origins"]["mt"] == 240


def test_split_refuses_too_little_data_and_one_document():
    with pytest.raises(TransdeskError, match="only 40 approved pairs to learn from; at least 100"):
        split_pairs(_pairs(4, 10))
    with pytest.raises(TransdeskError, match="nothing is left to train on"):
        split_pairs(_pairs(1, 30), min_pairs=10)


def test_approved_pairs_deduplicated_marked_and_selected(store, tiny_engine):
    """Both databases: origins marked (MT drafts, from-scratch slots), a sentence approved in
    two documents is one pair (the newer approval), --documents and --since select."""
    from mt.drafting import create_document
    from mt.revising import approve_segment
    from mt.store import list_segments

    (title, ko, en), second = ntrex_documents(2)
    first = approve_documents(store, tiny_engine, [(title, ko, en)])[0]
    doc = create_document(
        store, "\n".join(second[1] + ko[:1]), title="again", engine=tiny_engine,
        created_by="kim", segment_mode="line", from_scratch=0.5, seed=3,
    )  # fmt: skip
    segs = list_segments(store, doc)
    finals = [*second[2], "A newer English for the first sentence."]
    for seg, final in zip(segs, finals, strict=True):
        approve_segment(store, seg.id, editor="kim", base_version=seg.version, text=final)
    pairs = approved_pairs(store)
    assert len(pairs) == len(ko) + len(second[1])  # the repeated sentence counted once
    repeated = [p for p in pairs if p.source == ko[0]]
    assert [p.target for p in repeated] == ["A newer English for the first sentence."]
    origins = {p.origin for p in pairs}
    assert origins == {"mt", "scratch"}
    assert all(p.origin == "mt" for p in pairs if p.document_id == first)
    only_mt = approved_pairs(store, origins=("mt",))
    assert {p.origin for p in only_mt} == {"mt"}
    # A from-scratch newer approval of the repeated sentence leaves its older MT pair in.
    extra = repeated[0].origin != "mt"
    assert len(only_mt) == sum(p.origin == "mt" for p in pairs) + extra
    assert {p.document_id for p in approved_pairs(store, documents=[first])} == {first}
    later = datetime.now(timezone.utc) + timedelta(days=1)
    assert approved_pairs(store, since=later) == []


# --- training, evaluation, promotion ------------------------------------------------------------


def test_adapt_lowers_heldout_hter_and_leaves_the_base_untouched(desk, base_copy, tmp_path):
    """Through the CLI: --json has exactly the issue's keys; the adapted model needs fewer
    edits on the held-out documents; the base folder's bytes are unchanged (no conversion
    written into it); the new folder has a card, an int8 conversion and its own fingerprint."""
    from mt.models.provenance import fingerprint

    before = _tree(base_copy)
    out = tmp_path / "adapted"
    argv = ["adapt", "--model", str(base_copy), "--db", desk.url, "-o", str(out),
            "--learning-rate", "1e-2", "--seed", "1", "--json"]  # fmt: skip
    code, stdout, _ = run_cli(*argv)
    assert code == 0
    result = json.loads(stdout)
    assert set(result) == {"before", "after", "improvement", "significant", "promoted", "model"}
    assert result["after"]["hter"] < result["before"]["hter"]
    assert result["improvement"]["hter"]["difference"] > 0
    assert result["significant"] is True
    assert result["before"]["segments"] == result["after"]["segments"] >= 45
    assert result["before"]["signatures"]["hter"].startswith("nrefs:1|case:mixed|tok:tercom")
    assert len(result["after"]["hter_ci95"]) == 2
    assert result["model"] == str(out)
    assert _tree(base_copy) == before
    assert (out / "README.md").read_text(encoding="utf-8").startswith("# adapted")
    assert (out / "ctranslate2-int8" / "model.bin").exists()
    assert fingerprint(out) != fingerprint(base_copy)
    assert not list(tmp_path.glob(".adapted.partial-*"))
    from mt.adapt.versions import list_events, list_versions

    versions = list_versions(desk)
    assert [v.kind for v in versions] == ["base", "adapted"]
    card = versions[1].card
    assert card["base"]["model_id"] == "base-model"
    assert card["data"]["heldout"]["pairs"] == result["after"]["segments"]
    assert card["training"]["steps"] > 0 and card["training"]["settings"]["seed"] == 1
    kinds = [e["kind"] for e in list_events(desk)]
    assert kinds[0] == ("promoted" if result["promoted"] else "refused")


def test_zero_steps_is_refused(desk, tiny_model_dir, tmp_path):
    """An "adapted" model that is the base itself is not better: refused, recorded, and the
    desk keeps its model."""
    from mt.adapt.versions import current_version, list_events

    result = adapt(
        desk,
        AdaptOptions(model=str(tiny_model_dir), output=tmp_path / "same",
                     train=TrainSettings(max_steps=0)),
    )  # fmt: skip
    assert result["improvement"]["hter"]["difference"] == 0
    assert result["significant"] is False and result["promoted"] is False
    assert list_events(desk)[0]["kind"] == "refused"
    assert current_version(desk) is None


def test_shuffled_targets_are_refused(store, tiny_engine, tiny_model_dir, tmp_path):
    """Editors' English shuffled across sentences teaches word frequencies, not translation:
    chrF falls significantly, so the model is not promoted whatever HTER does."""
    import random

    from mt.adapt.versions import current_version

    docs = ntrex_documents(14)
    rng = random.Random(5)
    shuffled = []
    for title, ko, en in docs:
        en = list(en)
        rng.shuffle(en)
        shuffled.append((title, ko, en))
    approve_documents(store, tiny_engine, shuffled)
    result = adapt(
        store,
        AdaptOptions(model=str(tiny_model_dir), output=tmp_path / "shuffled", min_pairs=50,
                     train=FAST),
    )  # fmt: skip
    chrf = result["improvement"]["chrf"]
    assert chrf["difference"] < 0 and chrf["significant"]
    assert result["promoted"] is False
    assert current_version(store) is None


def test_interrupted_run_leaves_nothing_and_resumes(desk, tiny_model_dir, tmp_path):
    from mt.adapt.versions import current_version, list_versions

    out = tmp_path / "resumed"

    def stop(step, total, loss, note):
        if step == 12 and not note:
            raise KeyboardInterrupt

    options = AdaptOptions(model=str(tiny_model_dir), output=out, train=FAST, promote="always")
    with pytest.raises(KeyboardInterrupt, match=r"^$"):
        adapt(desk, options, progress=stop)
    assert not out.exists() and not list(tmp_path.glob(".resumed*"))
    assert current_version(desk) is None and list_versions(desk) == []
    work = list((tmp_path / "cache" / "adapt-work").iterdir())
    assert len(work) == 1 and (work[0] / "checkpoint.pt").exists()

    seen = []
    result = adapt(
        desk, AdaptOptions(model=str(tiny_model_dir), resume=True, promote="always"),
        progress=lambda s, t, loss, n: seen.append(s),
    )  # fmt: skip
    assert result["model"] == str(out)  # the interrupted run's folder, continued
    assert seen[0] == 13  # from the step after the checkpoint
    assert not work[0].exists()  # cleaned up once done
    assert current_version(desk).name == "resumed"


def test_two_runs_at_once_are_refused_and_only_an_admin_adapts(desk, tiny_model_dir, tmp_path):
    from mt.errors import PermissionDenied
    from mt.store import add_user

    with run_lock(), pytest.raises(TransdeskError, match="another adaptation run is in progress"):
        adapt(desk, AdaptOptions(model=str(tiny_model_dir), output=tmp_path / "x"))
    add_user(desk, "boss", role="admin", password="long enough")
    with pytest.raises(PermissionDenied, match="kim is an editor"):
        adapt(desk, AdaptOptions(model=str(tiny_model_dir), output=tmp_path / "x", by="kim"))


def test_promotion_drafts_record_the_new_version_reports_compare_rollback(
    store, tiny_engine, tiny_model_dir, tmp_path
):
    """Both databases: after promotion `import` (no --model) drafts with the adapted
    version and its drafts record it; `report --by model` tells the versions apart; a
    rollback returns the desk to the base."""
    from mt.adapt.versions import current_version, list_versions, rollback
    from mt.models.provenance import fingerprint
    from mt.report import report

    approve_documents(store, tiny_engine, ntrex_documents(8))
    out = tmp_path / "promoted"
    result = adapt(
        store,
        AdaptOptions(model=str(tiny_model_dir), output=out, min_pairs=50, promote="always",
                     train=TrainSettings(max_steps=3, learning_rate=1e-2)),
    )  # fmt: skip
    assert result["promoted"] is True
    assert current_version(store).location == str(out)
    article = tmp_path / "article.txt"
    article.write_text("\n".join(ntrex_documents(40)[-1][1]), encoding="utf-8")
    code, stdout, _ = run_cli("import", str(article), "--db", store.url,
                              "--segment", "line", "--json", "-q")  # fmt: skip
    assert code == 0
    doc_id = json.loads(stdout)["document_id"]
    from mt.store import drafts, list_segments

    segs = list_segments(store, doc_id)
    made = {(d.model_id, d.revision) for s in segs for d in drafts(store, s.id)}
    assert made == {("promoted", fingerprint(out))}
    for seg in segs[:5]:
        from mt.revising import approve_segment

        approve_segment(store, seg.id, editor="kim", base_version=seg.version, text="An edit.")
    models = {g["model"] for g in report(store, by="model")["groups"]}
    assert any(m.startswith("promoted@sha256:") for m in models)
    assert any(m.startswith("tiny@sha256:") for m in models)
    back = rollback(store)
    assert back.kind == "base" and current_version(store).kind == "base"
    assert [v.current for v in list_versions(store)] == [True, False]


def test_lora_adapters_are_merged_and_the_budget_stops_training(desk, tiny_model_dir, tmp_path):
    """LoRA (peft) on the tiny model: the saved folder is a plain model (no adapter files)
    whose weights differ from the base; a time budget ends training after its first step."""
    pytest.importorskip("peft")
    from safetensors.torch import load_file

    from mt.adapt.train import train

    split = split_pairs(approved_pairs(desk), min_pairs=50)
    settings = TrainSettings(method="lora", learning_rate=1e-2, max_minutes=1e-4, lora_r=4)
    result = train(tiny_model_dir, split, tmp_path / "work", settings)
    assert result.method == "lora" and result.trainable < result.parameters
    assert result.stopped == "time budget" and result.steps == 1
    names = {p.name for p in result.model_dir.iterdir()}
    assert "model.safetensors" in names and not any("adapter" in n for n in names)
    base = load_file(tiny_model_dir / "model.safetensors")
    merged = load_file(result.model_dir / "model.safetensors")
    assert set(merged) <= set(base) | {"lm_head.weight"}
    changed = [k for k in base if k in merged and not (base[k] == merged[k]).all()]
    assert any("q_proj" in k for k in changed)


def test_model_events_are_append_only(store):
    """Both databases: the history of the desk's drafting model cannot be rewritten."""
    from sqlalchemy import text

    from mt.adapt.versions import list_events, register_version

    register_version(store, name="m", location="m", model_id="m", revision="r")
    for sql in ("UPDATE model_event SET kind = 'promoted'", "DELETE FROM model_event"):
        with (
            pytest.raises(Exception, match="model_event is append-only"),
            store.engine.begin() as conn,
        ):
            conn.execute(text(sql))
    assert [e["kind"] for e in list_events(store)] == ["registered"]


def test_promotion_rule_on_real_text():
    """compare() with sacreBLEU on NTREX-128 finals: drafts that need fewer edits and keep
    chrF are promoted; the same drafts with chrF made worse are not; identical ones are not."""
    from mt.adapt.evaluate import compare, should_promote
    from tests.conftest import shared_lines

    finals = shared_lines("ntrex128", "en", 60)
    reversed_words = [" ".join(f.split()[::-1]) for f in finals]  # many edits, same characters
    near = [f.replace(" the ", " a ", 1) for f in finals]  # one word changed, at most
    sig = {"model": "m", "revision": "r"}
    better = compare(finals, reversed_words, near, before_sig=sig, after_sig=sig, n_samples=200)
    assert better["significant"] and should_promote(better)
    assert better["improvement"]["hter"]["difference"] > 50
    same = compare(finals, near, near, before_sig=sig, after_sig=sig, n_samples=200)
    assert same["improvement"]["hter"]["difference"] == 0 and not should_promote(same)
    # Significantly fewer edits but a lower chrF: not promoted.
    worse_chrf = {**better, "after": {**better["after"], "chrf": better["before"]["chrf"] - 0.1}}
    assert not should_promote(worse_chrf)


def test_versions_commands_and_admin_only_switch(store, tmp_path):
    """Both databases: `versions list --json`, `use`, `rollback`; with accounts, an editor
    may not switch the drafting model."""
    from mt.adapt.versions import current_version, register_version
    from mt.errors import PermissionDenied
    from mt.store import add_user

    a = register_version(store, name="a", location="a", model_id="a", revision="1")
    b = register_version(store, name="b", location=str(tmp_path), model_id="b", revision="2",
                         kind="adapted", parent_id=a)  # fmt: skip

    def run(*args: str) -> tuple[int, str, str]:
        return run_cli(*args, "--db", store.url)

    code, out, _ = run("versions", "list", "--json")
    assert code == 0 and [r["id"] for r in json.loads(out)] == [a, b]
    assert run("versions", "use", str(b))[0] == 0 and current_version(store).id == b
    assert run("versions", "use", str(a))[0] == 0
    code, out, _ = run("versions", "rollback")
    assert code == 0 and current_version(store).id == b and "b@" in out
    code, _, err = run("versions", "use", "99")
    assert code == 6 and err == "Error: no model version 99\n"
    add_user(store, "boss", role="admin", password="long enough")
    add_user(store, "kim", role="editor", password="long enough")
    from mt.adapt.versions import switch_version

    with pytest.raises(PermissionDenied, match="kim is an editor"):
        switch_version(store, a, by="kim")
    assert switch_version(store, a, by="boss").current
