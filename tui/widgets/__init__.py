"""Reusable widgets: curves, heatmaps, matrix views."""
