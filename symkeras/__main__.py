"""``python -m symkeras``: the command line (:mod:`symkeras.cli`)."""

import sys

from symkeras.cli import main

if __name__ == "__main__":
    sys.exit(main())
