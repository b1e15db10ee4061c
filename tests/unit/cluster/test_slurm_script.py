"""The generated batch script: its #SBATCH request, and (run by bash with a fake srun and
worker) array task selection, the USR1 → control/stop trap and the exit status."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from core.cluster.slurm_script import STOP_REASON, batch_script, sbatch_options
from core.settings import SlurmSettings

FAKE_WORKER = """#!/bin/bash
# Stands in for `python -m core.worker RUN_DIR`: says where it runs, waits for a stop request.
echo "worker $3" > "$3/ran"
for _ in $(seq 200); do
  [ -e "$3/control/stop" ] && exit 3
  sleep 0.05
done
exit 9
"""


def test_sbatch_options_carry_every_setting():
    settings = SlurmSettings(
        partition="gpu",
        gpus="a100:1",
        cpus=4,
        mem="16G",
        time="02:00:00",
        account="cs101",
        qos="short",
        extra=("--constraint=a100",),
        signal_seconds=90,
    )
    options = sbatch_options(settings, job_name="j", output="out.log", array="0-3%2")
    assert options == [
        "--job-name=j",
        "--output=out.log",
        "--open-mode=append",
        "--partition=gpu",
        "--gpus=a100:1",
        "--cpus-per-task=4",
        "--mem=16G",
        "--time=02:00:00",
        "--account=cs101",
        "--qos=short",
        "--requeue",
        "--signal=B:USR1@90",
        "--array=0-3%2",
        "--constraint=a100",
    ]


def test_defaults_leave_the_request_to_the_cluster():
    options = sbatch_options(SlurmSettings(), job_name="j", output="o")
    assert not any(
        option.startswith(("--partition", "--gpus", "--gres", "--mem", "--time"))
        for option in options
    )


def test_script_is_valid_bash_with_the_activation_line(tmp_path):
    settings = SlurmSettings(activate="module load cuda/12 && source ~/venv/bin/activate")
    text = batch_script([tmp_path / "a b"], settings, job_name="j", output="o")
    assert text.startswith("#!/bin/bash\n#SBATCH --job-name=j\n")
    assert "\nmodule load cuda/12 && source ~/venv/bin/activate\n" in text
    assert subprocess.run(["bash", "-n"], input=text, text=True).returncode == 0
    assert "'" + str((tmp_path / "a b").resolve()) + "'" in text  # quoted path with a space


def _runs(tmp_path: Path, count: int) -> list[Path]:
    runs = []
    for index in range(count):
        run = tmp_path / f"run-{index}"
        (run / "control").mkdir(parents=True)
        runs.append(run)
    return runs


def test_array_task_trains_its_own_run_and_usr1_asks_it_to_stop(tmp_path):
    worker = tmp_path / "fake-python"
    worker.write_text(FAKE_WORKER)
    worker.chmod(0o755)
    runs = _runs(tmp_path, 3)
    script = tmp_path / "job.sbatch"
    script.write_text(
        batch_script(
            runs,
            SlurmSettings(python=str(worker), use_srun=False),
            job_name="j",
            output="o",
            array_parallel=2,
        )
    )
    assert "#SBATCH --array=0-2%2" in script.read_text()
    env = {**os.environ, "SLURM_ARRAY_TASK_ID": "1", "SLURM_JOB_ID": "77"}
    shell = subprocess.Popen(["bash", str(script)], env=env)
    deadline = time.monotonic() + 10
    while not (runs[1] / "ran").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (runs[1] / "ran").exists() and not (runs[0] / "ran").exists()
    shell.send_signal(signal.SIGUSR1)
    assert shell.wait(timeout=10) == 3  # the worker's own exit status
    assert (runs[1] / "control" / "stop").read_text().strip() == STOP_REASON
    log = (runs[1] / "worker.log").read_text()
    assert "[cnn-tui] job 77 on" in log and "restart 0" in log


def test_srun_starts_the_worker_as_a_job_step(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "srun").write_text('#!/bin/bash\necho "srun $*" > "$SRUN_LOG"\n')
    (bin_dir / "srun").chmod(0o755)
    (run,) = _runs(tmp_path, 1)
    script = tmp_path / "job.sbatch"
    script.write_text(
        batch_script([run], SlurmSettings(python="/opt/py"), job_name="j", output="o")
    )
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "SRUN_LOG": str(tmp_path / "srun.log"),
    }
    assert subprocess.run(["bash", str(script)], env=env, timeout=10).returncode == 0
    assert (tmp_path / "srun.log").read_text().split() == [
        "srun",
        "--kill-on-bad-exit=1",
        "/opt/py",
        "-m",
        "core.worker",
        str(run.resolve()),
    ]
