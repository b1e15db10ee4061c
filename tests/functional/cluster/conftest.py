"""The real single-node Slurm cluster fixture for this folder's tests (see slurm_cluster.py)."""

from tests.functional.cluster.slurm_cluster import slurm_cluster  # noqa: F401  (pytest fixture)
