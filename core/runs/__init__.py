"""The run directory as the worker, CLI and app share it: config, events, heartbeat, control,
curves and report exports. Knows nothing of launchers or models. May import: core.data,
core.convlab, core.arch and core's shared modules; not core.models."""
