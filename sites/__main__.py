"""``python -m sites``: see :mod:`cli.sites`."""

import sys

from cli.sites import main

sys.exit(main())
