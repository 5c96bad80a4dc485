"""Engine-neutral access to Elasticsearch 8 and OpenSearch 2 (client adapter, mappings)."""

from logtriage.search.client import EngineInfo, EngineRequestError, SearchClient, detect_engine

__all__ = ["EngineInfo", "EngineRequestError", "SearchClient", "detect_engine"]
