"""`cnn-tui runs ls|show|stop|resume|export`: look after training runs without the app."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from core.errors import UserError

NAME = "runs"
HELP = "list, inspect, stop, resume, export and trust training runs"


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="runs_action", metavar="ACTION", required=True)

    def action(name: str, help_text: str, ids: str | None, json_flag: bool):
        sub = actions.add_parser(name, help=help_text, description=help_text)
        if ids == "+":
            sub.add_argument("ids", nargs="+", metavar="ID", help="run ids (or unique parts)")
        elif ids:
            sub.add_argument("id", metavar="ID", help="run id (or a unique part)")
        sub.add_argument(
            "--runs-dir",
            metavar="DIR",
            default=argparse.SUPPRESS,
            help="runs folder (default: $CNN_TUI_RUNS, settings runs_dir, else ./runs)",
        )
        if json_flag:
            sub.add_argument("--json", action="store_true", help="print one JSON object")
        return sub

    action("ls", "list runs with their status and accuracies", None, True)
    action("show", "one run: configuration, status and per-epoch metrics", "1", True)
    action("stop", "ask a running run to checkpoint and stop", "1", False)
    resume = action(
        "resume", "continue a stopped, failed or died run from its last checkpoint", "1", False
    )
    resume.add_argument(
        "--foreground",
        action="store_true",
        help="train here with a progress bar instead of in the background",
    )
    export = action(
        "export",
        "write a CSV of epoch metrics and/or a PNG of the curves, with per-class accuracy "
        "(ID-classes.csv) and confusion matrices (ID-confusion.png) "
        "(both when neither flag is given; several ids are overlaid)",
        "+",
        True,
    )
    export.add_argument("--png", action="store_true", help="write the PNG (accuracy and loss)")
    export.add_argument("--csv", action="store_true", help="write the CSV")
    export.add_argument("--out", metavar="DIR", default=".", help="folder to write into")
    export.add_argument(
        "--tensorboard",
        metavar="DIR",
        help="write TensorBoard event files, one sub-folder per run, into DIR "
        "(alone: no CSV or PNG; needs pip install 'cnn-tui[tensorboard]')",
    )
    action(
        "trust",
        "convert the checkpoints of a run YOU trained (older format) to the safe format; this "
        "unpickles them fully, so never use it on a file someone else could have written",
        "1",
        False,
    )


def run(args: argparse.Namespace) -> int:
    from core.paths import runs_dir

    folder = runs_dir(getattr(args, "runs_dir", None))
    handler = {
        "ls": _ls,
        "show": _show,
        "stop": _stop,
        "resume": _resume,
        "export": _export,
        "trust": _trust,
    }
    return handler[args.runs_action](args, folder)


def _console():
    from rich.console import Console

    return Console()


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def _ls(args, folder: Path) -> int:
    from core.cluster.status import list_runs
    from core.runs.classes import dataset_label

    summaries = list_runs(folder)
    if args.json:
        print(json.dumps({"runs_dir": str(folder), "runs": [s.to_dict() for s in summaries]}))
        return 0
    if not summaries:
        _console().print(f"No runs in {folder}. Start one with `cnn-tui train --preset lenet5`.")
        return 0
    labels = [dataset_label(s.dataset) for s in summaries]
    rows = [
        {
            "id": s.id,
            "network": s.preset,
            "state": s.state,
            "data": label,
            "epochs": f"{s.epochs_done}/{s.epochs_total}",
            "train": _pct(s.train_acc),
            "val": _pct(s.val_acc),
            "test": _pct(s.test_acc),
        }
        for s, label in zip(summaries, labels)
    ]
    from rich.cells import cell_len

    console = _console()
    shown = list(rows[0])
    # a table's widest cells make it as wide as it can be: measure those, not every row
    widest = [{key: max((row[key] for row in rows), key=cell_len) for key in shown}]
    for drop in (None, "val", "train", "epochs", "network"):  # the data column is never dropped
        if drop:
            shown.remove(drop)
        wide = console.options.update_width(10_000)  # measured unclamped
        if console.measure(_ls_table(shown, widest), options=wide).maximum <= console.width:
            break
    table = _ls_table(shown, rows)
    table.title = f"Runs in {folder} (accuracies in %)"
    console.print(table)
    for s in summaries:
        if s.state == "unreadable":  # the others are listed as they are
            console.print(f"{s.id}: {s.message}", highlight=False, markup=False, soft_wrap=True)
    return 0


def _ls_table(columns: list[str], rows: list[dict[str, str]]):
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in columns:
        numeric = column in ("epochs", "train", "val", "test")
        table.add_column(
            column,
            no_wrap=column != "id",
            overflow="ellipsis" if column == "id" else "fold",
            justify="right" if numeric else "left",
        )
    for row in rows:
        table.add_row(*(row[column] for column in columns))
    return table


def _loss(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _show(args, folder: Path) -> int:
    from rich import box
    from rich.table import Table

    from core.cluster.status import summarize_run
    from core.runs.events import epoch_events
    from core.runs.store import read_json, resolve_run
    from core.runs.summary_cache import cached_digest

    run_dir = resolve_run(folder, args.id)
    digest = cached_digest(run_dir)
    summary = summarize_run(run_dir, events=digest.head_events())
    if summary.state == "unreadable":
        if args.json:
            print(json.dumps(summary.to_dict()))
        else:
            _console().print(f"{run_dir.name}  {summary.message}", highlight=False, markup=False)
        return 2
    config = read_json(run_dir / "config.json") or {}
    epochs = epoch_events(digest.head_events())
    skipped = digest.report()
    checkpoints = _checkpoint_report(run_dir)
    if args.json:
        payload = {**summary.to_dict(), "config": config, "epochs": epochs, "skipped": skipped}
        print(json.dumps({**payload, "checkpoints": checkpoints}))
        return 0
    console = _console()
    console.print(f"[b]{run_dir.name}[/b]  {summary.state}: {summary.message}")
    if skipped:
        console.print(f"{skipped}.", style="yellow", highlight=False, markup=False)
    console.print(_architecture_text(run_dir, config, summary), highlight=False, markup=False)
    hidden = ("arch", "arch_name", "arch_file", "arch_class", "arch_args", "arch_sha256")
    console.print(
        ", ".join(
            f"{key}={value}"
            for key, value in config.items()
            if value is not None and key not in hidden
        ),
        highlight=False,
    )
    for name, verdict in checkpoints.items():
        if verdict == "ok":
            console.print(f"checkpoints/{name}: ok", highlight=False)
        else:
            console.print(f"[red]checkpoints/{name} refused:[/red] {verdict}", highlight=False)
    if not epochs:
        console.print("No finished epoch yet.")
        return 0
    table = Table(box=box.SIMPLE_HEAD, title="losses, and accuracies in %")
    for column in (
        "epoch",
        "step",
        "train loss",
        "train",
        "val loss",
        "val",
        "test loss",
        "test",
        "s",
    ):
        table.add_column(column, justify="right")
    for e in epochs:
        table.add_row(
            str(e["epoch"]),
            str(e.get("step", "")),
            _loss(e.get("train_loss")),
            _pct(e.get("train_acc")),
            _loss(e.get("val_loss")),
            _pct(e.get("val_acc")),
            _loss(e.get("test_loss")),
            _pct(e.get("test_acc")),
            _seconds(e.get("seconds")),
        )
    console.print(table)
    return 0


def _architecture_text(run_dir: Path, config: dict, summary) -> str:
    """The run's network: its name, parameter count and definition (SPEC or copied file)."""
    params = "" if summary.parameters is None else f", {summary.parameters:,} parameters"
    if config.get("arch_file"):
        klass = f", class {config['arch_class']}" if config.get("arch_class") else ""
        args = f", arguments {json.dumps(config['arch_args'])}" if config.get("arch_args") else ""
        digest = str(config.get("arch_sha256") or "")[:12]
        return (
            f"architecture: {summary.preset} (Python file{params}), built from "
            f"{run_dir / config['arch_file']}{klass}{args} (sha256 {digest}…)"
        )
    if config.get("arch"):
        spec = " ".join(str(config["arch"]).split())
        return f"architecture: {summary.preset} (SPEC{params}): {spec}"
    return f"architecture: preset {config.get('preset')}{params}"


def _checkpoint_report(run_dir: Path) -> dict[str, str]:
    """{file name: "ok" or why it is refused} for the run's checkpoints, read safely."""
    from core.training.checkpoint import CheckpointError, check, run_checkpoints

    report = {}
    for path in run_checkpoints(run_dir):
        try:
            check(path)
            report[path.name] = "ok"
        except CheckpointError as error:
            report[path.name] = str(error)
    return report


def _trust(args, folder: Path) -> int:
    from core.runs.store import resolve_run
    from core.training.checkpoint import convert_trusted, run_checkpoints

    run_dir = resolve_run(folder, args.id)
    paths = run_checkpoints(run_dir)
    if not paths:
        raise UserError(f"Run {run_dir.name} has no checkpoints to convert.")
    console = _console()
    for path in paths:
        converted = convert_trusted(path)
        verdict = "converted to the safe format" if converted else "already in the safe format"
        console.print(f"{run_dir.name}/checkpoints/{path.name}: {verdict}.", highlight=False)
    return 0


def _stop(args, folder: Path) -> int:
    from core.cluster.states import LIVE_STATES
    from core.cluster.status import run_status
    from core.runs.store import request_stop, resolve_run

    run_dir = resolve_run(folder, args.id)
    state = run_status(run_dir).state
    if state not in LIVE_STATES:
        raise UserError(f"Run {run_dir.name} is {state}; there is nothing to stop.")
    from core.cluster.slurm import launch_record, stop_slurm_run

    if launch_record(run_dir) is not None:  # checkpoint via control file, scancel after grace
        from core.settings import load_settings

        grace = load_settings().slurm.grace_seconds
        _console().print(f"Asked {run_dir.name} to stop; scancel follows after {grace} s.")
        outcome = stop_slurm_run(run_dir, grace_seconds=grace)
        _console().print(f"{run_dir.name}: {outcome}.")
        return 0
    request_stop(run_dir)
    _console().print(f"Asked {run_dir.name} to stop; it checkpoints and ends within a step.")
    return 0


def _resume(args, folder: Path) -> int:
    from core.cluster.local import record_foreground
    from core.cluster.resume import check_resumable, resume_run
    from core.runs.store import clear_stop, read_json, resolve_run

    run_dir = resolve_run(folder, args.id)
    if args.foreground:
        from core.training.config import TrainConfig
        from core.training.setup import preflight
        from tui.commands._train_progress import train_foreground

        check_resumable(run_dir)
        saved = TrainConfig.from_dict(read_json(run_dir / "config.json") or {})
        config = preflight(saved, run_dir)
        clear_stop(run_dir)
        record_foreground(run_dir)
        end = train_foreground(run_dir, config)
        if end.get("fault") == "storage":
            raise UserError(end["message"])  # the folder, not the run, is at fault: exit 2
        return 1 if end["status"] == "failed" else 0
    launch = resume_run(run_dir)
    if launch.get("launcher") == "slurm":
        _console().print(f"Resubmitted {run_dir.name} to Slurm as job {launch['job_id']}.")
    else:
        _console().print(f"Resumed {run_dir.name} in the background (pid {launch['pid']}).")
    return 0


def _export(args, folder: Path) -> int:
    from core.runs.events import epoch_events
    from core.runs.export import load_export_run, write_class_files, write_csv, write_png
    from core.runs.store import resolve_run, run_file_problem

    run_dirs = [resolve_run(folder, run_id) for run_id in args.ids]
    for run_dir in run_dirs:
        problem = run_file_problem(run_dir)
        if problem:
            raise UserError(f"Run {run_dir.name} is unreadable: {problem}; nothing exported.")
    runs = [load_export_run(run_dir) for run_dir in run_dirs]
    empty = [run.id for run in runs if not epoch_events(run.events)]
    if empty:
        raise UserError(f"No finished epoch yet in {', '.join(empty)}: nothing to export.")
    tensorboard = getattr(args, "tensorboard", None)
    plain = not (args.csv or args.png or tensorboard)  # no flag: CSV and PNG
    want_csv, want_png = args.csv or plain, args.png or plain
    if tensorboard:
        from core.runs.tensorboard import export_tensorboard_log, summary_writer_class

        summary_writer_class()  # a missing tensorboardX is said before anything is written
    stem = runs[0].id if len(runs) == 1 else f"runs-{time.strftime('%Y%m%d-%H%M%S')}"
    out = Path(args.out)
    for place in (out, *out.parents):
        if place.exists() and not place.is_dir():
            raise UserError(f"--out {out}: {place} is a file, not a folder; name a folder.")
    written = []
    if want_csv:
        written.append(str(write_csv(runs, out / f"{stem}.csv")))
    if want_png:
        written.append(str(write_png(runs, out / f"{stem}.png")))
    if want_csv or want_png:
        written += [str(p) for p in write_class_files(runs, out, stem, want_csv, want_png)]
    if tensorboard:
        for run, run_dir in zip(runs, run_dirs):
            log = run_dir / "events.jsonl"  # streamed: every step, never all at once
            written.append(str(export_tensorboard_log(run.id, run.config, log, Path(tensorboard))))
    if args.json:
        print(json.dumps({"files": written}))
    else:
        for path in written:
            _console().print(f"wrote {path}")
    return 0
