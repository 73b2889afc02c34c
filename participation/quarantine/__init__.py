"""The staff side of flood quarantine: each held burst's size and hour, released or discarded by staff."""
