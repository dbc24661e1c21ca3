"""`python -m ansinh.cli`: the same command as the `ansinh` script."""

from ansinh.cli import main

main()
