"""Exercise A5: Linear and Conv2d from their equations, checked and timed against PyTorch.
May import: core.cluster and every area below it; not core.explain or core.exercises."""
