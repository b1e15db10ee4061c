"""The Train workspace (C1–C5): the form, its fields and the Slurm request dialog."""
