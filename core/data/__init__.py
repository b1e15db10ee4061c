"""Images for training and viewing: CIFAR-10 (real format), Shapes-10, the cache, normalisations,
augmentation, the fast and reference pipelines, images for explanations, the dataset view.
May import: core.arch and core's shared modules; not core.convlab."""
