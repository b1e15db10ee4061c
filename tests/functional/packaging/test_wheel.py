"""The wheel carries everything the app needs: built from the project's files, installed (not
editable) into a fresh environment that borrows this one's packages (torch is not downloaded
again), and run from a folder outside the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tui.cli import main

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("core", "tui", "screens")
SOURCES = (*PACKAGES, "data", "pyproject.toml", "setup.py", "README.md", "LICENSE")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")


def run(command: list, **options) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **options)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(wheel, venv): the wheel built from a copy of the project's files, installed into a
    fresh venv whose only extra path is this environment's site-packages (by a .pth file)."""
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=SKIP)
        else:
            shutil.copy2(path, source / name)
    pip = [sys.executable, "-m", "pip"]
    run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", base / "dist", source])
    (wheel,) = (base / "dist").glob("cnn_tui-*.whl")
    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib.stdout.strip(), "_shared_env.pth").write_text("\n".join(sorted(shared)) + "\n")
    run([*pip, "--python", python, "install", "--no-deps", "--no-index", "-q", wheel])
    return wheel, venv


def test_the_wheel_holds_every_project_file(built):
    """Every module, stylesheet, help page, photo, attribution and course pack; data/ is
    installed as core/bundled/."""
    wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    expected |= {
        "core/bundled/" + str(path.relative_to(ROOT / "data"))
        for path in (ROOT / "data").rglob("*")
        if path.is_file()
    }
    assert {
        "core/bundled/ATTRIBUTION.md",
        "core/bundled/chelsea.png",
        "tui/help/home.md",
    } <= expected
    assert any(name.startswith("core/bundled/packs/") for name in expected)
    assert expected - names == set()
    assert any(name.endswith("licenses/LICENSE") for name in names)


def test_the_installed_app_runs_outside_the_checkout(built, tmp_path, capsys):
    _, venv = built
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.pop("CNN_TUI_ASSETS", None)
    app = str(venv / "bin" / "cnn-tui")

    where = run([venv / "bin" / "python", "-c", "import core; print(core.__file__)"], cwd=elsewhere)
    assert Path(where.stdout.strip()).is_relative_to(venv), "the installed copy, not the checkout"

    conv = run([app, "conv", "--preset", "a1", "--json"], cwd=elsewhere, env=env)
    assert main(["conv", "--preset", "a1", "--json"]) == 0
    assert json.loads(conv.stdout) == json.loads(capsys.readouterr().out)

    out = elsewhere / "maps"
    args = ["explain", "chelsea", "--random-weights", "0", "--out", str(out)]
    run([app, *args], cwd=elsewhere, env=env)
    assert {"image.png", "map.png", "overlay.png", "heatmap.npy", "recipe.json"} <= {
        path.name for path in out.iterdir()
    }
    heatmap = np.load(out / "heatmap.npy")
    assert heatmap.shape[-2:] == (224, 224) and np.isfinite(heatmap).all()
    recipe = json.loads((out / "recipe.json").read_text())
    assert recipe["maps_shape"] == [1, 224, 224] and "RANDOM" in recipe["model"]


def test_installing_next_to_an_existing_torch_keeps_it(built, tmp_path):
    """README's "Install on a cluster that provides PyTorch": a constraints file pins the torch
    and torchvision already importable, and pip plans no torch, torchvision or CUDA package
    (nvidia-*, cuda-*, triton)."""
    wheel, _ = built
    venv = tmp_path / "cluster-env"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib.stdout.strip(), "_module.pth").write_text("\n".join(sorted(shared)) + "\n")
    quiet = {**os.environ, "PIP_CONFIG_FILE": os.devnull}  # this machine's pip settings aside
    pip = [sys.executable, "-m", "pip", "--python", python]
    # README: python -m pip list --format=freeze | grep -E '^(torch|torchvision)==' > c.txt
    listed = run([*pip, "list", "--format=freeze"], env=quiet).stdout.splitlines()
    pins = [line for line in listed if line.startswith(("torch==", "torchvision=="))]
    assert len(pins) == 2, listed
    (tmp_path / "c.txt").write_text("\n".join(pins) + "\n")
    report = tmp_path / "report.json"
    install = [*pip, "install", "--dry-run", "--no-index", "--report", report]
    run([*install, "-c", tmp_path / "c.txt", wheel], env=quiet)
    planned = {
        item["metadata"]["name"].lower() for item in json.loads(report.read_text())["install"]
    }
    assert "cnn-tui" in planned
    cuda = ("torch", "nvidia", "triton", "cuda-")  # recent torch wheels add cuda-toolkit & co.
    assert not {name for name in planned if name.startswith(cuda)}
