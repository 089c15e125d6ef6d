"""``python -m colorlab``: see :mod:`colorlab.cli`."""

from .cli import main

raise SystemExit(main())
