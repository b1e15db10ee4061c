"""Per-channel normalisations the exercises use, as (mean, std) on the [0, 1] scale."""

CIFAR_MEAN_STD = ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))  # per channel, [0,1] scale
IMAGENET_MEAN_STD = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))  # per channel, [0,1] scale
HALF_MEAN_STD = ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))  # maps [0,1] to [-1,1]
