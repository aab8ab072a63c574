"""``python -m nb2prod`` runs the command line."""

from nb2prod.cli import main

raise SystemExit(main())
