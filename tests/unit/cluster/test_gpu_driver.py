"""`cnn-tui doctor` names the torch build's CUDA version and the NVIDIA driver, and says plainly
when the driver is too old for the installed wheel. `nvidia-smi` is a script on PATH that
answers like the real one (a test double for the external binary)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from core.cluster.doctor import PROBE
from core.cluster.gpu_driver import MIN_DRIVER, judge
from tui.cli import main


@pytest.fixture
def fake_smi(tmp_path, monkeypatch):
    """Install an nvidia-smi that reports `version` as the driver; returns the installer."""
    folder = tmp_path / "bin"
    folder.mkdir()

    def install(version: str) -> None:
        script = folder / "nvidia-smi"
        script.write_text(
            "#!/bin/sh\n"
            'case "$*" in *--query-gpu=driver_version*) '
            f"echo {version}; exit 0;; esac\necho 'NVIDIA-SMI {version}'\n"
        )
        script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")

    return install


def doctor_line(capsys) -> dict:
    main(["doctor", "--no-job", "--json"])
    checks = json.loads(capsys.readouterr().out)["checks"]
    return next(check for check in checks if check["name"] == "torch and driver")


def test_an_old_driver_is_named_with_the_fix(fake_smi, capsys):
    fake_smi("470.57.02")  # runs CUDA 11 builds only
    line = doctor_line(capsys)
    assert "470.57.02" in line["detail"] and torch.__version__ in line["detail"]
    if torch.version.cuda is None:
        assert line["status"] == "warn" and "CPU-only" in line["detail"]
        return
    major = int(torch.version.cuda.split(".")[0])
    assert f"CUDA {torch.version.cuda}" in line["detail"]
    if major >= 12:
        needed = ".".join(map(str, MIN_DRIVER[major]))
        assert line["status"] == "fail" and "too old" in line["detail"] and needed in line["detail"]
        assert "download.pytorch.org/whl/cu118" in line["fix"]
    else:
        assert line["status"] == "ok"


def test_a_recent_driver_is_reported(fake_smi, capsys):
    fake_smi("999.99.01")
    line = doctor_line(capsys)
    assert "999.99.01" in line["detail"]
    assert line["status"] == ("ok" if torch.version.cuda else "warn")


def test_without_nvidia_smi_the_build_is_still_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH
    line = doctor_line(capsys)
    assert line["status"] == "ok" and "no nvidia-smi" in line["detail"]
    assert (f"CUDA {torch.version.cuda}" if torch.version.cuda else "CPU-only") in line["detail"]


@pytest.mark.parametrize(
    ("cuda", "driver", "status", "fix"),
    [
        ("12.4", "535.104.05", "ok", ""),
        ("12.4", "525.60.13", "ok", ""),  # exactly the minimum
        ("12.4", "525.60.12", "fail", "whl/cu118"),
        ("13.0", "550.54.15", "fail", "whl/cu126"),
        ("11.8", "450.80.02", "ok", ""),
        ("12.1", "390.157", "fail", "older than every current PyTorch wheel"),
        (None, "535.104.05", "warn", "CUDA build of torch"),
    ],
)
def test_the_verdict_follows_nvidias_minimum_drivers(cuda, driver, status, fix):
    got_status, detail, got_fix = judge("2.9.0", cuda, driver)
    assert got_status == status and driver in detail
    assert fix in got_fix if fix else got_fix == ""


def test_the_compute_node_probe_reports_driver_and_build(fake_smi, tmp_path):
    fake_smi("470.57.02")
    out = tmp_path / "probe.json"
    subprocess.run([sys.executable, "-c", PROBE, str(out)], check=True, timeout=120)
    probe = json.loads(out.read_text())
    assert probe["driver"] == "470.57.02" and probe["torch_cuda"] == torch.version.cuda
    assert probe["torch"] == torch.__version__
