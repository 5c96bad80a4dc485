"""The Elasticsearch/OpenSearch sidecar: poll, label, write back, restart-safe."""

from logtriage.sidecar.loop import PassStats, RunSummary, Sidecar

__all__ = ["PassStats", "RunSummary", "Sidecar"]
