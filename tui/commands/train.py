"""`cnn-tui train`: start a training run in the foreground (progress bar) or detached."""

from __future__ import annotations

import argparse
import json

NAME = "train"
HELP = "train a preset or your own architecture (foreground progress bar, or --detach)"

NORMALIZE_NAMES = ("none", "half", "cifar", "imagenet")


def configure(parser: argparse.ArgumentParser) -> None:
    from core.models.zoo import PRESETS
    from core.training.config import DATASETS, DEVICES, OPTIMIZERS, PIPELINES, SCHEDULES

    parser.epilog = (
        "Unset options take the preset's exercise defaults (with --arch and no --preset: each "
        "option's documented default). Examples: "
        "`cnn-tui train --preset lenet5 --epochs 2`; "
        "`cnn-tui train --arch net.py:Net --preset c4-bn-75 --epochs 10`; "
        "`cnn-tui train --arch my-resnet` (a name saved with `cnn-tui arch save`); "
        "`cnn-tui train --preset lenet5 --augment flip,crop --normalize 0.5,0.5 --detach`."
    )
    add = parser.add_argument
    add(
        "--preset",
        metavar="NAME",
        help=f"model preset: {', '.join(PRESETS)} (with --arch: only its hyperparameter defaults)",
    )
    add(
        "--arch",
        metavar="SPEC|FILE|NAME",
        help="the network: a SPEC, a SPEC file, a saved design, or FILE.py[:Class]",
    )
    add(
        "--arch-args",
        metavar="JSON",
        help="keyword arguments for a Python model class, e.g. '{\"width\": 64}'",
    )
    add(
        "--dataset",
        choices=DATASETS,
        help="dataset (default: cifar10 when its files are present, else shapes)",
    )
    add(
        "--data-dir",
        metavar="DIR",
        help="dataset folder (default: $CNN_TUI_DATA, settings data_dir, else the cache)",
    )
    add("--epochs", type=int, metavar="N", help="passes over the training set")
    add("--batch-size", type=int, metavar="N", help="images per step")
    add("--optimizer", choices=OPTIMIZERS, help="optimizer")
    add("--lr", type=float, metavar="X", help="(peak) learning rate")
    add("--betas", metavar="A,B", help="Adam betas, e.g. 0.9,0.95")
    add("--momentum", type=float, metavar="X", help="SGD momentum")
    add("--nesterov", action=argparse.BooleanOptionalAction, default=None, help="SGD Nesterov")
    add("--weight-decay", type=float, metavar="X", help="L2 weight decay")
    add("--augment", metavar="LIST", help="comma list of flip,crop,jitter (or none)")
    add(
        "--normalize",
        metavar="MEAN,STD",
        help="normalise inputs: MEAN,STD for all channels, 6 numbers, or "
        f"{'/'.join(NORMALIZE_NAMES)}",
    )
    add("--val-split", type=float, metavar="F", help="fraction of training images for validation")
    add("--early-stop", type=int, metavar="N", help="patience in epochs (needs --val-split)")
    add("--eval-every", type=int, metavar="N", help="also validate every N steps")
    add("--schedule", choices=SCHEDULES, help="learning-rate schedule")
    add("--resize", type=int, metavar="PX", help="resize inputs to PX×PX (resnet18-transfer)")
    add(
        "--weights",
        metavar="FILE",
        dest="weights_file",
        help="ImageNet ResNet-18 weights file (default: the torch hub cache)",
    )
    add(
        "--freeze-bn",
        action="store_true",
        default=None,
        help="resnet18-transfer: keep the frozen layers' BatchNorm in eval mode (default: "
        "their running statistics update in train mode, as in the exercise)",
    )
    add(
        "--tensorboard",
        metavar="DIR",
        dest="tensorboard_dir",
        help="also write TensorBoard event files into DIR/<run> as the run trains "
        "(needs pip install 'cnn-tui[tensorboard]')",
    )
    add("--train-size", type=int, metavar="N", help="use only N training images")
    add("--test-size", type=int, metavar="N", help="use only N test images")
    add("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    add(
        "--device",
        choices=DEVICES,
        default="auto",
        help="where to train; auto = cuda when available (default: %(default)s)",
    )
    add(
        "--pipeline",
        choices=PIPELINES,
        default="fast",
        help="fast on-device batches or the torchvision DataLoader (default: %(default)s)",
    )
    add(
        "--runs-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="runs folder (default: $CNN_TUI_RUNS, settings runs_dir, else ./runs)",
    )
    add("--name", metavar="NAME", help="run name (part of the run id)")
    add("--detach", action="store_true", help="start in the background and print the run id")
    add("--json", action="store_true", help="print one JSON object instead of progress")
    from tui.commands._slurm_flags import add_launcher_arguments

    add_launcher_arguments(parser)


def parse_floats(text: str, label: str) -> tuple[float, ...]:
    """'0.9,0.95' → (0.9, 0.95); a UserError naming `label` otherwise."""
    from core.training.config import TrainConfigError

    try:
        return tuple(float(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        raise TrainConfigError(f"{label} must be comma-separated numbers, not {text!r}.") from None


def parse_normalize(text: str):
    """MEAN,STD (all channels), six numbers, or a name → ((m, m, m), (s, s, s)) or None."""
    from core.data.normalize import CIFAR_MEAN_STD, HALF_MEAN_STD, IMAGENET_MEAN_STD
    from core.training.config import TrainConfigError

    named = {
        "none": None,
        "half": HALF_MEAN_STD,
        "cifar": CIFAR_MEAN_STD,
        "imagenet": IMAGENET_MEAN_STD,
    }
    if text.strip().lower() in named:
        return named[text.strip().lower()]
    values = parse_floats(text, "--normalize")
    if len(values) == 2:
        return (values[0],) * 3, (values[1],) * 3
    if len(values) == 6:
        return values[:3], values[3:]
    raise TrainConfigError(
        f"--normalize takes MEAN,STD or six numbers (3 means, 3 stds) or one of "
        f"{', '.join(named)}; got {text!r}."
    )


def config_from_args(args: argparse.Namespace):
    """The validated TrainConfig the flags describe (preset defaults for unset flags)."""
    from core.training.setup import preflight

    return preflight(unchecked_config(args))


def unchecked_config(args: argparse.Namespace):
    """The TrainConfig the flags describe, before `preflight` looks for data and devices (a
    course task's configuration fills the Train form this way)."""
    from core.data.datasets import default_dataset_name
    from core.training.config import TrainConfig, TrainConfigError

    overrides = {
        key: getattr(args, key)
        for key in (
            "data_dir",
            "epochs",
            "batch_size",
            "optimizer",
            "lr",
            "momentum",
            "nesterov",
            "weight_decay",
            "val_split",
            "early_stop",
            "eval_every",
            "schedule",
            "resize",
            "weights_file",
            "freeze_bn",
            "tensorboard_dir",
            "train_size",
            "test_size",
            "seed",
            "device",
            "pipeline",
        )
    }
    overrides["dataset"] = args.dataset or default_dataset_name(args.data_dir)
    if args.betas is not None:
        overrides["betas"] = parse_floats(args.betas, "--betas")
        if len(overrides["betas"]) != 2:
            raise TrainConfigError(f"--betas takes two numbers A,B, not {args.betas!r}.")
    if args.augment is not None:
        names = [part.strip() for part in args.augment.split(",") if part.strip()]
        overrides["augment"] = tuple(name for name in names if name != "none")
    if not args.preset and not args.arch:
        raise TrainConfigError("Name a network: --preset NAME, --arch SPEC|FILE.py|NAME, or both.")
    if args.arch:
        from core.models.architecture import resolve

        overrides.update(resolve(args.arch, args.arch_args).arch_fields())
    elif args.arch_args:
        raise TrainConfigError("--arch-args needs --arch FILE.py[:Class].")
    config = TrainConfig.for_preset(args.preset, **overrides)
    if args.normalize is not None:
        config = config.with_changes(normalize=parse_normalize(args.normalize))
    return config


def attach_to_run(run_dir, config, record):
    """A Python model is copied into the run folder; the run builds from that copy only."""
    from core.models.architecture import attach
    from core.runs.store import write_json_atomic
    from core.training.config import TrainConfig

    if not config.arch_file:
        return config
    attached = attach(record, run_dir)
    write_json_atomic(run_dir / "config.json", attached)
    return TrainConfig.from_dict(attached)


def run(args: argparse.Namespace) -> int:
    from core.cluster.local import record_foreground, start_local
    from core.paths import check_writable, runs_dir
    from core.runs.store import create_run
    from tui.commands._slurm_flags import (
        announce_launch,
        print_script,
        settings_from_args,
        submit_to_slurm,
    )

    settings = settings_from_args(args)
    folder = runs_dir(getattr(args, "runs_dir", None))
    if args.script:
        print_script(settings, folder, [args.name or args.preset or "custom"])
        return 0
    check_writable(folder)  # before the data is looked for: a read-only folder is told at once
    if settings.launcher == "slurm":  # the GPU is on the compute node: check the rest here
        device, args.device = args.device, "cpu"
        config = config_from_args(args).with_changes(device=device)
    else:
        config = config_from_args(args)
    record = {**config.to_dict(), **({"name": args.name} if args.name else {})}
    run_dir = create_run(folder, record, name=args.name or config.model_name)
    config = attach_to_run(run_dir, config, record)
    if settings.launcher == "slurm":
        return submit_to_slurm(run_dir, settings, args.json)
    if args.detach:
        launch = start_local(run_dir)
        return announce_launch(
            run_dir, launch, args.json, f"started in the background (pid {launch['pid']})"
        )
    record_foreground(run_dir)
    from tui.commands._train_progress import train_foreground

    end = train_foreground(run_dir, config, quiet=args.json)
    if args.json:
        from core.runs.digest import read_digest
        from core.runs.events import epoch_events

        print(
            json.dumps(
                {
                    "run_id": run_dir.name,
                    "run_dir": str(run_dir),
                    "status": end["status"],
                    "message": end.get("message", ""),
                    "epochs": epoch_events(read_digest(run_dir, steps=False).head_events()),
                }
            )
        )
    if end.get("fault") == "storage":
        from core.errors import StorageError

        raise StorageError(end["message"])  # exit code 2: the folder, not the run, is at fault
    return 1 if end["status"] == "failed" else 0
