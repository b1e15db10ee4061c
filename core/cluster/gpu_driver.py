"""Does the NVIDIA driver here run the installed PyTorch? The torch build's CUDA version, the
driver version `nvidia-smi` reports, and NVIDIA's minimum driver for each CUDA major version
(CUDA's minor-version compatibility: any 12.x build runs on a driver for 12.0).

Too old a driver does not raise anything in PyTorch: `torch.cuda.is_available()` is just False
and training quietly runs on the CPU, so the doctor says it plainly and names the fix."""

from __future__ import annotations

import shutil
import subprocess

MIN_DRIVER = {11: (450, 80, 2), 12: (525, 60, 13), 13: (580, 65, 6)}
"""Oldest Linux driver for each CUDA major version (NVIDIA's CUDA compatibility table)."""

WHEEL_INDEX = "https://download.pytorch.org/whl"
OLDER_WHEELS = ((13, "cu130"), (12, "cu126"), (11, "cu118"))  # newest first


def driver_version(timeout: float = 10.0) -> str | None:
    """The driver version `nvidia-smi` reports (e.g. "535.104.05"); None without nvidia-smi or
    when it does not answer."""
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        result = subprocess.run(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = result.stdout.split()
    return lines[0] if result.returncode == 0 and lines else None


def _parse(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def judge(torch_version: str, torch_cuda: str | None, driver: str | None) -> tuple[str, str, str]:
    """(status, detail, fix) of the doctor's "torch and driver" line for these versions;
    status is "ok", "warn" or "fail"."""
    build = f"torch {torch_version} built for CUDA {torch_cuda}" if torch_cuda else ""
    if torch_cuda is None:
        detail = f"torch {torch_version} is a CPU-only build"
        if driver is None:
            return "ok", f"{detail}; no nvidia-smi here", ""
        return (
            "warn",
            f"{detail}, but this node has NVIDIA driver {driver}: training would use the CPU",
            "install a CUDA build of torch (see README, 'Install on a cluster that provides "
            "PyTorch'), or use the cluster's PyTorch module",
        )
    if driver is None:
        return (
            "ok",
            f"{build}; no nvidia-smi here (normal on a login node without GPUs; the "
            "compute-node job checks the GPUs)",
            "",
        )
    major = _parse(torch_cuda)[0]
    needed = MIN_DRIVER.get(major)
    if needed is None or _parse(driver) >= needed:
        return "ok", f"{build}; NVIDIA driver {driver}", ""
    need = ".".join(str(part) for part in needed)
    return (
        "fail",
        f"NVIDIA driver {driver} is too old for {build} (it needs driver {need} or newer): "
        "torch sees no GPU and training would run on the CPU",
        _fix(driver),
    )


def _fix(driver: str) -> str:
    usable = [
        (tag, major)
        for major, tag in OLDER_WHEELS
        if _parse(driver) >= MIN_DRIVER[major]  # the newest CUDA this driver runs
    ]
    if not usable:
        return (
            "this driver is older than every current PyTorch wheel supports: use the "
            "cluster's PyTorch module (README: 'Install on a cluster that provides PyTorch') or "
            "ask the administrators for a newer driver"
        )
    tag, major = usable[0]
    return (
        f"install a torch built for CUDA {major}, which this driver runs: pip install torch "
        f"torchvision --index-url {WHEEL_INDEX}/{tag} (or use the cluster's PyTorch module, "
        "README: 'Install on a cluster that provides PyTorch'), or ask the administrators for "
        "a newer driver"
    )
