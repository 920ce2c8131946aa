"""Reference answers to the symkeras exercises (the grader must give them full marks)."""
