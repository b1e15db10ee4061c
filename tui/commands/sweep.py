"""`cnn-tui sweep`: one run per grid combination, as ONE Slurm job array or locally N at a time;
`--results SWEEP` prints the sweep's hyperparameters against best and final accuracy."""

from __future__ import annotations

import argparse
import json
import sys

from tui.commands._slurm_flags import add_launcher_arguments, settings_from_args

NAME = "sweep"
HELP = "train one run per hyperparameter combination (Slurm job array or local), or show results"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "examples:\n"
        '  cnn-tui sweep --preset vgg-2x2 --grid "lr=1e-3,5e-4 augment=none,flip+crop"\n'
        '  cnn-tui sweep --preset lenet5 --grid "lr=1e-3,1e-2" --set "epochs=2 dataset=shapes"'
        " --launcher local --max-parallel 2\n"
        '  cnn-tui sweep --arch my-resnet --preset c4-deep-80 --grid "lr=1e-3,3e-3"\n'
        "  cnn-tui sweep --results sweep-20260101-120000-vgg-2x2\n"
        "grid keys: preset dataset epochs batch_size optimizer lr momentum nesterov "
        "weight_decay augment\n  val_split early_stop schedule seed device pipeline "
        "train_size test_size eval_every resize data_dir\n"
        "augment values: none, flip, crop, jitter, or combinations such as flip+crop"
    )
    add = parser.add_argument
    add("--preset", metavar="NAME", help="model preset every run starts from")
    add(
        "--arch",
        metavar="SPEC|FILE|NAME",
        help="own network every run trains: a SPEC, a SPEC file, a saved design or net.py[:Class]"
        " (--preset then only gives the hyperparameter defaults)",
    )
    add("--arch-args", metavar="JSON", help="constructor keywords of a Python model, as JSON")
    add(
        "--grid",
        metavar="GRID",
        help='space-separated KEY=V1,V2 lists, e.g. "lr=1e-3,5e-4 augment=none,flip+crop"',
    )
    add(
        "--set",
        dest="base",
        metavar="SETTINGS",
        default="",
        help='fixed settings for every run, same syntax with one value, e.g. "epochs=5"',
    )
    add(
        "--max-parallel",
        type=int,
        metavar="N",
        help="at most N runs at once (Slurm: array throttle %%N; local default 1)",
    )
    add("--results", metavar="SWEEP", help="print the results table of an existing sweep")
    add(
        "--runs-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="runs folder (default: $CNN_TUI_RUNS, settings runs_dir, else ./runs)",
    )
    add("--json", action="store_true", help="print one JSON object")
    add_launcher_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from core.cluster.sweep import SweepError
    from core.paths import check_writable, runs_dir

    settings = settings_from_args(args)
    folder = runs_dir(getattr(args, "runs_dir", None))
    if args.results:
        return _print_results(folder, args.results, args.json)
    check_writable(folder)  # before each run's data is looked for
    if not (args.preset or args.arch) or not args.grid:
        raise SweepError(
            "Give --preset or --arch, and --grid, to start a sweep (or --results SWEEP)."
        )
    if args.max_parallel is not None and args.max_parallel < 1:
        raise SweepError("--max-parallel must be 1 or more.")
    if args.script:
        return _print_plan(args, settings, folder)
    return _start(args, settings, folder)


def _plan(args: argparse.Namespace) -> tuple[dict, dict]:
    """The grid and the fixed settings (--set) the flags describe."""
    from core.cluster.sweep import SweepError, parse_grid

    grid = parse_grid(args.grid)
    base = parse_grid(args.base) if args.base.strip() else {}
    several = [key for key, values in base.items() if len(values) != 1]
    if several:
        raise SweepError(f"--set {several[0]} takes one value; vary it with --grid instead.")
    return grid, {key: values[0] for key, values in base.items()}


def _print_plan(args: argparse.Namespace, settings, folder) -> int:
    from core.cluster.slurm_script import batch_script
    from core.cluster.sweep import combinations, label, sweeps_root

    combos = combinations(_plan(args)[0])
    placeholders = [folder / f"ID-sweep-{index}" for index in range(len(combos))]
    script = batch_script(
        placeholders,
        settings.slurm.validate(),
        job_name="cnn-tui-SWEEP",
        output=str(sweeps_root(folder).resolve() / "SWEEP" / "slurm-%A_%a.out"),
        array_parallel=args.max_parallel,
    )
    if args.json:
        print(json.dumps({"runs": [label(combo) for combo in combos], "script": script}))
        return 0
    for index, combo in enumerate(combos):
        print(f"run-{index}: {label(combo)}")
    print(script)
    return 0


def _start(args: argparse.Namespace, settings, folder) -> int:
    from core.cluster.sweep import create_sweep, label
    from core.cluster.sweep_launch import start_local_sweep, submit_sweep_slurm
    from core.runs.classes import dataset_label
    from core.training.setup import preflight

    grid, base = _plan(args)
    base.setdefault("dataset", _default_dataset(base))
    arch = None
    if args.arch:
        from core.models.architecture import resolve

        arch = resolve(args.arch, args.arch_args).arch_fields()
    elif args.arch_args:
        from core.cluster.sweep import SweepError

        raise SweepError("--arch-args needs --arch FILE.py[:Class].")
    if settings.launcher == "slurm":  # the GPU is on the compute node, not here
        sweep = create_sweep(
            folder,
            args.preset,
            grid,
            base,
            check=lambda config: preflight(config.with_changes(device="cpu")),
            arch=arch,
        )
        job_id = submit_sweep_slurm(sweep, settings.slurm, args.max_parallel)
        where = f"Slurm job array {job_id} ({len(sweep.run_dirs)} tasks)"
    else:
        sweep = create_sweep(folder, args.preset, grid, base, check=preflight, arch=arch)
        job_id = None
        pid = start_local_sweep(sweep, args.max_parallel or 1)
        where = f"local runner pid {pid}, at most {args.max_parallel or 1} at a time"
    if args.json:
        print(
            json.dumps(
                {
                    "sweep_id": sweep.id,
                    "launcher": settings.launcher,
                    "job_id": job_id,
                    "runs": [
                        {
                            "run_id": path.name,
                            "params": label(params),
                            "dataset": str(params.get("dataset", base["dataset"])),
                            "dataset_title": dataset_label(
                                str(params.get("dataset", base["dataset"]))
                            ),
                        }
                        for path, params in zip(sweep.run_dirs, sweep.params)
                    ],
                }
            )
        )
        return 0
    print(sweep.id)
    for path, params in zip(sweep.run_dirs, sweep.params):
        print(f"  {path.name}  {label(params)}")
    print(f"started: {where}; results with `cnn-tui sweep --results {sweep.id}`", file=sys.stderr)
    return 0


def _default_dataset(base: dict) -> str:
    from core.data.datasets import default_dataset_name

    return default_dataset_name(base.get("data_dir"))


def _print_results(folder, sweep_id: str, as_json: bool) -> int:
    from rich.console import Console
    from rich.table import Table

    from core.cluster.sweep import load_sweep_record, sweep_results
    from core.runs.classes import dataset_label

    record = load_sweep_record(folder, sweep_id)
    rows = sweep_results(folder, record["id"])
    base = record.get("base") or {}
    names = [str(r.params.get("dataset") or base.get("dataset") or "") for r in rows]
    data = [dataset_label(name) for name in names]
    if as_json:
        runs = [
            {**row.__dict__, "dataset": name, "dataset_title": title}
            for row, name, title in zip(rows, names, data)
        ]
        print(
            json.dumps(
                {
                    "sweep_id": record["id"],
                    "grid": record["grid"],
                    "job_id": record.get("job_id"),
                    "runs": runs,
                }
            )
        )
        return 0
    keys = list(record["grid"])
    table = Table(
        title=f"{record['id']} ({record.get('launcher', '?')}"
        + (f", job {record['job_id']})" if record.get("job_id") else ")")
    )
    for key in keys + ["data", "state", "epochs", "best acc", "final test acc", "run"]:
        table.add_column(
            key,
            justify="right" if "acc" in key or key == "epochs" else "left",
            no_wrap=key == "data",  # others wrap on a narrow terminal; the data stays whole
            min_width=max(map(len, data), default=4) if key == "data" else None,
        )
    best = max((row.best_acc for row in rows if row.best_acc is not None), default=None)
    for row, label in zip(rows, data):
        accuracy = _percent(row.best_acc)
        if best is not None and row.best_acc == best:
            accuracy = f"[bold]{accuracy}[/]"
        table.add_row(
            *[row.params.get(key, "?") for key in keys],
            label,
            row.state,
            str(row.epochs_done),
            accuracy,
            _percent(row.final_acc),
            row.run_id,
        )
    Console().print(table)
    return 0


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"
