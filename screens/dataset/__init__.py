"""The Dataset workspace (D1): class grids, augmentations, the large image view."""
