"""Adversarial inputs for nbesok: a table of hostile files and trees, and fuzzing."""
