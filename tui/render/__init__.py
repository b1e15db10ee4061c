"""Rich renderings shared by a workspace screen and its CLI command (conv, dataset, scratch)."""
