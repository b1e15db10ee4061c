"""Faults of the machine, told plainly: a full or forbidden folder ends a command with a message
and exit code 2 and a run `failed` with that message, keeping what was written; temporaries of
a killed write are swept at the next start; a reused pid is not a live worker."""

from __future__ import annotations

import errno
import json
import os
import resource
import socket
import subprocess
import sys
from contextlib import contextmanager

import pytest

from core.errors import storage_error
from tests.helpers.bounded import refused

TRAIN = (
    "train",
    "--preset",
    "lenet5",
    "--dataset",
    "shapes",
    "--train-size",
    "64",
    "--test-size",
    "64",
)


@contextmanager
def file_size_limit(size: int):
    """RLIMIT_FSIZE for this process: a write past `size` bytes fails with EFBIG, as a full
    disk fails with ENOSPC (Python ignores SIGXFSZ). The old limit is restored after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def test_a_real_full_device_is_told_plainly():
    with pytest.raises(OSError) as caught, open("/dev/full", "w") as stream:
        stream.write("x")
        stream.flush()
    assert caught.value.errno == errno.ENOSPC
    message = str(storage_error(caught.value, "/somewhere/runs/r1/checkpoints/last.pt"))
    assert message.startswith("No space left on /somewhere/runs/r1/checkpoints: free space or")


def test_a_checkpoint_that_does_not_fit_fails_the_run_with_the_message(capsys, tmp_path):
    runs = tmp_path / "runs"
    with file_size_limit(200_000):  # LeNet-5's checkpoint with Adam's state is ~770 KB
        message = refused(capsys, *TRAIN, "--epochs", "1", "--runs-dir", str(runs), seconds=60)
    assert "No space left on" in message and "/checkpoints: free space or move the runs" in message
    (run,) = runs.iterdir()
    events = [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]
    assert events[0]["kind"] == "start" and events[-1]["kind"] == "end"
    assert events[-1]["status"] == "failed" and events[-1]["message"] in message
    assert json.loads((run / "config.json").read_text())["preset"] == "lenet5"
    assert not list((run / "checkpoints").iterdir())  # no half checkpoint, no temporary


def test_exports_and_sweeps_into_a_full_folder_are_told_plainly(capsys, tmp_path):
    from core.runs.store import create_run

    runs = tmp_path / "runs"
    run = create_run(runs, {"preset": "lenet5"}, name="r")
    epoch = {"seq": 0, "time": 1.0, "kind": "epoch", "epoch": 1, "train_loss": 1.0}
    (run / "events.jsonl").write_text(json.dumps({**epoch, "train_acc": 0.5}) + "\n")
    with file_size_limit(64):
        message = refused(
            capsys,
            "runs",
            "export",
            run.name,
            "--runs-dir",
            str(runs),
            "--out",
            str(tmp_path / "out"),
        )
        assert f"No space left on {tmp_path / 'out'}" in message
        message = refused(
            capsys,
            "sweep",
            "--preset",
            "lenet5",
            "--set",
            "dataset=shapes",
            "--grid",
            "lr=0.1,0.01",
            "--runs-dir",
            str(tmp_path / "sweep"),
        )
        assert "No space left on" in message and "free space or move the runs folder" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_runs_folder_is_told_plainly(capsys, tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    runs.chmod(0o555)
    try:
        message = refused(capsys, *TRAIN, "--epochs", "1", "--runs-dir", str(runs))
    finally:
        runs.chmod(0o755)
    assert f"No permission to use {runs}" in message


def _can_mount() -> bool:
    """Whether this user may mount a tmpfs in a private mount namespace (root in most CI)."""
    try:
        done = subprocess.run(
            ["unshare", "--mount", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@pytest.mark.skipif(not _can_mount(), reason="no private mount namespace for this user")
def test_a_read_only_file_system_is_told_plainly_even_to_root(tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    script = 'mount -t tmpfs -o ro,size=1m tmpfs "$1" && shift && exec "$@"'
    runs = folder / "runs"
    commands = [
        (*TRAIN, "--epochs", "1"),
        ("sweep", "--preset", "lenet5", "--grid", "lr=0.1,0.01"),
    ]
    for command in commands:
        done = subprocess.run(  # the mount lives and dies with this process's own namespace
            [
                "unshare",
                "--mount",
                "sh",
                "-c",
                script,
                "sh",
                str(folder),
                sys.executable,
                "-m",
                "tui.cli",
                *command,
                "--runs-dir",
                str(runs),
            ],  # fmt: skip
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr[-500:]
        assert f"{folder} is read-only: move the runs folder somewhere writable" in done.stderr
        assert "Traceback" not in done.stderr


def test_temporaries_of_a_killed_write_are_removed_at_the_next_start(tmp_path):
    from core.paths import remove_stale_temporaries

    pid_max = int(open("/proc/sys/kernel/pid_max").read())
    stale = tmp_path / f".last.pt.{pid_max + 1}-140.tmp"  # no process has this pid
    live = tmp_path / f".last.pt.{os.getpid()}-140.tmp"  # a live writer's is kept
    for path in (stale, live):
        path.write_bytes(b"half a checkpoint")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert not stale.exists() and live.exists()


def test_a_reused_pid_is_not_a_live_worker(tmp_path):
    from core.cluster.launch import worker_alive
    from core.cluster.local import process_start, record_foreground
    from core.cluster.status import run_status
    from core.runs.store import create_run

    run = create_run(tmp_path, {"preset": "lenet5"}, name="r")
    record_foreground(run)
    assert worker_alive(run) is True
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        launch = json.loads((run / "launch.json").read_text())
        launch["pid"] = stranger.pid  # the worker died and its pid now names this process
        (run / "launch.json").write_text(json.dumps(launch))
        assert process_start(stranger.pid) != launch["pid_start"]
        assert worker_alive(run) is False
        assert run_status(run).state == "died"  # so `runs resume` may continue it
    finally:
        stranger.kill()
        stranger.wait()


def _offline() -> bool:
    import socket

    try:
        socket.getaddrinfo("download.pytorch.org", 443)
    except OSError:
        return True
    return False


@pytest.mark.skipif(not _offline(), reason="needs a machine without internet")
def test_offline_fetches_leave_no_empty_folders(capsys, tmp_path, monkeypatch):
    data, torch_home = tmp_path / "data" / "cifar", tmp_path / "torch"
    monkeypatch.setenv("TORCH_HOME", str(torch_home))
    assert "Could not download CIFAR-10" in refused(
        capsys, "data", "fetch", "cifar10", "--data-dir", str(data), seconds=60
    )
    assert "Could not download" in refused(capsys, "weights", "fetch", "resnet18", seconds=60)
    assert list(tmp_path.iterdir()) == []


def test_folders_made_by_a_failed_block_are_removed_and_others_kept(tmp_path):
    from core.paths import folders_undone_on_failure

    kept = tmp_path / "kept"
    kept.mkdir()
    (tmp_path / "full").mkdir()
    with pytest.raises(OSError), folders_undone_on_failure(tmp_path / "full" / "a" / "b"):
        (tmp_path / "full" / "a" / "b").mkdir(parents=True)
        (tmp_path / "full" / "note").write_text("written before")
        raise OSError(errno.ENETUNREACH, "offline")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "kept"]
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["note"]


def test_resuming_into_a_full_folder_is_told_plainly(capsys, tmp_path):
    from core.runs.store import create_run
    from core.training.config import TrainConfig

    runs = tmp_path / "runs"
    config = TrainConfig.for_preset(
        "lenet5", dataset="shapes", epochs=1, train_size=64, test_size=64
    )
    run = create_run(runs, config.to_dict(), name="r")
    pid_max = int(open("/proc/sys/kernel/pid_max").read())
    died = {"launcher": "local", "pid": pid_max + 1, "host": socket.gethostname(), "started": 1.0}
    (run / "launch.json").write_text(json.dumps(died))  # its worker is gone: it can be resumed
    with file_size_limit(64):
        message = refused(capsys, "runs", "resume", run.name, "--runs-dir", str(runs))
    assert f"No space left on {run.resolve()}: free space or move the runs folder" in message
    assert json.loads((run / "launch.json").read_text()) == died  # no worker was started
    assert not (run / "worker.log").exists()
    with file_size_limit(200_000):  # the checkpoint does not fit
        message = refused(
            capsys, "runs", "resume", run.name, "--foreground", "--runs-dir", str(runs), seconds=60
        )
    assert "/checkpoints: free space or move the runs folder" in message


def test_a_run_folder_that_cannot_be_written_is_not_left_half_made(capsys, tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    with file_size_limit(64):  # config.json does not fit
        message = refused(capsys, *TRAIN, "--epochs", "1", "--runs-dir", str(runs))
    assert "No space left on" in message and "free space or move the runs folder" in message
    assert list(runs.iterdir()) == []
