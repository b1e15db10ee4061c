"""`cnn-tui arch save|ls|show`: a personal library of designs, usable by name everywhere."""

from __future__ import annotations

import argparse

NAME = "arch"
HELP = "save, list and show your own architectures (usable by name in train, summary, the app)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Designs are plain files in $XDG_CONFIG_HOME/cnn-tui/architectures (else "
        "~/.config/cnn-tui/architectures). Example: cnn-tui arch save my-resnet "
        '"Conv2d(3, 16, 3, padding=1), Residual(...), ..."; cnn-tui train --arch my-resnet'
    )
    actions = parser.add_subparsers(dest="arch_action", metavar="ACTION", required=True)
    save = actions.add_parser("save", help="save a SPEC, SPEC file or FILE.py[:Class] as NAME")
    save.add_argument("name", metavar="NAME", help="letters, digits, - _ .")
    save.add_argument("source", metavar="SPEC|FILE", help="a SPEC, a SPEC file or FILE.py[:Class]")
    save.add_argument(
        "--input", metavar="C,H,W", default="3,32,32", help="shape to check it with (3,32,32)"
    )
    listing = actions.add_parser("ls", help="list the saved designs")
    listing.add_argument("--json", action="store_true", help="print one JSON object")
    show = actions.add_parser("show", help="print a saved design and its parameter count")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--input", metavar="C,H,W", default="3,32,32", help="input shape")


def run(args: argparse.Namespace) -> int:
    return {"save": _save, "ls": _ls, "show": _show}[args.arch_action](args)


def _save(args) -> int:
    from core.arch.table import parse_shape
    from core.models import library
    from core.models.architecture import resolve
    from core.models.zoo import PRESETS

    if args.name in PRESETS:
        raise library.LibraryError(f"{args.name} is a preset's name; choose another name.")
    arch = resolve(args.source)
    if arch.kind == "preset":
        raise library.LibraryError(f"{args.source} is a preset already; save a SPEC or a file.")
    params = arch.table(parse_shape(args.input)).total_params  # refuse what does not build
    if arch.kind == "python":
        path = library.save_file(args.name, arch.path, arch.class_name)
    else:
        path = library.save_spec(args.name, arch.spec)
    print(f"saved {args.name} ({params:,} parameters at {args.input}) as {path}")
    return 0


def _ls(args) -> int:
    import json

    from core.models import library

    names = library.saved_names()
    if args.json:
        print(json.dumps({"folder": str(library.library_dir()), "designs": names}))
        return 0
    if not names:
        print(f"No saved designs in {library.library_dir()}. Save one with `cnn-tui arch save`.")
        return 0
    for name in names:
        path, class_name = library.saved_path(name)
        kind = "Python file" if path.suffix == ".py" else "SPEC"
        print(f"{name}\t{kind}{f' (class {class_name})' if class_name else ''}\t{path}")
    return 0


def _show(args) -> int:
    from core.arch.table import parse_shape
    from core.models import library

    found = library.saved_path(args.name)
    if found is None:
        names = ", ".join(library.saved_names()) or "none saved yet"
        raise library.LibraryError(f"No saved design {args.name!r}; saved: {names}.")
    path, class_name = found
    print(f"# {args.name}: {path}{f' (class {class_name})' if class_name else ''}")
    print(path.read_text(encoding="utf-8"), end="")
    from core.models.architecture import resolve

    table = resolve(args.name).table(parse_shape(args.input))
    print(f"# {table.total_params:,} parameters, {table.total_macs:,} MACs at {args.input}")
    return 0
