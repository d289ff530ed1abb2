"""Text primitives shared by content parsing and NLU (the lowest layer; imports nothing of ours)."""
