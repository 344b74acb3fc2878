"""`python -m flows` is the `takeaways` command, for environments without the console script."""

from flows.cli import main

main()
