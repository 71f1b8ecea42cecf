"""Run a batch job's planned batches on a Ray cluster: Ray Data over an actor pool, one model each.

`ray_executor(engine)` returns an `mt.batch.Executor`. The driver keeps doing what a local run does
(segmentation, the batch plan, the checkpoint, assembling and writing the file); only the model
calls move out. Each pending batch of the plan (already sorted by length and cut by a token
budget) becomes one row of a Ray Dataset; `map_batches` sends the rows to a fixed pool of actors,
each of which loads the same engine once and runs `Plan.run_batch` on one planned batch per call,
the very call a local run makes, so the output is byte-identical to a local run. Batches come
back as they finish, in any order; the caller records each in the checkpoint, so resuming works.

Workers need Transdesk installed (same version) and the model: the driver's local model folder
when the path exists on the worker (a shared mount, or a local instance), else the hub id and
revision, resolved from the worker's Hugging Face cache.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mt.batch import Executor
from mt.engines import Engine, Plan, load_engine
from mt.errors import ModelError, TransdeskError
from mt.types import Hypothesis

__all__ = ["EngineSpec", "connect", "ray_executor"]

# Signature keys that decide the output; a worker whose engine differs in one of them is refused.
_IDENTITY = ("engine", "model", "revision", "max_input_tokens", "max_length", "test_model")


@dataclass(frozen=True)
class EngineSpec:
    """Everything a worker needs to load the same engine as the driver."""

    engine: str
    model_path: str
    model_id: str
    revision: str | None
    device: str
    beam_size: int
    batch_tokens: int
    options: dict[str, Any] = field(default_factory=dict)
    signature: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, engine: Engine, *, device: str | None = None) -> EngineSpec:
        """The spec of a loaded engine; `device` overrides where workers run (default: same)."""
        tokens = getattr(engine, "tokens", None)
        if tokens is None:
            raise ModelError(f"{engine.model_id}: this engine cannot run on Ray (no model folder)")
        from mt.engines.ct2 import CT2Engine

        options: dict[str, Any] = {}
        if isinstance(engine, CT2Engine) and (device or engine.device) == engine.device:
            options["quantization"] = engine.quantization
            options["compute_type"] = engine.compute_type
        return cls(
            engine=engine.name,
            model_path=str(tokens.model_dir),
            model_id=engine.model_id,
            revision=engine.revision,
            device=device or engine.device,
            beam_size=engine.options.beam_size,
            batch_tokens=engine.batch_tokens,
            options=options,
            signature=engine.signature(),
        )

    def load(self, *, threads: int | None = None) -> Engine:
        """Load the engine on this machine and check it is the driver's model."""
        model = self.model_path
        if not Path(model).is_dir():
            # A local folder is pinned by a content fingerprint; a hub model by its commit.
            if (self.revision or "").startswith("sha256:") or self.model_id == self.model_path:
                raise ModelError(
                    f"{self.model_path}: model folder not found on Ray worker "
                    f"{socket.gethostname()}; put it on a path every node can read"
                )
            model = f"{self.model_id}@{self.revision}" if self.revision else self.model_id
        loaded = load_engine(
            model,
            engine=self.engine,
            device=self.device,
            beam_size=self.beam_size,
            batch_tokens=self.batch_tokens,
            threads=threads,
            **self.options,
        )
        mine = loaded.signature()
        different = [k for k in _IDENTITY if mine.get(k) != self.signature.get(k)]
        if different:
            details = ", ".join(
                f"{k} {mine.get(k)!r} ≠ {self.signature.get(k)!r}" for k in different
            )
            raise ModelError(f"Ray worker loaded a different model than the driver ({details})")
        return loaded


class _BatchTranslator:
    """A Ray Data actor: loads the engine once, then runs planned batches by number."""

    def __init__(self, spec: EngineSpec, plan: Plan, beam: int, threads: int) -> None:
        self.engine = spec.load(threads=threads)
        self.plan = plan
        self.beam = beam

    def __call__(self, rows: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        out = []
        for batch_no in rows["batch_no"]:
            # The very call a local run makes, so the output is the same.
            results = self.plan.run_batch(self.engine, int(batch_no), beam_size=self.beam)
            out.append(json.dumps([[i, h.text, h.score, h.time_ms] for i, h in results.items()]))
        return {"batch_no": rows["batch_no"], "result": np.array(out, dtype=object)}


def connect(address: str | None = None, *, num_cpus: int | None = None) -> None:
    """Connect to the Ray cluster at `address` (or RAY_ADDRESS); without either, start a local
    instance. An already initialised Ray (a test, a notebook) is used as it is."""
    import ray

    if ray.is_initialized():
        return
    address = address or os.environ.get("RAY_ADDRESS") or None
    try:
        if address:
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
        else:
            ray.init(
                num_cpus=num_cpus,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.ERROR,
            )
    except (ConnectionError, RuntimeError, ValueError) as e:
        where = address or "a local instance"
        raise TransdeskError(f"cannot start Ray on {where} ({_first_line(e)})") from None


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _quiet_ray_data() -> None:
    """No progress bars or execution logs: the CLI shows its own progress and one-line errors."""
    import logging

    from ray.data import DataContext

    logging.getLogger("ray.data").setLevel(logging.CRITICAL)

    ctx = DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    ctx.enable_auto_log_stats = False
    ctx.verbose_stats_logs = False


def ray_executor(
    engine: Engine,
    *,
    address: str | None = None,
    workers: int | None = None,
    threads_per_worker: int | None = None,
    device: str | None = None,
) -> Executor:
    """An executor that runs planned batches on Ray, one engine per actor.

    Arguments:
        engine: the driver's engine; workers load the same model with the same settings.
        address: a Ray address (``auto``, ``host:6379``, ``ray://host:10001``); default
            RAY_ADDRESS, else a local instance on this machine's cores.
        workers: actors in the pool; default the cluster's CPUs (GPUs on CUDA) divided by
            `threads_per_worker`, at most one per pending batch.
        threads_per_worker: CPU threads (and Ray CPUs) per actor; default 2 on CPU, 1 with a GPU.
        device: where workers run (cpu, cuda, auto); default the driver engine's device.
    """
    if importlib.util.find_spec("ray") is None:
        raise TransdeskError("Ray is not installed; install it with: pip install 'transdesk[ray]'")
    spec = EngineSpec.of(engine, device=device)
    on_gpu = spec.device.startswith("cuda")

    def run(
        plan: Plan, pending: Sequence[int], beam: int
    ) -> Iterator[tuple[int, dict[int, Hypothesis]]]:
        if not pending:
            return
        import ray
        from ray.data import ActorPoolStrategy

        connect(address)
        _quiet_ray_data()
        resources = ray.cluster_resources()
        cpus = max(1, int(resources.get("CPU", 1)))
        if on_gpu:
            threads = threads_per_worker or 1
            capacity = int(resources.get("GPU", 0))
            if capacity < 1:
                raise TransdeskError("the Ray cluster has no GPU for device cuda")
        else:
            # Two threads per worker by default; asked for more workers, give each fewer.
            threads = threads_per_worker or max(1, min(2, cpus // workers if workers else cpus))
            capacity = max(1, cpus // threads)
        pool = max(1, min(workers or capacity, len(pending)))
        dataset = ray.data.from_items(
            [{"batch_no": b} for b in pending], override_num_blocks=len(pending)
        ).map_batches(
            _BatchTranslator,
            fn_constructor_kwargs={"spec": spec, "plan": plan, "beam": beam, "threads": threads},
            batch_size=1,
            batch_format="numpy",
            compute=ActorPoolStrategy(size=pool),
            num_cpus=threads,
            num_gpus=1 if on_gpu else 0,
        )
        try:
            for row in dataset.iter_rows():
                yield (
                    int(row["batch_no"]),
                    {
                        int(i): Hypothesis(text=text, score=score, time_ms=ms)
                        for i, text, score, ms in json.loads(row["result"])
                    },
                )
        except ray.exceptions.RayError as e:
            raise TransdeskError(f"Ray job failed: {_ray_cause(e)}") from None

    return run


def _ray_cause(e: BaseException) -> str:
    """The line to show for a Ray error: the worker's TransdeskError message if there is one."""
    seen: set[int] = set()
    cause: BaseException | None = e
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, TransdeskError):
            return str(cause)
        cause = getattr(cause, "cause", None) or cause.__cause__
    # An actor that failed in __init__ keeps only the text of the worker's traceback.
    found = _WORKER_ERROR.findall(str(e))
    return found[-1] if found else _first_line(e)


_WORKER_ERROR = re.compile(r"^mt\.errors\.\w+: (.+)$", re.MULTILINE)
