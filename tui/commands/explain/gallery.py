"""`cnn-tui explain --gallery N`: exercise D5 headless, maps for a run's right and wrong images.

Used by `tui/commands/explain.py`; the same gallery the Explain screen's Gallery button lists.
"""

from __future__ import annotations

import json
from pathlib import Path


def run_gallery(args, model, recipe, console) -> int:
    """Explain the first N correctly and N wrongly classified test images of a run."""
    from core.data.images import load_image
    from core.errors import UserError
    from core.explain.export import export
    from core.explain.gallery import SCANNED, classified_test_images
    from core.explain.recipe import explain

    if args.gallery < 1:
        raise UserError(
            f"--gallery takes how many images of each kind, at least 1, not {args.gallery}."
        )
    right, wrong = classified_test_images(model, args.data_dir, count=args.gallery)
    rows = []
    for kind, items in (("right", right), ("wrong", wrong)):
        for number, item in enumerate(items, 1):
            image, _ = load_image(item.source, args.data_dir)
            explanation = explain(model, image, recipe)
            folder = None
            if args.out:
                folder = Path(args.out) / f"{kind}-{number:02d}-{item.source.replace(':', '-')}"
                export(explanation, folder, args.colormap, args.normalise, args.alpha)
            rows.append((kind, item, explanation, folder))
    if args.json:
        print(
            json.dumps(
                {
                    "model": model.title,
                    "method": recipe.method,
                    "layer": rows[0][2].layer if rows else None,
                    "items": [
                        {
                            "kind": kind,
                            "source": item.source,
                            "label": model.classes[item.label],
                            "predicted": model.classes[item.predicted],
                            "target": explanation.target_name,
                            "map_min": float(explanation.maps.min()),
                            "map_max": float(explanation.maps.max()),
                            "folder": str(folder) if folder else None,
                        }
                        for kind, item, explanation, folder in rows
                    ],
                }
            )
        )
        return 0
    _print_table(console, model, recipe, rows)
    if min(len(right), len(wrong)) < args.gallery:
        console.print(
            f"[dim]Only {len(right)} right and {len(wrong)} wrong predictions among "
            f"the first {SCANNED} test images.[/dim]"
        )
    if args.show and rows:
        _show_overlays(console, rows, args)
    return 0


def _print_table(console, model, recipe, rows) -> None:
    from rich.table import Table

    layer = rows[0][2].layer if rows else None
    table = Table(title=f"{model.title} · {recipe.method}" + (f" at {layer}" if layer else ""))
    for column in ("#", "image", "true label", "predicted", "map of", "folder"):
        table.add_column(column)
    for number, (kind, item, explanation, folder) in enumerate(rows, 1):
        mark = "✓" if kind == "right" else "✗"
        table.add_row(
            f"{number} {mark}",
            item.source,
            model.classes[item.label],
            model.classes[item.predicted],
            explanation.target_name or "-",
            str(folder) if folder else "",
        )
    console.print(table)


def _show_overlays(console, rows, args) -> None:
    """One row of overlays per kind, numbered like the table."""
    from rich.text import Text

    from core.explain.activations import map_bounds
    from tui.commands.explain.show import print_grid
    from tui.config import terminal_has_truecolor
    from tui.widgets.halfblock import grid_layout, map_pixels, rgb_to_lines

    truecolor = console.color_system == "truecolor" or terminal_has_truecolor()
    width = min(console.width, 100)
    for kind in ("right", "wrong"):
        chosen = [(n, row) for n, row in enumerate(rows, 1) if row[0] == kind]
        if not chosen:
            continue
        shape = chosen[0][1][2].maps.shape[1:]
        layout = grid_layout(len(chosen), shape, width, 12, label_lines=1)
        tiles, labels = [], []
        for number, (_, _, explanation, _) in chosen:
            lo, hi = map_bounds(explanation.maps[:1], args.normalise)[0]
            tiles.append(
                rgb_to_lines(
                    map_pixels(
                        explanation.maps[0],
                        layout.tile_rows,
                        layout.tile_cols,
                        lo,
                        hi,
                        args.colormap,
                        explanation.image,
                        args.alpha,
                    ),
                    truecolor,
                )
            )
            labels.append(f"{number}{'✓' if kind == 'right' else '✗'}")
        console.print(Text(f"{kind}ly classified (overlay, alpha {args.alpha})", style="bold"))
        print_grid(console, tiles, labels, layout)
