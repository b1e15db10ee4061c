"""Where an explained image comes from, compared with the data the model learnt from.

A Shapes-10 or CIFAR-10 model shown a photo, or ImageNet's ResNet-18 shown a 32×32 test image,
still predicts a class and draws a map; `origin_note` says that both then mean little.
"""

from __future__ import annotations

from core.data.datasets import DATASET_NAMES

DATA_WORDS = {
    "shapes": "Shapes-10 (synthetic 32×32 shapes)",
    "cifar10": "CIFAR-10 (32×32 photos)",
    "imagenet": "ImageNet (photos about 224×224)",
}
SMALL = 64  # an image at most this wide and high is far below ImageNet's 224×224


def image_dataset(source: str) -> str | None:
    """ "cifar10" for `cifar10:17`, "shapes" for `shapes:3`; None for a photo or a file."""
    name, sep, index = str(source).partition(":")
    return name if sep and name in DATASET_NAMES and index.isdigit() else None


def true_label(source: str, label: str) -> str | None:
    """The true class of a dataset image from `load_image`'s label ("cifar10:3 (cat)" → "cat");
    None for a photo or a file, whose class nobody recorded."""
    if image_dataset(source) is None or not label.endswith(")") or " (" not in label:
        return None
    return label[label.index(" (") + 2 : -1]


def model_dataset(model) -> str | None:
    """The data a LoadedModel learnt from: a run's dataset, "imagenet" for the torchvision
    ResNet-18 (1000 ImageNet classes), None when unknown."""
    if model.dataset:
        return str(model.dataset)
    return "imagenet" if len(model.classes) == 1000 else None


def origin_note(model, source: str, height: int, width: int) -> str:
    """A warning when the image (`source`, `height`×`width` pixels) does not come from the
    model's data; "" when it does or when the model's data is unknown."""
    trained = model_dataset(model)
    came = image_dataset(source)
    if trained is None or came == trained:
        return ""
    what = f"a {DATA_WORDS[came].split(' (')[0]} test image" if came else "a photo from elsewhere"
    if trained == "imagenet":
        if came is None and min(height, width) > SMALL:
            return ""  # a photo: what ImageNet's ResNet-18 was made for
        return (
            f"Not from the model's data: ImageNet's ResNet-18 learnt from {DATA_WORDS[trained]}; "
            f"this is {what} of {height}×{width} pixels, blown up to {model.preprocess.size}×"
            f"{model.preprocess.size}: its prediction and map say little."
        )
    return (
        f"Not from the model's data: this model learnt from {DATA_WORDS.get(trained, trained)} "
        f"and knows only their {len(model.classes)} classes; this is {what}, so its "
        "prediction and map say little about the image."
    )
