"""What every layer uses: errors, paths shown to the user, names, bounded reads of a
user's files, atomic writes, and the worker pool. Imports nothing else of nbesok."""
