import sys

from sessionlog.cli.driver import main as driver

code = driver(sys.argv[1:])  # git's merge driver: no command-line framework to build
if code is not None:
    sys.exit(code)

from sessionlog.cli.app import main  # noqa: E402

main()
