"""``python -m geodata``: see :mod:`cli.geodata`."""

import sys

from cli.geodata import main

sys.exit(main())
