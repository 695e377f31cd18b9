"""``python -m household``: the same as the ``household`` command."""

from household.cli import main

main()
