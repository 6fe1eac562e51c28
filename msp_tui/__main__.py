"""Allows `python -m msp_tui`."""

from msp_tui.cli.main import main

raise SystemExit(main())
