"""``python -m rum_server.cli`` runs ``rum-server``."""

import sys

from rum_server.cli.main import main

sys.exit(main())
