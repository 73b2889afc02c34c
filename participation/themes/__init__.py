"""The shared taxonomy: vision goals and the themes under them, named in every language."""
