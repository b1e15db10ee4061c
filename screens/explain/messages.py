"""Messages the Explain workspace's thread workers post to the screen."""

from __future__ import annotations

from textual.message import Message


class ExplainProgressed(Message):
    """Sent when the explain worker starts another step."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ExplainProgressed)


class ExplanationReady(Message):
    """Sent when the explanations for one request are computed."""

    def __init__(
        self, model, results: list, layers: list[tuple[str, str]], label: str = "", note: str = ""
    ) -> None:
        super().__init__()
        self.label = label  # the image's name, with its true class when known
        self.note = note  # warnings: image not from the model's data, settings unused; else ""
        self.model = model  # core.models.loaded.LoadedModel
        self.results = results  # [core.explain.recipe.Explanation], one per target
        self.layers = layers  # (label, name) choices for the layer selector


class GalleryListed(Message):
    """Sent when a run's test images have been sorted into right and wrong predictions."""

    def __init__(self, right: list, wrong: list) -> None:
        super().__init__()
        self.right = right  # [core.explain.gallery.GalleryItem] correctly classified
        self.wrong = wrong  # [core.explain.gallery.GalleryItem] misclassified


class ExplanationFailed(Message):
    """Sent when a request could not be explained (the message says why and what to do)."""

    def __init__(self, text: str, heading: str = "Cannot explain") -> None:
        super().__init__()
        self.text = text
        self.heading = heading  # what failed, shown in bold before the text


class LayersListed(Message):
    """Sent when a chosen model is loaded and its layers (with output shapes) are known."""

    def __init__(self, model_choice: str, title: str, layers: list[tuple[str, str]]) -> None:
        super().__init__()
        self.model_choice = model_choice  # the Model selector's value it belongs to
        self.title = title  # the model's name for people
        self.layers = layers  # (label with output shape, layer name) choices
