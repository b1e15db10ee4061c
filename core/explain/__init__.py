"""What a network looks at: activations, saliency, Grad-CAM, filters, colormaps, the recipe and
its export. May import: core.cluster and every area below it; not core.scratch or
core.exercises."""
