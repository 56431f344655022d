"""What every layer uses: errors, paths shown to the user, names, bounded reads of a
user's files, atomic writes, the worker pool and tables for the terminal. Imports
nothing else of nbesok."""
