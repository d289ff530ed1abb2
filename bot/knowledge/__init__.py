"""The Knowledge snapshot: corpus + indexes + rules, built once and swapped whole on reload."""
