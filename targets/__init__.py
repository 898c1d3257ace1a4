"""Rollout targets: the model and its validation, the store, evaluation town by town, progress over time, red/amber/green."""
