"""The headless engine of cnn-tui: everything the app shows, computed without a UI.

Nothing in this package imports textual, rich, `tui` or `screens`; tests, scripts and the
GPU worker import it directly.
"""

__version__ = "0.1.0"
