"""One module (or package) per command or close family of commands, named after it;
cli.py calls them. A command imports the layers below, never another command."""
