"""``python -m logtriage``: the command line, as the ``logtriage`` script."""

from logtriage.cli import run

run()
