"""`cnn-tui explain IMAGE`: activations, filters, saliency or Grad-CAM without the app."""

from __future__ import annotations

import argparse
import json

from tui.commands._numbers import decimal, whole

NAME = "explain"
HELP = "activation maps, first-layer filters, saliency or Grad-CAM for one image"

MAX_GALLERY = 100
"""Most right (and wrong) images `--gallery` explains: each is a forward and backward pass."""

EPILOG = """examples:
  cnn-tui explain chelsea --method gradcam --out out/cam --show
  cnn-tui explain astronaut --method saliency --target "bull mastiff" --reduce max
  cnn-tui explain coffee --method activations --layer layer1 --reduce pca --show
  cnn-tui explain cifar10:17 --model RUN_ID --method gradcam --show
  cnn-tui explain --model RUN_ID --gallery 10 --method gradcam --out out/d5 --show
  cnn-tui explain chelsea --list-layers
"""


def configure(parser: argparse.ArgumentParser) -> None:
    from core.explain.activations import NORMALISATIONS
    from core.explain.colormaps import COLORMAPS
    from core.explain.recipe import METHODS

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument(
        "image",
        metavar="IMAGE",
        nargs="?",
        help="image file, bundled photo (chelsea, coffee, astronaut, rocket) "
        "or cifar10:N / shapes:N (not with --gallery)",
    )
    parser.add_argument(
        "--model",
        default="resnet18",
        help="resnet18, or a run id / run directory (default: resnet18)",
    )
    parser.add_argument(
        "--weights",
        metavar="FILE",
        help="ResNet-18 ImageNet weights file (default: the torch hub cache)",
    )
    parser.add_argument(
        "--random-weights",
        metavar="SEED",
        type=int,
        help="use seeded RANDOM ResNet-18 weights (testing only; labelled as such)",
    )
    parser.add_argument(
        "--method", choices=METHODS, default="gradcam", help="what to compute (default: gradcam)"
    )
    parser.add_argument(
        "--layer",
        metavar="NAME",
        help="layer name (default: layer4 for ResNet, else the last Conv2d)",
    )
    parser.add_argument(
        "--target", metavar="CLASS", help="class index or name (default: the predicted class)"
    )
    parser.add_argument(
        "--channels",
        type=whole(0, 2048, " (0: reduce; ResNet-18 layers have at most 512 channels)"),
        default=0,
        metavar="N",
        help="activations: the first N channels as a grid (default: reduce)",
    )
    parser.add_argument(
        "--filters",
        metavar="I,J,...",
        help="filters: indices (default: 14,26,32,49,52 when the layer has them)",
    )
    parser.add_argument(
        "--reduce",
        choices=("max", "mean", "pca"),
        default=None,
        help="saliency: max|mean of |grad| over colours (default max); "
        "activations: mean|pca over channels (default mean)",
    )
    parser.add_argument("--no-relu", action="store_true", help="Grad-CAM without the final ReLU")
    parser.add_argument(
        "--counterfactual",
        action="store_true",
        help="Grad-CAM with negated gradients (evidence against the class)",
    )
    parser.add_argument(
        "--normalise",
        choices=NORMALISATIONS,
        default="per-map",
        help="scaling of maps for PNGs and --show (default: per-map)",
    )
    parser.add_argument(
        "--colormap", choices=COLORMAPS, default="viridis", help="colormap (default: viridis)"
    )
    parser.add_argument(
        "--alpha",
        type=decimal(0, 1),
        default=0.5,
        help="overlay opacity of the map, 0..1 (default: 0.5)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="write heatmap.npy, image/map/overlay PNGs and recipe.json here",
    )
    parser.add_argument("--show", action="store_true", help="draw the map in the terminal")
    parser.add_argument(
        "--gallery",
        type=whole(1, MAX_GALLERY, " (each image is explained and written: keep it short)"),
        metavar="N",
        help="instead of IMAGE: the first N right and N wrong test predictions "
        "of a run (--model RUN), each explained (D5)",
    )
    parser.add_argument(
        "--list-layers",
        action="store_true",
        help="list layer names with their output shapes and exit",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="dataset folder for cifar10:N images")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def load_model(args: argparse.Namespace):
    """The model `--model` names (with --weights / --random-weights for resnet18)."""
    from core.errors import UserError
    from core.models.loaded import load_resnet18
    from core.paths import runs_dir
    from core.training.restore import load_run_model

    if args.model == "resnet18":
        return load_resnet18(args.weights, args.random_weights)
    if args.random_weights is not None or args.weights:
        raise UserError("--weights and --random-weights apply to --model resnet18 only.")
    return load_run_model(args.model, runs_dir(getattr(args, "runs_dir", None)))


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape

    from core.data.images import load_image
    from core.errors import UserError
    from core.explain.export import export
    from core.explain.recipe import Recipe, explain, parse_filters

    console = Console(color_system="truecolor" if getattr(args, "truecolor", False) else "auto")
    if not 0.0 <= args.alpha <= 1.0:
        raise UserError(f"--alpha must be between 0 and 1, not {args.alpha}.")
    if (args.image is None) == (args.gallery is None):
        raise UserError(
            "Give an IMAGE (e.g. chelsea, cifar10:17, a file) or --gallery N with "
            "--model RUN_ID, not both."
        )
    if args.channels and args.method != "activations":
        raise UserError(
            f"--channels is for --method activations; {args.method} draws one map per target. "
            "Leave --channels out, or use --method activations."
        )
    if args.filters and args.method != "filters":
        raise UserError(
            f"--filters is for --method filters, not {args.method}. Leave --filters out, or use "
            "--method filters."
        )
    if args.gallery is None:  # a bad image is told before a model is loaded
        image, image_label = load_image(args.image, args.data_dir)
    model = load_model(args)
    if args.list_layers and args.gallery is None:
        return _list_layers(model, image, args, console)
    reduce = args.reduce or ("max" if args.method == "saliency" else "mean")
    if args.method == "saliency" and reduce == "pca":
        raise UserError("Saliency reduces colours with max or mean; pca is for activations.")
    if args.method == "activations" and reduce == "max":
        raise UserError("Activations reduce channels with mean or pca; max is for saliency.")
    recipe = Recipe(
        method=args.method,
        layer=args.layer,
        target=args.target,
        reduce=reduce,
        channels=args.channels,
        filters=parse_filters(args.filters or ""),
        relu=not args.no_relu,
        counterfactual=args.counterfactual,
    )
    if args.gallery is not None:
        from tui.commands.explain.gallery import run_gallery

        return run_gallery(args, model, recipe, console)
    explanation = explain(model, image, recipe)
    from core.explain.provenance import origin_note, true_label

    warning = origin_note(model, args.image, *image.shape[:2])
    truth = true_label(args.image, image_label)
    written = []
    if args.out:
        written = export(explanation, args.out, args.colormap, args.normalise, args.alpha)
    if args.json:
        summary = explanation.recipe_dict() | {
            "image": image_label,
            "true_label": truth,
            "warning": warning,
            "random_weights": model.random_seed,
            "map_min": float(explanation.maps.min()),
            "map_max": float(explanation.maps.max()),
            "files": [str(path) for path in written],
        }
        print(json.dumps(summary))
        return 0
    _print_summary(console, model, image_label, explanation, written)
    if truth is not None:
        console.print(f"true label {truth}")
    if warning:
        console.print(f"[yellow]⚠ {escape(warning)}[/]")
    if args.show:
        from tui.commands.explain.show import show_explanation

        show_explanation(console, explanation, args)
    return 0


def _list_layers(model, image, args, console) -> int:
    from rich.table import Table

    from core.data.images import fit_to_input, to_tensor
    from core.explain.activations import describe_layers

    pre = model.preprocess
    x = to_tensor(fit_to_input(image, pre.size, pre.resize_ratio), pre)
    layers = describe_layers(model.module, x)
    if args.json:
        print(
            json.dumps(
                {
                    "model": model.title,
                    "input": list(x.shape[1:]),
                    "layers": [
                        {"name": info.name, "type": info.type, "shape": list(info.shape)}
                        for info in layers
                    ],
                }
            )
        )
        return 0
    table = Table(title=f"{model.title} · input {tuple(x.shape[1:])}")
    for column in ("layer", "type", "output shape"):
        table.add_column(column)
    for info in layers:
        table.add_row(info.name, info.type, "×".join(map(str, info.shape)))
    console.print(table)
    return 0


def _print_summary(console, model, image_label, explanation, written) -> None:
    from rich.table import Table

    if model.random_seed is not None:
        console.print(
            f"[bold reverse] RANDOM WEIGHTS (seed {model.random_seed}) [/] "
            "predictions and maps are meaningless; for testing only."
        )
    console.print(
        f"[b]{model.title}[/b] · image {image_label} · method [b]{explanation.recipe.method}[/b]"
    )
    if explanation.layer:
        shape = "×".join(map(str, explanation.layer_shape))
        console.print(f"layer {explanation.layer}: output 1×{shape}")
    if explanation.target is not None:
        console.print(f"target class {explanation.target} ({explanation.target_name})")
    table = Table(title="top-5 predictions")
    for column in ("#", "class", "index", "probability"):
        table.add_column(column, justify="right" if column != "class" else "left")
    for rank, prediction in enumerate(explanation.top5, 1):
        table.add_row(
            str(rank), prediction.name, str(prediction.index), f"{prediction.probability:.2%}"
        )
    console.print(table)
    maps = explanation.maps
    console.print(
        f"map {'×'.join(map(str, maps.shape))} raw values {maps.min():.4g} … {maps.max():.4g}"
    )
    for path in written:
        console.print(f"wrote {path}")
