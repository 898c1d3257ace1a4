"""``python -m scoring``: see :mod:`cli.scoring`."""

import sys

from cli.scoring import main

sys.exit(main())
