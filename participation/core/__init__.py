"""The floor every capability stands on: no module here imports a capability (README, Layout)."""
