"""`python -m tui` runs the same command line as `tandem`."""

from tui.cli import main

raise SystemExit(main())
