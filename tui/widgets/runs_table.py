"""The monitor's runs table: one row per run, derived from its snapshot, sortable, multi-select."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from core.runs.events import epoch_events, last_session
from core.runs.names import display_name
from tui.run_watch import RunSnapshot

STATE_STYLES = {
    "pending": "dim",
    "running": "bold green",
    "stalled": "bold yellow",
    "finished": "bold",
    "stopped": "yellow",
    "failed": "bold red",
    "died": "bold red",
    "requeued": "yellow",
    "resuming": "yellow",
}
"""How each state reads in the table (ANSI colours, readable in dark and light themes)."""

COLUMNS = (
    ("run", "name"),
    ("status", "state"),
    ("epoch", "epoch"),
    ("best val", "best_val"),
    ("best test", "best_test"),
    ("ETA", "eta"),
    ("preset", "preset"),
    ("hyperparameters", "hyper"),
    ("img/s", "speed"),
    ("device", "device"),
)
"""(header, RunRow field) pairs, left to right: what a glance needs first."""

DROP_ORDER = ("device", "speed", "preset", "eta", "hyper")
"""Columns given up, first to last, when the table is too narrow for all of them."""

CELL_PADDING = 2  # columns DataTable adds around each cell
HYPER_MIN = 14  # hyperparameters are cut to no fewer columns before a column is dropped

SORT_KEYS = ("created", "name", "preset", "state", "best_val", "best_test")
"""Orders the `o` key cycles through."""

FIELDS = tuple(field for _, field in COLUMNS)
HEADERS = dict((field, header) for header, field in COLUMNS)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def duration(seconds: float | None) -> str:
    """`1h02m`, `3m05s`, `42s`, or `—`."""
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def hyperparameters(config: Mapping[str, Any]) -> str:
    """The settings that tell runs of one preset apart: optimizer, lr, batch, augmentation."""
    parts = [str(config.get("optimizer", "?"))]
    if isinstance(config.get("lr"), (int, float)):
        parts.append(f"lr {config['lr']:g}")
    if config.get("batch_size"):
        parts.append(f"bs {config['batch_size']}")
    augment = config.get("augment") or ()
    if isinstance(augment, (list, tuple)) and augment:
        parts.append("+" + "+".join(map(str, augment)))
    return " ".join(parts)


def best(epochs: Iterable[Mapping[str, Any]], metric: str) -> float | None:
    values = [e[metric] for e in epochs if isinstance(e.get(metric), (int, float))]
    return max(values) if values else None


def last_of(events: Sequence[Mapping[str, Any]], kind: str) -> Mapping[str, Any] | None:
    return next((e for e in reversed(events) if e.get("kind") == kind), None)


@dataclass(frozen=True)
class RunRow:
    """One table row: display text per column plus the values it sorts by."""

    id: str  # run directory name (the row key)
    mark: str  # "●" when selected for comparison
    name: str  # mark and short name
    preset: str
    hyper: str
    state: str
    epoch: str  # "current/total": the epoch in progress while running, else epochs done
    best_val: float | None  # fraction 0..1
    best_test: float | None  # fraction 0..1
    speed: str  # training images per second (latest step event)
    eta: str  # time left while running
    device: str
    created: float  # unix seconds

    def cells(self) -> list[str | Text]:
        values = {
            "state": Text(self.state, style=STATE_STYLES.get(self.state, "")),
            "best_val": percent(self.best_val),
            "best_test": percent(self.best_test),
        }
        return [values.get(field, getattr(self, field)) for _, field in COLUMNS]

    def shown_cells(self, fit: ColumnFit) -> list[str | Text]:
        """The cells of the columns `fit` shows, the hyperparameters cut to their width."""
        cells = dict(zip(FIELDS, self.cells()))
        cells["hyper"] = clip(self.hyper, fit.hyper_width)
        return [cells[field] for field in fit.fields]


ETA_AFTER_SECONDS = 3.0  # steps of the current session needed before a rate is trusted


def epoch_in_progress(snapshot: RunSnapshot, done: int) -> int:
    """The epoch a live run is training (from its latest step event), else epochs done."""
    if snapshot.state not in ("running", "stalled"):
        return done
    epoch = (last_of(snapshot.events, "step") or {}).get("epoch")
    return epoch if isinstance(epoch, int) and epoch > done else done


def _global_step(event: Mapping[str, Any]) -> int | None:
    if isinstance(event.get("global_step"), int):
        return event["global_step"]
    step, per_epoch, epoch = event.get("step"), event.get("steps_per_epoch"), event.get("epoch")
    if all(isinstance(v, int) for v in (step, per_epoch, epoch)):
        return (epoch - 1) * per_epoch + step
    return None


def eta_seconds(snapshot: RunSnapshot, now: float) -> float | None:
    """Steps left ÷ the session's step rate (wall time, so evaluations count), less the time
    since the latest step event; None until a few seconds of steps were seen."""
    if snapshot.state != "running":
        return None
    steps = [
        (float(e["time"]), g)
        for e in last_session(list(snapshot.events))
        if e.get("kind") == "step"
        and isinstance(e.get("time"), (int, float))
        and (g := _global_step(e)) is not None
    ]
    if len(steps) < 2:
        return None
    (t0, g0), (t1, g1) = steps[0], steps[-1]
    per_epoch = last_of(snapshot.events, "step").get("steps_per_epoch")
    total = int(snapshot.config.get("epochs", 0) or 0)
    if t1 - t0 < ETA_AFTER_SECONDS or g1 <= g0 or not isinstance(per_epoch, int):
        return None
    left = total * per_epoch - g1
    return max(0.0, left * (t1 - t0) / (g1 - g0) - max(0.0, now - t1))


def run_row(
    snapshot: RunSnapshot, selected: bool = False, now: float | None = None, name: str = ""
) -> RunRow:
    """The table row of one run (`name`: its display name among the shown runs)."""
    now = time.time() if now is None else now
    events = list(snapshot.events)
    epochs = epoch_events(events)
    start = last_of(events, "start") or {}
    step = last_of(events, "step") or {}
    speed = step.get("images_per_s")
    mark = "●" if selected else " "
    return RunRow(
        id=snapshot.id,
        mark=mark,
        name=f"{mark} {name or display_name(snapshot.id)}",
        preset=str(snapshot.config.get("preset", "?")),
        hyper=hyperparameters(snapshot.config),
        state=snapshot.state,
        epoch=f"{epoch_in_progress(snapshot, len(epochs))}/{snapshot.config.get('epochs', '?')}",
        best_val=best(epochs, "val_acc"),
        best_test=best(epochs, "test_acc"),
        speed=f"{speed:,.0f}" if isinstance(speed, (int, float)) else "—",
        eta=duration(eta_seconds(snapshot, now)),
        device=str(start.get("device", "—")),
        created=snapshot.created,
    )


def sort_rows(rows: list[RunRow], key: str) -> list[RunRow]:
    """Rows in `key` order: newest first by creation, best first by accuracy, else A→Z."""
    if key == "created":
        return sorted(rows, key=lambda r: (r.created, r.id), reverse=True)
    if key in ("best_val", "best_test"):
        return sorted(
            rows, key=lambda r: (getattr(r, key) is not None, getattr(r, key) or 0), reverse=True
        )
    return sorted(rows, key=lambda r: (str(getattr(r, key)), r.id))


@dataclass(frozen=True)
class ColumnFit:
    """Which columns are shown at a width, and how many columns the hyperparameters get."""

    fields: tuple[str, ...]  # RunRow fields, in COLUMNS order
    hyper_width: int  # characters of the hyperparameters cell (longer text ends in …)
    widths: tuple[int, ...] = ()  # each shown column's width: its widest cell or header

    def header(self, field: str) -> str:
        return hyper_header(self.hyper_width) if field == "hyper" else HEADERS[field]


def hyper_header(width: int) -> str:
    return HEADERS["hyper"] if width >= len(HEADERS["hyper"]) else "hyper"


def fit_columns(rows: Sequence[RunRow], width: int) -> ColumnFit:
    """The most informative columns that fit `width`: cut the hyperparameters, then drop columns."""
    natural = {}
    for header, field in COLUMNS:
        cells = [str(cell) for row in rows for f, cell in zip(FIELDS, row.cells()) if f == field]
        natural[field] = max([len(header) if field != "hyper" else 0, *map(cell_len, cells)])
    fields = list(FIELDS)

    def needed(hyper: int) -> int:
        return sum(
            (max(hyper, len(hyper_header(hyper))) if f == "hyper" else natural[f]) + CELL_PADDING
            for f in fields
        )

    hyper = natural["hyper"]
    for field in (None, *DROP_ORDER):
        if field is not None:
            fields.remove(field)
        if "hyper" in fields:
            hyper = min(natural["hyper"], width - needed(0) + len(hyper_header(0)))
            if hyper >= min(HYPER_MIN, natural["hyper"]) and needed(hyper) <= width:
                break
        elif needed(0) <= width:
            break
    if "hyper" not in fields:  # the room hyperparameters needed may hold smaller dropped columns
        for field in reversed(DROP_ORDER[:-1]):
            if field not in fields and needed(0) + natural[field] + CELL_PADDING <= width:
                fields = [f for f in FIELDS if f in fields or f == field]
    hyper = max(hyper, 1)
    widths = tuple(
        max(hyper, len(hyper_header(hyper))) if f == "hyper" else natural[f] for f in fields
    )
    return ColumnFit(tuple(fields), hyper, widths)


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


class RunsTable(DataTable):
    """Every run as a row; the cursor row is the current run, marked rows are compared."""

    DEFAULT_CSS = """
    RunsTable {
        height: auto;
        max-height: 12;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.sort_key = "created"
        self.rows_by_id: dict[str, RunRow] = {}
        self.fit: ColumnFit | None = None

    @property
    def current_id(self) -> str | None:
        """The run under the cursor."""
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def on_resize(self) -> None:
        self.show(list(self.rows_by_id.values()))

    def show(self, rows: Sequence[RunRow]) -> None:
        """Show these rows: cells change in place; a new order or column set rebuilds the table.

        Columns have the widths of their widest cells, set here: DataTable then never measures
        a whole column again when a cell narrows (for 300 runs, seconds of the UI thread)."""
        ordered = sort_rows(list(rows), self.sort_key)
        fit = fit_columns(ordered, self.size.width - 2)  # room for the vertical scrollbar
        ids = [row.id for row in ordered]
        shown = [key.value for key in self.rows]
        current = self.current_id
        if fit != self.fit:
            self.clear(columns=True)
            self.fit = fit
            for field, width in zip(fit.fields, fit.widths):
                self.add_column(fit.header(field), key=field, width=width)
            shown = []
        if ids != shown:
            self.clear()
            for row in ordered:
                self.add_row(*row.shown_cells(fit), key=row.id)
            if current in ids:
                self.move_cursor(row=ids.index(current), animate=False)
        else:
            for row in ordered:
                previous = self.rows_by_id.get(row.id)
                if previous == row:
                    continue
                old_cells = previous.shown_cells(fit) if previous else [None] * len(fit.fields)
                for field, cell, old in zip(fit.fields, row.shown_cells(fit), old_cells):
                    if cell != old:
                        self.update_cell(row.id, field, cell)
        self.rows_by_id = {row.id: row for row in ordered}
