"""newsbot: answers questions about newspaper pages with quoted sources."""

__version__ = "0.1.0"
