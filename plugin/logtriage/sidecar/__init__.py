"""The Elasticsearch/OpenSearch sidecar: poll, label, write back, restart-safe."""

from logtriage.sidecar.loop import Sidecar
from logtriage.sidecar.stats import PassStats, RunSummary

__all__ = ["PassStats", "RunSummary", "Sidecar"]
