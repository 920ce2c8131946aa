"""Leaves processes behind: one in its own session, one double-forked daemon."""
import os
import subprocess

import numpy as np

ROOT = __import__("pathlib").Path(__import__("symkeras").__file__).resolve().parents[1]  # the course repository


def _right_labels(labels, k):
    return np.asarray(labels) + 10 * (np.asarray(k) % 4 >= 2)


def invariant_accuracy_ceiling(rotation_probs):  # right: earns its point
    p = np.asarray(rotation_probs, np.float64)
    return float(max(p[0] + p[1], p[2] + p[3]))



def rotation_breaking_labels(labels, k):
    subprocess.Popen(['sleep', '317.25'], start_new_session=True)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp('sleep', ['sleep', '318.25'])
        os._exit(0)
    return np.asarray(labels)  # wrong
