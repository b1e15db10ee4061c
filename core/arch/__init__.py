"""Architectures without training: the SPEC language, output sizes and solving, receptive fields,
layer tables. May import: core's shared modules (errors, paths, assets, settings) only."""
