"""The public site around the capabilities: the start page, choosing a language, health, error pages."""
