"""Building model bundles: data specs, fine-tuning, ONNX export + int8 quantization,
LightGBM, calibration and evaluation reports. Needs the ``train`` extra
(``pip install 'logtriage[train]'``); the runtime never imports this package."""

from __future__ import annotations

from typing import Any

__all__ = ["require_torch"]


def require_torch() -> Any:
    """Import torch or fail with a message that says how to get it."""
    try:
        import torch
    except ImportError as exc:
        raise RuntimeError(
            "building or exporting a model needs torch: install the train extra "
            "(pip install 'logtriage[train]')"
        ) from exc
    return torch
