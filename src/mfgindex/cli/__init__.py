"""The command-line face: parse arguments, call a service, print. Nothing below imports it."""
