"""Answering: a question (and the conversation so far) → Answer(summary, quote, source, …)."""
