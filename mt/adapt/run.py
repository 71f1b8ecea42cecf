"""One `transdesk adapt` run: data → training → conversion → evaluation → card → promotion.

Safety, in order of what can go wrong:
- One run at a time on a machine (`run_lock`, an OS file lock released even when the process
  dies); a second run is refused at once.
- The base model's folder is only read: weights are loaded from it, its tokenizer files are
  copied, and its CTranslate2 conversion (for the "before" drafts) goes to the user cache when
  the folder has none.
- The new model is built in a hidden ``.NAME.partial-PID`` folder beside its destination and
  renamed into place only when it is complete (weights, conversion, card), so a failed or
  stopped run leaves no half-made model; the desk's drafting model changes only after that,
  by one event in the database.
- An interrupted run keeps its working folder (checkpoint and data split) in the user cache;
  `resume=True` continues it; a new run without it starts afresh and says so.
- Disk: the run checks that the destination has room for the checkpoint (about 4× the
  weights), the best weights, the model and its conversion before it starts.
- Training text stays on this machine: nothing here opens a network connection (the base model
  must already be local or in the Hugging Face cache when the hub is unreachable).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mt.adapt.data import (
    DEFAULT_HOLDOUT,
    DEFAULT_MIN_PAIRS,
    MIN_HOLDOUT,
    ORIGINS,
    Split,
    approved_pairs,
    read_split,
    split_pairs,
    write_split,
)
from mt.adapt.train import TrainSettings
from mt.errors import InvalidValue, ModelError, TransdeskError

if TYPE_CHECKING:
    from mt.adapt.train import Progress
    from mt.store.db import Store


__all__ = ["PROMOTE", "AdaptOptions", "adapt", "run_lock"]

PROMOTE = ("never", "if-better", "always")
Note = Callable[[str], None]


@dataclass(frozen=True)
class AdaptOptions:
    """What `adapt` does; `model` None means the desk's drafting model."""

    model: str | None = None
    output: Path | None = None
    since: datetime | None = None
    documents: list[int] | None = None
    origins: tuple[str, ...] = ORIGINS
    min_pairs: int = DEFAULT_MIN_PAIRS
    holdout: float = DEFAULT_HOLDOUT
    min_holdout: int = MIN_HOLDOUT
    train: TrainSettings = field(default_factory=TrainSettings)
    promote: str = "if-better"
    engine: str = "auto"
    beam: int = 4
    resume: bool = False
    by: str | None = None
    n_samples: int = 1000


@contextlib.contextmanager
def run_lock(folder: Path | None = None) -> Iterator[None]:
    """Hold the machine's adapt lock; TransdeskError when another run holds it."""
    from platformdirs import user_cache_dir

    folder = folder or Path(os.environ.get("TRANSDESK_CACHE") or user_cache_dir("transdesk"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "adapt.lock"
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the whole run)
    try:
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise TransdeskError(
                f"another adaptation run is in progress ({holder}); one run at a time"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


def _work_dir(store_url: str, base_model: str) -> Path:
    from platformdirs import user_cache_dir

    root = Path(os.environ.get("TRANSDESK_CACHE") or user_cache_dir("transdesk"))
    key = hashlib.sha256(f"{store_url}\0{base_model}".encode()).hexdigest()[:16]
    return root / "adapt-work" / key


def _default_output(base_name: str) -> Path:
    from platformdirs import user_data_dir

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    root = Path(user_data_dir("transdesk", appauthor=False)) / "models"
    return root / f"{base_name}-adapted-{stamp}"


def _weights_bytes(folder: Path) -> int:
    return sum(
        p.stat().st_size
        for p in folder.iterdir()
        if p.is_file() and p.suffix in (".safetensors", ".bin")
    )


def _check_disk(base_dir: Path, *places: Path) -> None:
    need = 7 * _weights_bytes(base_dir)  # checkpoint ~4x, best 1x, model 1x, int8 0.25x, margin
    for place in places:
        probe = place
        while not probe.exists():
            probe = probe.parent
        free = shutil.disk_usage(probe).free
        if free < need:
            raise TransdeskError(
                f"{probe}: {free / 1e9:.1f} GB free, adaptation needs about {need / 1e9:.1f} GB "
                "(checkpoint, weights and conversion); free some space"
            )


def _base(model: str | None, store: Any) -> tuple[str, Any]:
    """The model string to adapt and its resolved source."""
    from mt.adapt.versions import desk_model
    from mt.engines import causal_lm_family
    from mt.models.hub import resolve_model
    from mt.models.registry import DEFAULT_MODEL

    name = model or desk_model(store) or os.environ.get("TRANSDESK_MODEL") or DEFAULT_MODEL
    source = resolve_model(name)
    if causal_lm_family(source.path) is not None:
        raise ModelError(
            f"{source.model_id}: adapting instruction LLMs is not supported; adapt a "
            "translation model (Marian, NLLB, M2M100)"
        )
    location = str(source.path) if Path(name).expanduser().is_dir() else name
    return location, source


def _card(
    *,
    base_location: str,
    source: Any,
    split: Split,
    result: Any,
    options: AdaptOptions,
    scores: dict[str, Any] | None,
    promoted: bool | None,
    total_seconds: float,
) -> dict[str, Any]:
    from mt.models.provenance import model_name

    return {
        "base": {"model_id": model_name(source.model_id), "revision": source.revision},
        "data": {
            **split.summary(),
            "since": options.since.isoformat() if options.since else None,
            "documents": options.documents,
            "origins": list(options.origins),
            "fingerprint": split.fingerprint(),
        },
        "training": {
            "method": result.method,
            "parameters": result.parameters,
            "trainable": result.trainable,
            "steps": result.steps,
            "epochs": result.epochs_done,
            "stopped": result.stopped,
            "dev_loss_before": result.first_dev_loss,
            "dev_loss_best": result.best_dev_loss,
            "device": result.device,
            "seconds": result.seconds,
            "settings": result.settings,
        },
        "evaluation": {"engine": options.engine, "beam": options.beam, **(scores or {})},
        "promoted": promoted,
        "seconds": round(total_seconds, 1),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _card_markdown(name: str, card: dict[str, Any]) -> str:
    ev = card["evaluation"]
    lines = [
        f"# {name}",
        "",
        f"Adapted by `transdesk adapt` from {card['base']['model_id']} "
        f"({card['base']['revision']}) on {card['data']['train']['pairs']} approved post-edits "
        f"({card['data']['train']['from']} to {card['data']['train']['to']}).",
        "",
    ]
    if "before" in ev:
        lines += [
            "| held-out | HTER | chrF | BLEU |",
            "| --- | --- | --- | --- |",
            *(
                f"| {side} ({ev[side]['model']}) | {ev[side]['hter']} | {ev[side]['chrf']} | "
                f"{ev[side]['bleu']} |"
                for side in ("before", "after")
            ),
            "",
            f"Held-out: {card['data']['heldout']['pairs']} segments of "
            f"{card['data']['heldout']['documents']} documents, never trained on. HTER "
            f"improvement significant: {ev['significant']}.",
            "",
        ]
    lines += ["```json", json.dumps(card, indent=2, ensure_ascii=False), "```", ""]
    return "\n".join(lines)


def adapt(
    store: Store,
    options: AdaptOptions,
    *,
    progress: Progress | None = None,
    note: Note | None = None,
) -> dict[str, Any]:
    """Run one adaptation; returns {"before", "after", "improvement", "significant",
    "promoted", "model"} (the model folder), plus "version_id" and "card".

    Raises:
        TransdeskError: another run holds the lock, too little data or disk, a bad option;
            ModelError: the base model cannot be loaded or trained; PermissionDenied: accounts
            exist and `options.by` is not an admin.
    """
    from mt.adapt import versions
    from mt.adapt.evaluate import compare, draft_with, should_promote
    from mt.adapt.train import clear_work_dir, train
    from mt.engines.ct2 import convert_model
    from mt.models.provenance import fingerprint, model_name

    if options.promote not in PROMOTE:
        raise InvalidValue(f"promote {options.promote!r}: choose {', '.join(PROMOTE)}")
    say = note or (lambda _m: None)
    started = time.monotonic()
    from mt.store.accounts import require_admin

    with store.session() as session:  # before minutes of training, not after
        require_admin(session, options.by, "adapt the desk's drafting model")
    with run_lock():
        base_location, source = _base(options.model, store)
        work = _work_dir(store.url, f"{source.model_id}@{source.revision}")
        meta_file = work / "run.json"
        split: Split | None = None
        output = options.output
        if options.resume and meta_file.exists():
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            split = read_split(work / "split.json")
            output = Path(meta["output"])
            options = replace(options, train=TrainSettings(**meta["train"]))
            say(f"resuming the interrupted run into {output.name}")
        elif work.exists():
            say("an interrupted adaptation run was discarded (resume it with --resume)")
            clear_work_dir(work)
        if split is None:
            pairs = approved_pairs(
                store, since=options.since, documents=options.documents, origins=options.origins
            )
            split = split_pairs(
                pairs,
                holdout=options.holdout,
                min_holdout=options.min_holdout,
                min_pairs=options.min_pairs,
            )
        output = Path(output or _default_output(model_name(source.model_id) or "model"))
        if output.exists():
            raise InvalidValue(f"{output}: already exists; choose another output folder")
        _check_disk(source.path, work, output.parent)
        work.mkdir(parents=True, exist_ok=True)
        write_split(split, work / "split.json")
        from dataclasses import asdict

        (work / "run.json").write_text(
            json.dumps({"output": str(output), "train": asdict(options.train)}), encoding="utf-8"
        )
        s = split.summary()
        say(
            f"{s['train']['pairs']} training pairs ({s['train']['documents']} documents), "
            f"{s['dev']['pairs']} development, {s['heldout']['pairs']} held out "
            f"({s['heldout']['documents']} most recent documents)"
        )
        result = train(
            source.path, split, work, options.train, resume=options.resume, progress=progress
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(f".{output.name}.partial-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        try:
            shutil.copytree(result.model_dir, partial)
            partial.chmod(0o755)
            convert_model(partial, quantization="int8")
            say(f"drafting {len(split.heldout)} held-out segments with both models")
            sources = [p.source for p in split.heldout]
            finals = [p.target for p in split.heldout]
            before, before_sig = draft_with(
                source.path, sources, engine=options.engine, beam=options.beam, read_only=True
            )
            after, after_sig = draft_with(
                partial, sources, engine=options.engine, beam=options.beam
            )
            after_sig["model"] = output.name  # the folder's name once renamed into place
            scores = compare(
                finals,
                before,
                after,
                before_sig=before_sig,
                after_sig=after_sig,
                n_samples=options.n_samples,
            )
            better = should_promote(scores)
            promoted = options.promote == "always" or (options.promote == "if-better" and better)
            card = _card(
                base_location=base_location,
                source=source,
                split=split,
                result=result,
                options=options,
                scores=scores,
                promoted=promoted,
                total_seconds=time.monotonic() - started,
            )
            (partial / "README.md").write_text(_card_markdown(output.name, card), encoding="utf-8")
            partial.rename(output)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        revision = fingerprint(output)
        base_id = versions.register_version(
            store,
            name=model_name(source.model_id) or source.model_id,
            location=base_location,
            model_id=source.model_id,
            revision=source.revision,
            kind="base",
            by=options.by,
        )
        version_id = versions.register_version(
            store,
            name=output.name,
            location=str(output),
            model_id=output.name,
            revision=revision,
            kind="adapted",
            parent_id=base_id,
            card=card,
            scores={k: scores[k] for k in ("before", "after", "improvement", "significant")},
            by=options.by,
        )
        decision = {
            "rule": options.promote,
            "better": better,
            "hter_improvement": scores["improvement"]["hter"],
            "chrf_before": scores["before"]["chrf"],
            "chrf_after": scores["after"]["chrf"],
        }
        if promoted:
            if versions.current_version(store) is None:
                # The desk drafted with its configured default until now: the rollback target.
                versions.record_event(
                    store,
                    base_id,
                    "switched",
                    by=options.by,
                    details={"reason": "the desk's model before its first promotion"},
                )
            versions.record_event(store, version_id, "promoted", by=options.by, details=decision)
        elif options.promote == "if-better":
            versions.record_event(store, version_id, "refused", by=options.by, details=decision)
        clear_work_dir(work)
        return {
            "before": scores["before"],
            "after": scores["after"],
            "improvement": scores["improvement"],
            "significant": scores["significant"],
            "promoted": promoted,
            "model": str(output),
            "version_id": version_id,
            "card": card,
        }
