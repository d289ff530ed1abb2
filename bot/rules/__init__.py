"""Rules are data: intents, synonyms, topics, responses and thresholds from ``intents/*.yaml``."""
