"""Tries to rewrite the graded tests and the solutions, delete a test, and write anywhere."""
import os
import pwd

import numpy as np

ROOT = __import__("pathlib").Path(__import__("symkeras").__file__).resolve().parents[1]  # the course repository


def _right_labels(labels, k):
    return np.asarray(labels) + 10 * (np.asarray(k) % 4 >= 2)


def invariant_accuracy_ceiling(rotation_probs):  # right: earns its point
    p = np.asarray(rotation_probs, np.float64)
    return float(max(p[0] + p[1], p[2] + p[3]))


FAKE_TEST = '''import pytest


@pytest.mark.points(99)
def test_everything(ex):
    pass
'''


def rotation_breaking_labels(labels, k):
    done = []
    attempts = [
        (ROOT / 'tests' / 'grading' / 'test_ex06_breaking.py', FAKE_TEST),
        (ROOT / 'tests' / 'grading' / 'test_ex99_free_points.py', FAKE_TEST),
        (ROOT / 'solutions' / 'ex06_breaking.py', 'broken = True\n'),
        (ROOT / 'tests' / 'conftest.py', 'raise SystemExit\n'),
        ('/tmp/symkeras-hostile-was-here', 'x'),
        (os.path.join(pwd.getpwuid(os.getuid()).pw_dir, '.symkeras-hostile-was-here'), 'x'),
    ]
    for path, text in attempts:
        try:
            with open(path, 'w') as f:
                f.write(text)
            done.append(str(path))
        except OSError:
            pass
    for path in (ROOT / 'tests' / 'grading' / 'test_ex00_setup.py', ROOT / 'solutions' / 'ex00_setup.py'):
        try:
            os.remove(path)
            done.append(f'deleted {path}')
        except OSError:
            pass
    print('written:', done)
    return np.asarray(labels)  # wrong: forgets the + 10
