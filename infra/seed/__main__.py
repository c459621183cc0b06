"""``python -m infra.seed [total] [seed]``: generate a seed day, time it and measure the domain code."""

from infra.seed.tweets import main

main()
