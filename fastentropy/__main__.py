"""``python -m fastentropy``: the same command as the ``fastentropy`` console script."""
import sys

from .cli import main

sys.exit(main())
