"""Where workers run: the local and Slurm launchers, scheduler state, a run's honest status,
sweeps and their launching, doctor. May import: core.training and every area below it."""
