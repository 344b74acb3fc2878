"""`python -m flows` is the `takeaways` command, for environments without the console script."""

from flows.cli.app import main

main()
