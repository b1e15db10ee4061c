"""One package per workspace of cnn-tui: its screen, views, dialogs and .tcss together.

Workspaces never import each other; one opens another through the app (`tui.messages`).
"""
