import sys

from telekpi.cli.app import main

sys.exit(main())
