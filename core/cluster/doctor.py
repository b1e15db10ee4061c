"""`cnn-tui doctor`'s checks: is this login node ready to train on the cluster's GPUs, and if
not, what exactly to fix. Each check returns a `Check`; none of them raises."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from core.cluster.slurm_script import sbatch_options
from core.settings import Settings, SettingsError, load_settings, settings_path

PROBE = (
    "import json, socket, subprocess, sys; out = {'host': socket.gethostname()}\n"
    "try:\n"
    "    out['driver'] = subprocess.run(['nvidia-smi', '--query-gpu=driver_version',\n"
    "        '--format=csv,noheader'], capture_output=True, text=True,\n"
    "        timeout=30).stdout.split()[0]\n"
    "except Exception:\n"
    "    pass\n"
    "try:\n"
    "    import torch\n"
    "    out.update(torch=torch.__version__, torch_cuda=torch.version.cuda,\n"
    "               cuda=torch.cuda.is_available(),\n"
    "               devices=[torch.cuda.get_device_name(i)\n"
    "                        for i in range(torch.cuda.device_count())])\n"
    "except Exception as error:\n"
    "    out['error'] = f'{type(error).__name__}: {error}'\n"
    "json.dump(out, open(sys.argv[1], 'w'))\n"
)
"""What the tiny job runs on the compute node: host, NVIDIA driver, torch and its CUDA build,
visible CUDA devices."""


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str  # what was checked
    status: str  # "ok" | "warn" | "fail"
    detail: str  # what was found
    fix: str = ""  # what to do about it (empty when nothing)


def check_settings(path: Path | None = None) -> tuple[Check, Settings]:
    """The settings file parses and validates."""
    where = path or settings_path()
    try:
        settings = load_settings(where)
    except SettingsError as error:
        return Check("settings", "fail", str(error), f"fix or delete {where}"), Settings()
    found = "found" if Path(where).exists() else "not present (defaults)"
    return Check("settings", "ok", f"{where} {found}; launcher {settings.launcher}"), settings


def check_slurm_commands(launcher: str) -> Check:
    """sbatch/squeue/scancel exist (sacct is optional)."""
    needed = [name for name in ("sbatch", "squeue", "scancel", "sinfo") if not shutil.which(name)]
    if needed:
        status = "fail" if launcher == "slurm" else "warn"
        return Check(
            "slurm commands",
            status,
            f"missing: {', '.join(needed)}",
            "run cnn-tui on the cluster's login node (or load its slurm module); "
            "without Slurm use --launcher local",
        )
    forgetful = "finished jobs are known only while squeue lists them (cnn-tui caches them)"
    if not shutil.which("sacct"):
        return Check(
            "slurm commands", "ok", f"sbatch, squeue, scancel found; no sacct: {forgetful}"
        )
    try:
        probe = subprocess.run(
            ["sacct", "-n", "-X", "-o", "JobID"], capture_output=True, text=True, timeout=10
        )
    except subprocess.TimeoutExpired:
        return Check("slurm commands", "warn", "sacct did not answer in 10 s")
    if probe.returncode != 0:
        return Check(
            "slurm commands",
            "ok",
            f"sbatch, squeue, scancel found; sacct says {probe.stderr.strip()!r}: {forgetful}",
        )
    return Check("slurm commands", "ok", "sbatch, squeue, scancel, sacct (accounting) found")


def check_runs_folder(runs_dir: Path) -> Check:
    """The runs folder exists (or can be made) and is writable."""
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=runs_dir, prefix=".doctor-"):
            pass
    except OSError as error:
        return Check(
            "runs folder",
            "fail",
            f"{runs_dir}: {error.strerror or error}",
            "choose a writable folder on the shared filesystem: --runs-dir DIR or "
            "runs_dir in settings.toml",
        )
    return Check("runs folder", "ok", f"{runs_dir.resolve()} is writable")


def check_data(data_dir: Path) -> Check:
    """CIFAR-10 is present (otherwise training falls back to synthetic Shapes-10)."""
    from core.data.datasets import cifar10_present

    if cifar10_present(data_dir):
        return Check("data folder", "ok", f"CIFAR-10 found in {data_dir}")
    return Check(
        "data folder",
        "warn",
        f"no CIFAR-10 in {data_dir}; runs use Shapes-10",
        "on a node with internet: cnn-tui data fetch cifar10 --data-dir DIR "
        "(a folder compute nodes can read)",
    )


def check_truecolor() -> Check:
    """The terminal announces 24-bit colour (heatmaps need it)."""
    if os.environ.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return Check("truecolor", "ok", "COLORTERM announces 24-bit colour")
    return Check(
        "truecolor",
        "warn",
        "COLORTERM does not announce 24-bit colour",
        "if your terminal supports it: export COLORTERM=truecolor, or start cnn-tui --truecolor",
    )


def check_torch_driver() -> Check:
    """The installed torch's CUDA build against this node's NVIDIA driver (nvidia-smi)."""
    from core.cluster.gpu_driver import driver_version, judge

    try:
        import torch
    except ImportError as error:
        return Check(
            "torch and driver", "fail", f"torch does not import: {error}", "pip install torch"
        )
    return Check(
        "torch and driver", *judge(torch.__version__, torch.version.cuda, driver_version())
    )


def probe_script(settings: Settings, result_file: Path, output: Path) -> str:
    """A batch script that runs PROBE on a compute node with the user's Slurm request."""
    slurm = settings.slurm
    options = [
        option
        for option in sbatch_options(slurm, job_name="cnn-tui-doctor", output=str(output))
        if not option.startswith(("--requeue", "--signal"))
    ]
    lines = ["#!/bin/bash", *[f"#SBATCH {option}" for option in options]]
    if slurm.activate:
        lines.append(slurm.activate)
    python = slurm.python or sys.executable
    lines.append(f"{shlex.quote(python)} -c {shlex.quote(PROBE)} {shlex.quote(str(result_file))}")
    return "\n".join(lines) + "\n"


def check_compute_node(settings: Settings, runs_dir: Path, timeout: float) -> list[Check]:
    """Submit a tiny job: does it start, does it see the runs folder (shared?), and CUDA?"""
    from core.cluster.slurm import SlurmError, cancel, forget_snapshot, query_jobs, submit

    folder = runs_dir / ".doctor"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    result_file = folder / f"{stamp}.json"
    script = folder / f"{stamp}.sbatch"
    script.write_text(
        probe_script(settings, result_file.resolve(), (folder / f"{stamp}.out").resolve())
    )
    try:
        job_id = submit(script)
    except SlurmError as error:
        return [
            Check(
                "compute job",
                "fail",
                str(error),
                "check partition/account/qos/gpus in settings.toml (sinfo lists partitions)",
            )
        ]
    deadline = time.monotonic() + timeout
    job = None
    while time.monotonic() < deadline and not result_file.exists():
        forget_snapshot()
        job = query_jobs([job_id]).get(job_id)
        if job is not None and job.state not in ("PENDING", "CONFIGURING", "RUNNING", "COMPLETING"):
            break
        time.sleep(1.0)
    if not result_file.exists():
        return _probe_missing(job_id, job, timeout, folder / f"{stamp}.out", cancel)
    probe = json.loads(result_file.read_text())
    checks = [
        Check("shared runs folder", "ok", f"job {job_id} on {probe['host']} wrote into {folder}")
    ]
    if "error" in probe:
        checks.append(
            Check(
                "cuda on compute node",
                "fail",
                f"torch failed: {probe['error']}",
                "set slurm.activate to the line that activates this environment",
            )
        )
    elif probe["cuda"]:
        checks.append(
            Check(
                "cuda on compute node",
                "ok",
                f"{', '.join(probe['devices'])} (torch {probe['torch']})",
            )
        )
    elif (verdict := _driver_verdict(probe)) is not None:
        checks.append(Check("cuda on compute node", "fail", *verdict))
    else:
        checks.append(
            Check(
                "cuda on compute node",
                "fail",
                f"no CUDA device visible on {probe['host']} (torch {probe['torch']})",
                "request a GPU: --gpus 1 (or gpus/gres and a GPU partition in "
                "settings.toml); check `module load cuda` in slurm.activate",
            )
        )
    return checks


def _driver_verdict(probe: dict) -> tuple[str, str] | None:
    """(detail, fix) when the compute node's driver explains why torch sees no GPU."""
    from core.cluster.gpu_driver import judge

    if probe.get("driver") is None:
        return None
    status, detail, fix = judge(probe["torch"], probe.get("torch_cuda"), probe["driver"])
    return None if status == "ok" else (f"on {probe['host']}: {detail}", fix)


def _probe_missing(job_id, job, timeout, output: Path, cancel) -> list[Check]:
    if job is not None and job.state == "PENDING":
        cancel(job_id)
        return [
            Check(
                "compute job",
                "warn",
                f"job {job_id} still pending after {timeout:.0f} s ({job.reason}); cancelled",
                "try again later, or a partition with free nodes",
            )
        ]
    log = output.read_text(errors="replace")[-300:] if output.exists() else ""
    state = job.state if job else "gone"
    return [
        Check(
            "shared runs folder",
            "fail",
            f"job {job_id} ended ({state}) but its result never appeared. {log}".strip(),
            "the runs folder must be on a filesystem the compute nodes share "
            "(--runs-dir / runs_dir in settings.toml)",
        )
    ]


def run_checks(
    settings_file: Path | None,
    settings: Settings | None,
    runs_dir: Path,
    data_dir: Path,
    *,
    job: bool,
    timeout: float,
) -> list[Check]:
    """Every check, in the order the report prints them."""
    settings_check, loaded = check_settings(settings_file)
    settings = settings or loaded
    checks = [
        settings_check,
        check_slurm_commands(settings.launcher),
        check_runs_folder(runs_dir),
        check_data(data_dir),
        check_truecolor(),
        check_torch_driver(),
    ]
    if job and checks[1].status == "ok" and checks[2].status == "ok":
        checks += check_compute_node(settings, runs_dir, timeout)
    return checks
