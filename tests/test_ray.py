"""`transdesk translate --ray` on a local 2-CPU Ray instance: output identical to a local run."""

from __future__ import annotations

from pathlib import Path

import pytest

from mt.checkpoint import checkpoint_path
from tests.conftest import run_cli, shared_lines

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

pytestmark = pytest.mark.slow

# Small batches, so 100 lines make several and two workers finish them out of order.
BATCH_TOKENS = "192"


@pytest.fixture(scope="module")
def local_ray():
    """A Ray instance for this module only; `--ray` uses an already initialised Ray."""
    if ray.is_initialized():
        ray.shutdown()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ray") / "news.txt"
    path.write_text("\n".join(shared_lines("ntrex128", "ko", limit=100)) + "\n", encoding="utf-8")
    return path


def translate(*args: str):
    result = run_cli("translate", *args)
    assert result.exit_code == 0, result.output
    return result


def common_args(model: Path) -> list[str]:
    return ["--model", str(model), "--batch-tokens", BATCH_TOKENS, "--beam", "2"]


@pytest.fixture(scope="module")
def local_output(news, tiny_model_dir, tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("local") / "news.en.txt"
    translate(str(news), "-o", str(out), *common_args(tiny_model_dir))
    return out.read_bytes()


def test_ray_output_is_byte_identical_to_local(
    local_ray, news, tiny_model_dir, local_output, tmp_path
):
    out = tmp_path / "news.en.txt"
    result = translate(
        str(news), "-o", str(out), "--ray", "--ray-workers", "2", *common_args(tiny_model_dir)
    )
    assert out.read_bytes() == local_output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 100
    assert not checkpoint_path(out).exists()
    assert "Error" not in result.output


def test_ray_resumes_from_a_checkpoint_of_finished_batches(
    local_ray, news, tiny_model_dir, local_output, tmp_path
):
    from mt import formats
    from mt.batch import local_executor, translate_parsed
    from mt.engines import load_engine

    out = tmp_path / "news.en.txt"
    engine = load_engine(str(tiny_model_dir), beam_size=2, batch_tokens=int(BATCH_TOKENS))
    data = news.read_bytes()
    parsed = formats.read_bytes(data, news.name)

    class Interrupted(Exception):
        pass

    def stop_after_three(plan, pending, beam):
        for n, item in enumerate(local_executor(engine)(plan, pending, beam)):
            if n == 3:
                raise Interrupted
            yield item

    # The same job as the CLI's, interrupted locally after three batches.
    with pytest.raises(Interrupted, match=r"^$"):
        translate_parsed(
            parsed,
            engine,
            data=data,
            output=out,
            beam=2,
            batch_tokens=int(BATCH_TOKENS),
            executor=stop_after_three,
        )
    records = checkpoint_path(out).read_text(encoding="utf-8").splitlines()
    assert len(records) == 1 + 3  # the job's fingerprint, then three finished batches
    assert not out.exists()

    result = translate(str(news), "-o", str(out), "--ray", "--resume", *common_args(tiny_model_dir))
    assert "resumed 3/" in result.stderr
    assert out.read_bytes() == local_output
    assert not checkpoint_path(out).exists()


def test_a_worker_that_cannot_load_the_model_is_one_clear_error(
    local_ray, news, tiny_model_dir, tmp_path
):
    import shutil

    from mt import formats
    from mt.batch import translate_parsed
    from mt.distributed import ray_executor
    from mt.engines import load_engine
    from mt.errors import TransdeskError

    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    engine = load_engine(str(model), beam_size=2, batch_tokens=int(BATCH_TOKENS))
    engine.count_tokens(["시험"])  # the driver's tokenizer is loaded; then the folder goes,
    shutil.rmtree(model)  # so the workers cannot find the model
    data = news.read_bytes()
    error = r"^Ray job failed: .*model folder not found on Ray worker"
    with pytest.raises(TransdeskError, match=error):
        translate_parsed(
            formats.read_bytes(data, news.name),
            engine,
            data=data,
            output=tmp_path / "out.txt",
            executor=ray_executor(engine),
        )
