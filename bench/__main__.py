"""`python -m bench` (`make bench`): see bench/run.py and docs/search.md."""

from bench.run import main

main()
