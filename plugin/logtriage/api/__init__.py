"""The HTTP door: a FastAPI app around the one :class:`~logtriage.pipeline.Pipeline`."""

from logtriage.api.app import create_app
from logtriage.api.bundles import BundleRegistry, default_labeler_factory

__all__ = ["BundleRegistry", "create_app", "default_labeler_factory"]
