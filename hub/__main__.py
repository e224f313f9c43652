"""`python -m hub`: the `hub` command, for when only the interpreter's path is known."""

from hub.cli import main

main()
