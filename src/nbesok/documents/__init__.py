"""Documents made from the archive: templates, Markdown, the DOCX room, PDF, the public
copy, and the one publishing step with its guards. Imports nbesok.archive and
nbesok.core, never a command."""
