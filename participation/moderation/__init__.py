"""Moderation of free texts: the queue, the automatic flags, and approving, hiding or redacting."""
