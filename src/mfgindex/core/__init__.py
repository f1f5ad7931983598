"""The model: framework, data, checks, stages, plan and result. Imports nothing above it."""
