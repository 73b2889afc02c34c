"""Forum sessions: join by code, propose, vote live, and a projector view; sessions, voting and results."""
