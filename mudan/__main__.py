from mudan.cli.main import main

main()
