"""The terminal UI of cnn-tui: the App, the CLI entry point and reusable widgets."""
