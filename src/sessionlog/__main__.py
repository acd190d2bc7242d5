from sessionlog.cli.entry import main

main()
