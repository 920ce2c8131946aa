"""Hostile submissions, graded by tests/test_grader.py: each folder holds an ``ex06_breaking.py`` that attacks the
grader (see its docstring), usually in ``rotation_breaking_labels`` only, with ``invariant_accuracy_ceiling`` right.

``EXPECTED[case] = (status of the labels test, status of the ceiling test)``; ``"wrong"`` means any ``"wrong: …"``.
A hostile part must earn nothing and get a clear status; a right function beside it keeps its point (the grader
restarts the student's process after a crash).  ``SANDBOXED`` cases need the Landlock sandbox (Linux >= 5.13; signal
scoping needs Linux >= 6.12): without it their hostile part may succeed, which is why untrusted classes are graded in
a container (README).
"""

LABELS = "test_rotation_breaking_labels_follow_the_task"
CEILING = "test_invariant_ceiling_is_fifty_percent_for_uniform_rotations"
TIMEOUT = 15  # seconds per test in the hostile run (endless_loop)

EXPECTED = {
    "base_exception": ("error: Escape", "passed"),
    "endless_loop": (f"error: timeout after {TIMEOUT} s", "passed"),
    "exit_at_import": ("error: exited with code 0", "error: exited with code 0"),
    "exit_in_function": ("error: exited with code 0", "passed"),
    "keyboard_interrupt": ("error: KeyboardInterrupt", "passed"),
    "kill_parent": ("error: PermissionError", "passed"),
    "liars": ("wrong", "wrong"),
    "lingering_process": ("wrong", "passed"),
    "memory": ("error: memory limit 4 GB", "error: memory limit 4 GB"),
    "nan": ("wrong", "wrong"),
    "patch_grader": ("wrong", "wrong"),
    "print_gigabytes": ("wrong", "passed"),
    "protocol_garbage": ("error: protocol violation", "passed"),
    # importing `solutions` fails as "not found" or "permission denied" depending on where the course sits: either
    # way the sandbox refuses it and the test earns nothing ("|" separates accepted statuses)
    "read_solutions": ("error: PermissionError", "error: ModuleNotFoundError|error: PermissionError"),
    "recursion": ("error: recursion limit 3000", "passed"),
    "sys_exit_at_import": ("error: SystemExit", "error: SystemExit"),
    "write_files": ("wrong", "passed"),
}
SANDBOXED = {"kill_parent", "read_solutions"}
LINGERING = ("317.25", "318.25")  # the `sleep` arguments of lingering_process: no such process may survive
OUTSIDE = ("/tmp/symkeras-hostile-was-here", "~/.symkeras-hostile-was-here")  # write_files must not create these
