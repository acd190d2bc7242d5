from sessionlog.cli.app import main

main()
