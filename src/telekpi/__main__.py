"""`python -m telekpi` runs the command line."""

import sys

from telekpi.cli.app import main

sys.exit(main())
