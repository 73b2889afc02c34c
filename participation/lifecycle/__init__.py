"""Data lifecycle: erasing responses on request, and a follow-up code holder's access to what is stored."""
