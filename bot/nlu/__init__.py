"""Reading a message: normalise, classify the intent, find names and content words."""
