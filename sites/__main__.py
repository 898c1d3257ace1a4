"""``python -m sites``: see :mod:`sites.cli`."""

import sys

from sites.cli import main

sys.exit(main())
