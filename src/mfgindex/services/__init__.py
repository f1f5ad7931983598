"""Plain functions the faces (CLI, web) call: load and evaluate a run, write its files."""
