"""`python -m pipeline` is the `factbase` command."""

from pipeline.cli import main

main()
