"""How much the n-gram session detector's F1 depends on its settings (HDFS sessions).

The defaults (history 4, top-g 9) were picked on a grid that included the test
files; this grid shows the F1 over every nearby setting, so the figure is not an
artefact of that choice. Trains on normal_train only, scores normal_test and
abnormal_test, appends the table to bench/RESULTS.md.

    .venv/bin/python bench/sequences_grid.py
"""

from __future__ import annotations

from _common import append_results, shared_data
from logtriage.config import SessionsSettings
from logtriage.sessions import NgramDetector, read_session_file

HISTORIES = [1, 2, 3, 4, 5, 6, 8, 10]
TOP_GS = [5, 9, 12]


def f1(fp: int, tp: int, abnormal: int) -> float:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / abnormal if abnormal else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def main() -> None:
    d = shared_data() / "hdfs-sessions"
    train = read_session_file(d / "normal_train.txt")
    normal = read_session_file(d / "normal_test.txt")
    abnormal = read_session_file(d / "abnormal_test.txt")
    rows = ["| history | " + " | ".join(f"F1 g={g}" for g in TOP_GS) + " |"]
    rows.append("| ---: |" + " ---: |" * len(TOP_GS))
    scores: list[float] = []
    for h in HISTORIES:
        cells = []
        for g in TOP_GS:
            det = NgramDetector.from_settings(SessionsSettings(history=h, top_g=g)).fit(train)
            fp = int(det.score(normal).anomalous.sum())
            tp = int(det.score(abnormal).anomalous.sum())
            score = f1(fp, tp, len(abnormal))
            scores.append(score)
            cells.append(f"{score:.4f}")
        rows.append(f"| {h} | " + " | ".join(cells) + " |")
    ok = [s for h, s in zip([h for h in HISTORIES for _ in TOP_GS], scores, strict=True) if h >= 3]
    body = "\n".join(
        [
            f"- data: hdfs-sessions, train {len(train)} normal; test {len(normal)} normal + "
            f"{len(abnormal)} abnormal",
            "",
            *rows,
            "",
            f"- history >= 3: F1 between {min(ok):.4f} and {max(ok):.4f} for every top-g above",
        ]
    )
    append_results("sequences: n-gram settings grid (bench/sequences_grid.py)", body)


if __name__ == "__main__":
    main()
