"""The archive: its files (settings, protocols, visits), their vocabulary and the rules
on them: loading with locations, checks, masking, personnummer, seasons, review status.
Reads and checks texts; makes no document. Imports only nbesok.core."""
