"""Batch translation of whole files: read → segment → translate in planned batches → write.

One job per output file. Finished batches go to a checkpoint (`mt.checkpoint`) so an
interrupted job resumes where it stopped; the output file is written atomically at the end.
Batches are executed by an *executor*: in this process by default, or on a Ray cluster
(`mt.distributed`), which may finish batches in any order — the checkpoint and the final
assembly do not depend on the order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mt import formats
from mt.checkpoint import Checkpoint, checkpoint_path
from mt.engines import Engine, Plan
from mt.segment import join_translation, segment
from mt.types import Hypothesis

Progress = Callable[[int, int], None]
# (plan, pending batch numbers, beam) → yields (batch number, piece index → Hypothesis)
Executor = Callable[[Plan, Sequence[int], int], Iterator[tuple[int, dict[int, Hypothesis]]]]


def local_executor(engine: Engine) -> Executor:
    """Run batches one after another on `engine` in this process."""

    def run(plan: Plan, pending: Sequence[int], beam: int):
        for batch_no in pending:
            yield batch_no, plan.run_batch(engine, batch_no, beam_size=beam)

    return run


@dataclass(frozen=True)
class JobResult:
    """What one file's job did."""

    output: Path | None
    units: int
    sentences: int
    resumed_batches: int
    batches: int


def job_fingerprint(
    data: bytes,
    engine: Engine,
    *,
    beam: int,
    batch_tokens: int,
    segment_mode: str,
    options: dict[str, object],
) -> str:
    """Everything the output depends on; a checkpoint from another job is refused."""
    signature = engine.signature(beam)
    signature.update(batch_tokens=batch_tokens, segment_mode=segment_mode, options=options)
    digest = hashlib.sha256(data)
    digest.update(json.dumps(signature, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def translate_parsed(
    parsed: formats.ParsedFile,
    engine: Engine,
    *,
    data: bytes,
    output: Path | None,
    out_format: str | None = None,
    beam: int | None = None,
    batch_tokens: int | None = None,
    segment_mode: str = "sentence",
    resume: bool = False,
    progress: Progress | None = None,
    executor: Executor | None = None,
    notice: Callable[[str], None] | None = None,
) -> tuple[JobResult, bytes | None]:
    """Translate every unit of `parsed` and write the result to `output` (None: return bytes).

    Arguments:
        data: the input's raw bytes (part of the checkpoint's fingerprint).
        resume: continue from the checkpoint next to `output` if it belongs to this job.
            An output that is written into rather than replaced (a FIFO, /dev/null) keeps no
            checkpoint: nothing of it could be resumed.
        notice: told, in one line, what the user should know (an empty checkpoint ignored).
    """
    beam = beam or engine.options.beam_size
    batch_tokens = batch_tokens or engine.batch_tokens
    segmentations = [segment(unit.text, mode=segment_mode) for unit in parsed.units]
    sentences = [s.text for seg in segmentations for s in seg.segments]
    plan = Plan.build(engine, sentences, batch_tokens=batch_tokens)

    checkpoint = None
    if output is not None and not formats.output_target(output)[1]:
        fingerprint = job_fingerprint(
            data,
            engine,
            beam=beam,
            batch_tokens=batch_tokens,
            segment_mode=segment_mode,
            # the units depend on options such as which existing targets are overwritten
            options={"format": out_format, "units": [u.where for u in parsed.units]},
        )
        checkpoint = Checkpoint.open(
            checkpoint_path(output), fingerprint, resume=resume, notice=notice
        )
    results: dict[int, Hypothesis] = {}
    done = checkpoint.done if checkpoint else {}
    done_batches = set(done)
    resumed = len(done_batches)
    for batch_no in done_batches:
        results.update(done[batch_no])
    pending = [b for b in range(len(plan.batches)) if b not in done_batches]
    run = executor or local_executor(engine)
    finished = 0
    try:
        if progress:
            progress(sum(len(plan.batches[b].indices) for b in done_batches), len(plan.pieces))
        finished = sum(len(plan.batches[b].indices) for b in done_batches)
        for batch_no, batch_results in run(plan, pending, beam):
            results.update(batch_results)
            if checkpoint:
                checkpoint.record(batch_no, batch_results)
            finished += len(plan.batches[batch_no].indices)
            if progress:
                progress(finished, len(plan.pieces))
        hyps = plan.assemble(results)
        targets: list[str] = []
        position = 0
        for seg in segmentations:
            n = len(seg.segments)
            targets.append(join_translation(seg, [h.text for h in hyps[position : position + n]]))
            position += n
        written = formats.write(
            parsed, targets, output, format=out_format, model_id=engine.model_id
        )
    except BaseException:
        if checkpoint:
            checkpoint.close(remove=False)
        raise
    if checkpoint:
        checkpoint.close(remove=True)
    result = JobResult(
        output=output,
        units=len(parsed.units),
        sentences=len(sentences),
        resumed_batches=resumed,
        batches=len(plan.batches),
    )
    return result, written


def output_path_for(input_path: Path, out: Path | None, out_format: str | None) -> Path:
    """Default output: `<stem>.en<suffix>` beside the input, or inside `out` if a folder."""
    suffix = f".{_extension(out_format)}" if out_format else input_path.suffix
    if out is None:
        return input_path.with_name(f"{input_path.stem}.en{suffix}")
    if out.is_dir():
        return out / f"{input_path.stem}{suffix}"
    return out


def _extension(fmt: str) -> str:
    return {"xliff": "xlf"}.get(fmt, fmt)
