"""``--state FILE`` of the file commands: the miner state they load and save."""

from __future__ import annotations

from pathlib import Path

from logtriage.errors import StateError

__all__ = ["check_state_target"]


def check_state_target(state: Path | None, out: str | None = None) -> None:
    """Refuse, before any work, a ``--state`` the run could not save at its end, or one
    that is also ``--out`` (the state would replace the output, or the reverse).

    Raises:
        StateError: naming the file and the problem.
    """
    if state is None:
        return
    if out not in (None, "", "-") and Path(str(out)).resolve() == state.resolve():
        raise StateError(f"--state {state} is also --out; give them different files")
    if not state.parent.is_dir():
        raise StateError(
            f"cannot write state file {state}: directory {state.parent} does not exist"
        )
