"""logtriage: label log lines where they live."""

import os

from logtriage._core import __version__, disable_parallelism

# A forked child has none of the parent's rayon threads: a batch it handed to the
# parent's pool would wait forever. Children run every batch on their own thread.
os.register_at_fork(after_in_child=disable_parallelism)

__all__ = ["__version__"]
