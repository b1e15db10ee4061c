"""A real single-node Slurm cluster (munged + slurmctld + slurmd on localhost) for the tests.

Installs nothing: it needs Debian's `slurm-wlm` and `munge` (see .ci/run) and root, writes a
munge key and a CPU-only, cgroup-free slurm.conf into a temporary folder, starts the three
daemons on free ports, waits until `sinfo` shows the node idle, and stops them afterwards.
Every xdist worker gets its own cluster (own ports, node name, state folders).

Run by hand:  python tests/functional/slurm_cluster.py   (prints the SLURM_CONF to export)
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "scancel", "scontrol", "sinfo")
NODE_CPUS = 8
"""CPUs the node advertises (config_overrides lets it exceed the real count), so a 2×2 array
runs all its tasks at once on a small machine."""


def missing_reason() -> str | None:
    """Why a local cluster cannot be started here, or None when it can."""
    missing = [
        name
        for name in DAEMONS + CLIENTS + ("mungekey",)
        if shutil.which(name) is None and not Path("/usr/sbin", name).exists()
    ]
    if missing:
        return f"Slurm test cluster needs {', '.join(missing)}: apt-get install -y slurm-wlm munge"
    if os.geteuid() != 0:
        return "Slurm test cluster runs its daemons as root (SlurmUser=root)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _binary(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin", name))


@dataclass
class LocalSlurm:
    """One running single-node cluster; `env` is what clients need (SLURM_CONF)."""

    root: Path  # folder holding config, key, state, spool, logs and sockets
    node: str  # the node's Slurm name
    env: dict[str, str]  # environment for sbatch/squeue/... (SLURM_CONF set)
    startup_seconds: float  # time from first daemon start to node idle

    def log(self, daemon: str) -> str:
        path = self.root / f"{daemon}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Cancel every job and let it wind down, stop the daemons (SIGTERM, then SIGKILL),
        end whatever the jobs left behind, and remove the folder."""
        self._drain_jobs()
        pids = []
        for name in ("slurmd", "slurmctld", "munged"):
            pid_file = self.root / f"{name}.pid"
            if pid_file.exists():
                pids.append(int(pid_file.read_text().split()[0]))
        for pid in pids:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.1)
        for pid in pids:
            _signal(pid, signal.SIGKILL)
        for pid in self._job_processes():
            _signal(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)

    def _drain_jobs(self, timeout: float = 10.0) -> None:
        """scancel all jobs and wait until squeue lists none (steps end cleanly)."""
        subprocess.run(["scancel", "--user", "root"], env=self.env, capture_output=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            listed = subprocess.run(
                ["squeue", "-h", "-o", "%i"], env=self.env, capture_output=True, text=True
            )
            if listed.returncode != 0 or not listed.stdout.strip():
                return
            time.sleep(0.2)

    def _job_processes(self) -> list[int]:
        """Processes this cluster's jobs started (their environment names our slurm.conf):
        slurmstepd, batch shells, srun, workers."""
        marker = f"SLURM_CONF={self.env['SLURM_CONF']}".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                environ = (entry / "environ").read_bytes().split(b"\0")
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            in_job = command.startswith(b"slurmstepd") or any(
                item.startswith(b"SLURM_JOB_ID=") for item in environ
            )
            if marker in environ and in_job:
                found.append(int(entry.name))
        return found


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def slurm_conf(root: Path, node: str, ctld_port: int, slurmd_port: int) -> str:
    """A localhost, CPU-only, cgroup-free configuration with partition `debug`."""
    return f"""\
ClusterName=cnntui
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
AuthType=auth/munge
AuthInfo=socket={root}/munge.socket,cred_expire=30
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
SlurmdParameters=config_overrides
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
KillWait=5
MailProg=/bin/true
NodeName={node} NodeHostname=localhost NodeAddr=127.0.0.1 CPUs={NODE_CPUS} RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes={node} Default=YES MaxTime=INFINITE State=UP
"""


def start_cluster(timeout: float = 60.0) -> LocalSlurm:
    """Generate key and config in a temporary folder, start the daemons, wait for idle."""
    root = Path(tempfile.mkdtemp(prefix="cnn-tui-slurm-"))
    os.chmod(root, 0o755)
    for sub in ("state", "spool"):
        (root / sub).mkdir()
    node = f"node{os.getpid()}"
    conf = root / "slurm.conf"
    conf.write_text(slurm_conf(root, node, _free_port(), _free_port()))
    env = {**os.environ, "SLURM_CONF": str(conf)}
    cluster = LocalSlurm(root=root, node=node, env=env, startup_seconds=0.0)
    began = time.monotonic()
    try:
        subprocess.run(
            [_binary("mungekey"), "--create", f"--keyfile={root}/munge.key"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                _binary("munged"),
                f"--key-file={root}/munge.key",
                f"--socket={root}/munge.socket",
                f"--pid-file={root}/munged.pid",
                f"--log-file={root}/munged.log",
                f"--seed-file={root}/munged.seed",
                "--force",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [_binary("slurmctld"), "-f", str(conf)], check=True, env=env, capture_output=True
        )
        subprocess.run(
            [_binary("slurmd"), "-f", str(conf), "-N", node],
            check=True,
            env=env,
            capture_output=True,
        )
        _wait_idle(cluster, timeout)
    except (subprocess.CalledProcessError, TimeoutError) as error:
        detail = getattr(error, "stderr", b"") or b""
        logs = "\n".join(f"--- {d}\n{cluster.log(d)[-2000:]}" for d in DAEMONS)
        cluster.stop()
        raise RuntimeError(f"local Slurm did not start: {error} {detail!r}\n{logs}") from error
    cluster.startup_seconds = time.monotonic() - began
    return cluster


def _wait_idle(cluster: LocalSlurm, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = subprocess.run(
            ["sinfo", "-h", "-N", "-o", "%T"], env=cluster.env, capture_output=True, text=True
        )
        if result.returncode == 0 and result.stdout.strip() == "idle":
            return
        time.sleep(0.3)
    raise TimeoutError(f"node {cluster.node} not idle after {timeout:.0f} s")


@pytest.fixture(scope="session")
def slurm_cluster():
    """A running local cluster for the session; SLURM_CONF is exported while it lives."""
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    cluster = start_cluster()
    previous = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = cluster.env["SLURM_CONF"]
    try:
        yield cluster
    finally:
        if previous is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = previous
        cluster.stop()


if __name__ == "__main__":
    problem = missing_reason()
    if problem:
        sys.exit(problem)
    running = start_cluster()
    print(f"started in {running.startup_seconds:.1f} s; in another shell:")
    print(f"export SLURM_CONF={running.env['SLURM_CONF']}")
    try:
        signal.pause()
    except KeyboardInterrupt:
        running.stop()
