"""Model runtime: bundles, the ONNX encoder, the LightGBM ensemble, the template cache
and the :class:`Classifier` (a :class:`logtriage.labels.Labeler`). Never imports torch."""

from logtriage.model.bundle import Bundle, default_bundle_path, load_bundle
from logtriage.model.cache import TemplateCache
from logtriage.model.classifier import Classifier, Predictions

__all__ = [
    "Bundle",
    "Classifier",
    "Predictions",
    "TemplateCache",
    "default_bundle_path",
    "load_bundle",
]
