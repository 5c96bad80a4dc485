"""Training DeepLog's next-template LSTM on normal sessions and exporting it to ONNX.

Needs torch and onnx (the ``train`` extra); the runtime side
(``logtriage.sessions.LstmDetector``) needs only onnxruntime.
"""

from exporters.sequences.lstm import (
    LstmTrainConfig,
    build_lstm_bundle,
    export_onnx,
    require_torch,
    train_lstm,
)

__all__ = ["LstmTrainConfig", "build_lstm_bundle", "export_onnx", "require_torch", "train_lstm"]
