"""A semester of runs: `runs ls` and the Monitor over 300 runs plus one of 1,000,000 step events.

Run: `.venv/bin/python bench/runs_scale.py` (about a minute; writes ~250 MB under a temporary
folder and removes it). Generates 300 ordinary runs (20 epochs, 200 step events each) and one
long run of 1,000,000 step events (~200 MB of events.jsonl), then measures, each in a fresh
process, side by side:

- `runs ls`: before = every run's whole events.jsonl read into memory (`read_events`, the
  former path, still callable) and summarised; after = the real `cnn-tui runs ls`, with an
  empty summary cache (cold: the digests are built) and then with it filled (warm).
- `runs export` of the long run (CSV + PNG): before = its whole log read into a list (the
  former path); after = the real command, cold and warm summary cache; the CSVs compared.
- the Monitor (Pilot, 120×40): seconds until every run is listed after opening, and the latency
  of a key (`down` or `up`, until the table's cursor has moved) pressed every 50 ms from then
  until the long log is read, and of 20 more once everything is read (idle); the number and
  longest pause of full garbage collections meanwhile. Before = the whole of every log read in
  the first poll (READ_BYTES = None); after = bounded reads, with Python's default collector
  thresholds and with the app's (`tui/collector.py`).

Time in seconds (wall) and peak memory (the process's maximum resident set, in MB, including
the interpreter and imports). Targets: `runs ls` ≤ 2 s and ≤ 300 MB; the Monitor lists runs
≤ 2 s after opening and answers keys ≤ 100 ms while loading.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNS = 300
EPOCHS = 20
STEPS = 10  # step events per epoch of an ordinary run
LONG_STEPS = 1_000_000
KEYS = 20


def _config(epochs: int) -> str:
    return json.dumps(
        {"preset": "lenet5", "dataset": "shapes", "epochs": epochs, "batch_size": 64, "lr": 1e-3}
    )


def _step(seq: int, epoch: int, step: int, per_epoch: int, loss: float) -> str:
    g = (epoch - 1) * per_epoch + step
    return (
        f'{{"seq": {seq}, "time": {1.7e9 + seq / 4:.3f}, "kind": "step", "epoch": {epoch}, '
        f'"step": {step}, "steps_per_epoch": {per_epoch}, "global_step": {g}, '
        f'"loss": {loss:.6f}, "lr": 0.001, "images_per_s": 5123.4}}\n'
    )


def _epoch(seq: int, epoch: int, per_epoch: int) -> str:
    return (
        json.dumps(
            {
                "seq": seq,
                "time": 1.7e9 + seq / 4,
                "kind": "epoch",
                "epoch": epoch,
                "step": epoch * per_epoch,
                "train_loss": 2.0 / epoch,
                "train_acc": 1 - 0.7 / epoch,
                "val_loss": None,
                "val_acc": None,
                "test_loss": 2.1 / epoch,
                "test_acc": 1 - 0.75 / epoch,
                "seconds": 10.0,
            }
        )
        + "\n"
    )


def write_run(runs: Path, name: str, epochs: int, per_epoch: int) -> None:
    run = runs / name
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.json").write_text(_config(epochs))
    seq = 0
    with open(run / "events.jsonl", "w") as stream:
        start = {"seq": 0, "time": 1.7e9, "kind": "start", "device": "cpu", "parameters": 61706}
        stream.write(json.dumps(start) + "\n")
        seq = 1
        lines = []
        for epoch in range(1, epochs + 1):
            for step in range(1, per_epoch + 1):
                g = (epoch - 1) * per_epoch + step
                lines.append(_step(seq, epoch, step, per_epoch, 2.3 * 0.99999**g + (g % 97) / 970))
                seq += 1
                if len(lines) >= 10000:
                    stream.writelines(lines)
                    lines = []
            lines.append(_epoch(seq, epoch, per_epoch))
            seq += 1
        stream.writelines(lines)
        end = {"seq": seq, "time": 1.7e9 + seq, "kind": "end", "status": "finished"}
        stream.write(json.dumps({**end, "message": "Trained."}) + "\n")


def generate(runs: Path) -> None:
    for index in range(RUNS):
        write_run(runs, f"20260901-{index:06d}-lenet5", EPOCHS, STEPS)
    write_run(runs, "20261001-000000-long", 100, LONG_STEPS // 100)


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds and peak resident MB of one child process, and its stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, cwd=ROOT, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{command} failed ({status}):\n{out}")
    return seconds, usage.ru_maxrss / 1024, out


NAIVE_LS = """
import sys
from pathlib import Path
from core.cluster.status import summarize_run
from core.runs.events import read_events
from core.runs.store import run_dirs
rows = [summarize_run(d, events=read_events(d)) for d in run_dirs(Path(sys.argv[1]))]
print(len(rows), sum(r.epochs_done for r in rows))
"""


NAIVE_EXPORT = """
import sys
from pathlib import Path
from core.runs.events import read_events
from core.runs.export import ExportRun, write_csv, write_png
from core.runs.store import read_json
run, out = Path(sys.argv[1]), Path(sys.argv[2])
export = ExportRun(run.name, read_json(run / "config.json") or {}, read_events(run))
write_csv([export], out / f"{run.name}.csv")
write_png([export], out / f"{run.name}.png")
"""


def export_figures(work: Path, runs: Path, env: dict[str, str]) -> None:
    """`runs export` (CSV + PNG) of the long run: the former whole read, then the command."""
    python, long = sys.executable, runs / "20261001-000000-long"
    (work / "out-before").mkdir()
    before = measure([python, "-c", NAIVE_EXPORT, str(long), str(work / "out-before")], env)
    command = [python, "-m", "tui.cli", "runs", "export", long.name, "--runs-dir", str(runs)]
    xenv = {**env, "XDG_CACHE_HOME": str(work / "cache-export")}
    cold = measure([*command, "--out", str(work / "out-cold")], xenv)
    warm = measure([*command, "--out", str(work / "out-warm")], xenv)
    same = (work / "out-before" / f"{long.name}.csv").read_bytes() == (
        work / "out-warm" / f"{long.name}.csv"
    ).read_bytes()
    print("runs export (CSV + PNG) of the long run   seconds    peak MB")
    print(f"  before: whole log read           {before[0]:9.2f} {before[1]:10.0f}")
    print(f"  after: cold summary cache        {cold[0]:9.2f} {cold[1]:10.0f}")
    print(f"  after: warm summary cache        {warm[0]:9.2f} {warm[1]:10.0f}   same CSV: {same}")


async def _monitor(runs: Path, whole: bool, collector: bool) -> dict[str, float]:
    from screens.monitor.screen import MonitorScreen
    from tui import run_watch
    from tui.app import make_app
    from tui.config import AppConfig
    from tui.widgets.runs_table import RunsTable

    if whole:
        run_watch.READ_BYTES = None
    app = make_app(AppConfig(start="monitor", runs_dir=runs))
    if not collector:
        app.collector.thresholds = None  # Python's own thresholds (700, 10, 10)
    full: list[float] = []
    started = [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if info["generation"] == 2:
            if phase == "start":
                started[0] = time.perf_counter()
            else:
                full.append(time.perf_counter() - started[0])

    gc.callbacks.append(timed)
    opened = time.perf_counter()
    async with app.run_test(size=(120, 40)):
        screen = app.screen
        assert isinstance(screen, MonitorScreen)
        while len(screen.runs) < RUNS + 1:
            await asyncio.sleep(0.02)
        listed = time.perf_counter() - opened
        table = screen.query_one(RunsTable)
        long = next(run for run in screen.runs.values() if run.id.endswith("long"))
        latencies = await _keys(app, table, lambda: screen.runs[long.id].loading)
        while screen.runs[long.id].loading:
            await asyncio.sleep(0.05)
        loaded = time.perf_counter() - opened
        epochs = sum(1 for e in screen.runs[long.id].events if e["kind"] == "epoch")
        idle = await _keys(app, table, lambda: False)
    gc.callbacks.remove(timed)
    return {
        "listed": listed,
        "loaded": loaded,
        "keys": len(latencies),
        "key_median": latencies[len(latencies) // 2],
        "key_p95": latencies[int(0.95 * len(latencies))],
        "key_max": latencies[-1],
        "keys_over": sum(1 for latency in latencies if latency > 0.1),
        "idle_median": idle[len(idle) // 2],
        "full_collections": len(full),
        "full_max": max(full, default=0.0),
        "long_epochs": epochs,
    }


async def _keys(app, table, loading) -> list[float]:
    """Seconds from a key (`down`, 20 times, then `up`, 20 times, …) until the table's cursor
    has moved, one every 50 ms: at least KEYS, and on while `loading()` (sorted)."""
    latencies: list[float] = []
    while len(latencies) < KEYS or loading():
        row = table.cursor_row
        started = time.perf_counter()
        app.simulate_key("down" if len(latencies) % 40 < 20 else "up")
        while table.cursor_row == row:
            await asyncio.sleep(0.002)
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.05)
    return sorted(latencies)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--monitor":
        whole, collector = sys.argv[3] == "whole", sys.argv[4] == "app"
        result = asyncio.run(_monitor(Path(sys.argv[2]), whole, collector))
        print(json.dumps(result))
        return
    work = Path(tempfile.mkdtemp(prefix="cnn-tui-scale-"))
    runs = work / "runs"
    try:
        started = time.perf_counter()
        generate(runs)
        size = sum(p.stat().st_size for p in runs.rglob("events.jsonl")) / 2**20
        long_size = (runs / "20261001-000000-long" / "events.jsonl").stat().st_size / 2**20
        print(
            f"{RUNS} runs + 1 of {LONG_STEPS:,} step events: {size:.0f} MB of events.jsonl "
            f"(the long one {long_size:.0f} MB), written in {time.perf_counter() - started:.0f} s"
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(work / "cache")}
        python = sys.executable
        before = measure([python, "-c", NAIVE_LS, str(runs)], env)
        ls = [python, "-m", "tui.cli", "runs", "ls", "--runs-dir", str(runs)]
        cold = measure(ls, env)
        warm = measure(ls, env)
        print("runs ls                              seconds    peak MB")
        print(f"  before: whole logs read         {before[0]:9.2f} {before[1]:10.0f}")
        print(f"  after: cold summary cache       {cold[0]:9.2f} {cold[1]:10.0f}")
        print(f"  after: warm summary cache       {warm[0]:9.2f} {warm[1]:10.0f}")
        print(
            f"  ratio before / warm             {before[0] / warm[0]:9.1f}× {before[1] / warm[1]:9.1f}×"
        )
        export_figures(work, runs, env)
        me = str(Path(__file__).resolve())
        print(
            "Monitor (Pilot 120×40)       listed s  all read s   keys while loading: n  median"
            "  p95  max ms  >100 ms   idle ms  full GCs  longest GC ms  peak MB"
        )
        for label, mode, collector, cache in (
            ("before: whole logs", "whole", "app", "cache-whole"),
            ("after: cold, Python's GC", "bounded", "python", "cache-python"),
            ("after: cold cache", "bounded", "app", "cache-monitor"),
            ("after: warm cache", "bounded", "app", "cache-monitor"),
        ):
            menv = {**env, "XDG_CACHE_HOME": str(work / cache)}
            command = [python, me, "--monitor", str(runs), mode, collector]
            seconds, peak, out = measure(command, menv)
            r = json.loads(out.strip().splitlines()[-1])
            print(
                f"  {label:<26} {r['listed']:8.2f} {r['loaded']:11.2f} {r['keys']:24.0f} "
                f"{1000 * r['key_median']:7.0f} {1000 * r['key_p95']:4.0f} "
                f"{1000 * r['key_max']:7.0f} {r['keys_over']:8.0f} "
                f"{1000 * r['idle_median']:9.1f} {r['full_collections']:9.0f} "
                f"{1000 * r['full_max']:14.0f} {peak:8.0f}   (long run: {r['long_epochs']} epochs)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
