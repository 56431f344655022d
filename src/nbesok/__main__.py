from nbesok.cli import main

main()
