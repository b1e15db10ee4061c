"""The Monitor workspace (C1–C5): runs table, curves, details, run control and dialogs."""
