"""Sessions of template ids and sequence anomaly detection (DeepLog-style).

For a door such as the sidecar::

    keyer = SessionKeyer.from_settings(settings.sessions)
    tracker = SessionTracker.from_settings(settings.sessions)
    detector = load_detector(settings.sessions.model_path)   # or NgramDetector(...)

    keys = keyer.keys_batch(messages, fields)                 # str | None per line
    closed = tracker.observe(keys, batch.template_ids, timestamps, refs=doc_ids)
    closed += tracker.expire(now_s)                           # idle sessions, on a timer
    verdicts = detector.score([c.template_ids for c in closed])
    for session, v in zip(closed, verdicts):                  # SessionVerdict per session
        if v.anomalous: ...  # session.refs are the documents; v.position / v.template_id

The runtime needs only numpy and onnxruntime (for the LSTM); never torch.
"""

from logtriage.sessions.detect import (
    LstmDetector,
    NgramDetector,
    SessionDetector,
    SessionVerdict,
    SessionVerdicts,
    load_detector,
)
from logtriage.sessions.files import read_session_file, write_session_file
from logtriage.sessions.tracker import ClosedSession, SessionKeyer, SessionTracker

__all__ = [
    "ClosedSession",
    "LstmDetector",
    "NgramDetector",
    "SessionDetector",
    "SessionKeyer",
    "SessionTracker",
    "SessionVerdict",
    "SessionVerdicts",
    "load_detector",
    "read_session_file",
    "write_session_file",
]
