"""Whole-run steps: what can only be decided over every document of a run (inputs repeated across
batches, paragraphs repeated across a publisher's articles, duplicate bodies)."""
