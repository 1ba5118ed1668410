"""Run the command line with ``python -m imet_kg``."""

from imet_kg.cli import main

main()
