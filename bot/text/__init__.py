"""Text primitives shared by content parsing and NLU: the lowest layer, it imports no other."""
