"""The Calculators workspace (B1–B6): screen, single-layer solver, views, export dialog."""
