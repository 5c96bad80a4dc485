from logtriage.cli import run

run()
