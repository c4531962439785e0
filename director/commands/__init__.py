"""`echo-director` command handlers, one module per group of commands; `director/cli.py` dispatches to them."""
