"""Training a network: config, setup, state, the step, the fit loop, checkpoints, and restoring
a run's network. May import: core.models, core.runs and every area below them."""
