"""The garbage collector's pace while the app runs.

A full collection walks every object the process holds; with the Monitor's 301 runs and a
long log loading that is 500,000–700,000 objects and a 150–500 ms pause of the UI thread, felt
as a key that answers late. Python's default thresholds (700, 10, 10) ran 10–20 such full
collections while one 1,000,000-step log loaded (`bench/runs_scale.py`). The app runs the
young generation less often (most of its objects die young and are freed by their reference
count anyway) and a full collection after 100 middle ones instead of 10; cycles are still
collected, later. The thresholds in force before are put back when the app ends.
"""

from __future__ import annotations

import gc

APP_THRESHOLDS = (5_000, 10, 100)


class Collector:
    """Set the app's thresholds on `start`, restore the former ones on `stop`."""

    def __init__(self, thresholds: tuple[int, int, int] | None = APP_THRESHOLDS) -> None:
        self.thresholds = thresholds  # None: leave Python's as they are
        self._former: tuple[int, int, int] | None = None

    def start(self) -> None:
        if self.thresholds is None or self._former is not None:
            return
        self._former = gc.get_threshold()
        gc.set_threshold(*self.thresholds)

    def stop(self) -> None:
        if self._former is not None:
            gc.set_threshold(*self._former)
            self._former = None
