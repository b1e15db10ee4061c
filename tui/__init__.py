"""The terminal UI shell of cnn-tui: the App, Home, help, the palette, the CLI and its commands,
reusable widgets, and the rich renderings a screen shares with its command (`tui.render`)."""
