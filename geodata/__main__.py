import sys

from geodata.cli import main

sys.exit(main())
