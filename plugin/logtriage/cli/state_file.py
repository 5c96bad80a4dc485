"""``--state FILE`` of the file commands: the miner state they load and save."""

from __future__ import annotations

from pathlib import Path

from logtriage._core import Miner
from logtriage.cli.progress import note
from logtriage.config import Settings
from logtriage.errors import StateError
from logtriage.miner_drift import miner_settings_drift
from logtriage.pipeline import Pipeline, read_state

__all__ = ["check_state_target", "load_state"]


def load_state(state: Path, settings: Settings) -> Miner:
    """The miner saved in ``state``. It keeps the settings it was mined with; a
    warning names those that differ from the configured ``mining``/``masking``
    (which would otherwise do nothing, silently).

    Raises:
        StateError: naming the file when it cannot be read or is no miner state.
    """
    data = read_state(state)
    miner = Pipeline.miner_from_state(data, state)
    drift = miner_settings_drift(data, settings.mining, settings.masking)
    if drift:
        note(
            f"warning: --state {state} was mined with other settings: {'; '.join(drift)}. "
            "They stay in force for its templates; to mine with the configured settings "
            "give a new --state file"
        )
    return miner


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
