"""Run cnn-tui in a real terminal and, when it quits, write every text field's content.

`python -m tests.helpers.field_dump OUT.json RUNS_DIR WORKSPACE` starts the app like
`cnn-tui --runs-dir RUNS_DIR --open WORKSPACE`; on quit it writes {field id: text} for the
Inputs and text areas of the screen on show, so a tmux test can compare them with the keys
it sent (a pane shows only a window of a long field).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from textual.widgets import Input, TextArea

from tui.app import make_app
from tui.config import AppConfig


def main(out: str, runs: str, workspace: str) -> None:
    app = make_app(AppConfig(runs_dir=Path(runs), start=workspace))
    exit_app = app.exit

    def exit_writing_fields(*args, **kwargs) -> None:
        fields = {}
        for widget in app.screen.query("Input, TextArea"):
            if widget.id:
                fields[widget.id] = widget.value if isinstance(widget, Input) else widget.text
            assert isinstance(widget, (Input, TextArea))
        Path(out).write_text(json.dumps(fields))
        exit_app(*args, **kwargs)

    app.exit = exit_writing_fields
    app.run()


if __name__ == "__main__":
    main(*sys.argv[1:4])
