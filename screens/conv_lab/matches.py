"""The Convolution lab's match view (`h`): on the forward view, the input cells where every
"on" tap of the kernel sees a 1 are underlined, and so are the windows (output cells) where
that happens, for the other kernels' outputs beside it too; the status line names them and
says whether the output is above 0 exactly there (A1: how patch, kernel, bias and ReLU
interact). The cells come from `core.convlab.matches`; off in quiz mode, where they would give
the outputs away."""

from __future__ import annotations

import dataclasses

from core.convlab.matches import tap_matches
from screens.conv_lab.views import Stage

LISTED = 8  # windows named in the status line; the rest are counted


class MatchesMixin:
    """Match view for the Convolution lab (see the module docstring)."""

    show_matches: bool = False

    def action_matches(self) -> None:
        if self.quiz_on:
            self.set_status("The match view would show the answers: it works outside quiz mode.")
            return
        self.show_matches = not self.show_matches
        if self.show_matches:
            self.view = "forward"
        else:
            self.set_status("Match view off.")
        self.refresh_stage()

    def matches_stage(self, shown: Stage) -> Stage:
        """`shown` with the matching input cells and windows underlined (forward view)."""
        if not self.show_matches or self.quiz_on or self.view != "forward":
            return shown
        if self.solution is None:
            return shown
        found = tap_matches(self.solution, self.kernel)
        pictures = []
        for picture in shown.pictures:
            title = picture.title
            if title.startswith(("input", "padded input")):
                channel = int(title.rsplit(" c", 1)[1]) - 1 if " c" in title else 0
                cells = frozenset((i, j) for c, i, j in found.cells if c == channel)
                picture = dataclasses.replace(
                    picture, marked=cells, title=f"{title} · underlined: taps see a 1"
                )
            elif title.startswith("output ("):
                picture = dataclasses.replace(picture, marked=found.windows)
            elif title.startswith("output ") and title[7:].isdigit():  # the other kernels'
                other = tap_matches(self.solution, int(title[7:]) - 1)
                picture = dataclasses.replace(picture, marked=other.windows)
            pictures.append(picture)
        self.set_status(matches_text(found, self.kernel))
        return dataclasses.replace(shown, pictures=tuple(pictures))


def matches_text(found, kernel: int) -> str:
    """One paragraph: the on taps, the windows where all of them see a 1, and the output."""
    taps = " and ".join(f"[{i},{j}]" for _, i, j in found.taps) or "none"
    windows = sorted(found.windows)
    named = ", ".join(f"o[{i},{j}]" for i, j in windows[:LISTED])
    more = f" and {len(windows) - LISTED} more" if len(windows) > LISTED else ""
    where = f"at {named}{more}" if windows else "nowhere"
    if found.explains_output:
        verdict = "the output is above 0 exactly there: the bias lets only a full match through."
    else:
        verdict = (
            f"the output is above 0 at {len(found.positive)} windows, "
            f"{len(found.positive & found.windows)} of them full matches."
        )
    return (
        f"Match view (h): kernel {kernel + 1}'s on taps {taps} all see a 1 {where} "
        f"(input cells and windows underlined); {verdict}"
    )
