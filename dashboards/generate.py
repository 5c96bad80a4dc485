"""Write (or check) every generated artifact: ``python -m dashboards.generate [--check]``.

``--check`` exits 1 when a committed file differs from what the code generates.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from dashboards import grafana_gen, kibana_gen
from dashboards.names import DEFAULT_NAMES, FieldNames

__all__ = ["OUT", "artifacts", "main"]

#: Where the artifacts live: inside the package, so that an installed wheel has them
#: for ``logtriage dashboards export|provision``.
OUT = Path(__file__).resolve().parents[1] / "plugin" / "logtriage" / "dashboards"


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, width=100, allow_unicode=True)


def artifacts(names: FieldNames = DEFAULT_NAMES, kibana: bool = True) -> dict[str, str]:
    """Relative path (under :data:`OUT`) -> file text."""
    files: dict[str, str] = {}
    for stem, board in grafana_gen.dashboards(names).items():
        files[f"grafana/{stem}.json"] = json.dumps(board, indent=2, sort_keys=True) + "\n"
    prov = "grafana/provisioning"
    files[f"{prov}/datasources/logtriage.yaml"] = _yaml(grafana_gen.datasources(names))
    files[f"{prov}/dashboards/logtriage.yaml"] = _yaml(grafana_gen.dashboard_provider())
    files[f"{prov}/alerting/logtriage-rules.yaml"] = _yaml(grafana_gen.alert_rules_file(names))
    if kibana:
        files["kibana/logtriage.ndjson"] = kibana_gen.to_ndjson(kibana_gen.saved_objects(names))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if committed files are stale")
    args = parser.parse_args(argv)
    stale = []
    for rel, text in artifacts().items():
        path = OUT / rel
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(OUT.parents[2])}")
    if stale:
        print("stale (run python -m dashboards.generate): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
