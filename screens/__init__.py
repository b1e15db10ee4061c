"""One module per screen of cnn-tui (Home and the seven workspaces)."""
