"""``python -m paircert`` is the ``paircert`` console script."""

from __future__ import annotations

import sys

from paircert.cli import main

sys.exit(main())
