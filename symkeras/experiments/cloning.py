"""The "Symmetry From Scratch" experiments, side by side: ``python -m symkeras reproduce cloning [--fast|--full]``.

Three tasks (see :mod:`symkeras.data`), each trained with five kinds of model:

==========================  ======  =======  =========================================================
task                        group   classes  what an exactly symmetric model can reach
==========================  ======  =======  =========================================================
``rotation-symmetric``      C4      10       everything: train upright, test at random 90° multiples
``rotation-breaking``       C4      20       about half: 180°/270° flip the label (y → y + 10)
``translation-breaking``    T(2)    20       the CNN's dense head sees position, so it can break it
==========================  ======  =======  =========================================================

models: a standard MLP; the symmetric network (a G-CNN after the paper's ``MLPGConvNet``, or a one-layer CNN);
and MLPs rebuilt from that network by :func:`~symkeras.cloning.mlp_from_convnet` with
*cloned* structure — frozen (only kernels and head train), unfrozen (the structure trains too), and unfrozen with
``KLToInit`` for each β (and, on request, the anchored ``KLToInit`` that also sees a shift common to all taps).
Each cloned row also reports the equivariance error of its first cloned layer before and after training: how much
symmetry fine-tuning kept.

Writes ``results.json``, ``accuracy.png`` (a bar chart per task), ``structure.png`` (cloned effective maps beside
the exact shift / rotated-shift maps) and ``equivariance.png`` (before vs after fine-tuning); tasks run separately
with the same settings into the same directory accumulate there.  docs/design.md says what the original code does
and where this differs.
"""

from __future__ import annotations

import json
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from symkeras import data as sk_data
from symkeras import groups

__all__ = [
    "TASKS",
    "KINDS",
    "TEST_SEED",
    "CloningTask",
    "symmetric_network",
    "conv_input_sizes",
    "first_layer_equivariance_error",
    "cloning_experiment",
    "combine_results",
    "summarize_seeds",
    "model_name",
    "write_results",
    "load_results",
    "format_cloning_table",
    "plot_cloning_accuracy",
    "plot_cloning_equivariance",
    "plot_cloned_maps",
]


@dataclass(frozen=True)
class CloningTask:
    """One task of the experiment: the data, the symmetry group cloned, the baselines and the training recipe."""

    key: str
    make: object  # () -> symkeras.data.Task
    group: groups.PlanarGroup  # the cloned point group: groups.trivial (a convolution, T(2)) or groups.C4
    mlp_hidden: tuple  # the paper's standard MLP for this kind of task
    batch_size: int
    learning_rate: float

    @property
    def symmetric_name(self) -> str:
        return "CNN" if self.group == groups.trivial else "G-CNN"

    @property
    def clone_name(self) -> str:
        return "T(2)-cloned MLP" if self.group == groups.trivial else f"{self.group.name}-cloned MLP"


_SYMMETRIC_MLP = (256, 256, 512, 512, 256, 128)  # 826,506 parameters on 28×28, 10 classes (the paper's MLP)
_BREAKING_MLP = (256, 512, 1024, 1024, 512, 256)  # 2,568,724 parameters on 28×28, 20 classes

TASKS = {
    "rotation-symmetric": CloningTask(
        "rotation-symmetric", sk_data.rotation_symmetric_task, groups.C4, _SYMMETRIC_MLP, 64, 1e-3
    ),
    "rotation-breaking": CloningTask(
        "rotation-breaking", sk_data.rotation_breaking_task, groups.C4, _BREAKING_MLP, 32, 5e-4
    ),
    "translation-breaking": CloningTask(
        "translation-breaking", sk_data.translation_breaking_task, groups.trivial, _BREAKING_MLP, 32, 5e-4
    ),
}

#: Quoted from the seed summary of the paper (their protocol: 60k MNIST, 50 epochs); not produced by this code.
QUOTED = {"translation-breaking": {"standard MLP": 0.9753, "T(2)-cloned MLP": 0.7783}}

#: The kinds of model a task trains, in table order (``models=`` / ``--model`` picks some of them).
KINDS = ("mlp", "symmetric", "frozen", "unfrozen", "kl", "anchored")

#: The seed that draws the test digits (and their rotations or placements): the same for every training seed.
TEST_SEED = 1

#: What every seed of a row measures (a row stores the mean, ``<field>_std`` and ``<field>_per_seed`` of each).
_MEASURED = ("accuracy", "train_seconds", "equivariance_before", "equivariance_after", "kl_to_clone_nats")


def symmetric_network(task: CloningTask, num_classes: int, input_shape):
    """The network whose convolutions are cloned.

    C4: the paper's ``MLPGConvNet`` as a G-CNN — lifting 1→10, group conv 10→10, 2×2 max-pool, 10→20, 20→20, 2×2
    max-pool, mean over orientations and space, dense 50 (ReLU, dropout 0.5), dense logits (28 → 26 → 24 → 12 → 10 →
    8 → 4).  Exactly C4-invariant.  T(2): one 3×3 convolution with 8 filters, 2×2 max-pool and a dense head that
    sees position (48 → 46 → 23).
    """
    import keras

    from symkeras.layers import GroupConv2D, GroupMaxPool2D, GroupPooling, LiftingConv2D

    head = [keras.layers.Dense(50, activation="relu"), keras.layers.Dropout(0.5), keras.layers.Dense(num_classes)]
    if task.group == groups.trivial:
        body = [keras.layers.Conv2D(8, 3, activation="relu"), keras.layers.MaxPooling2D(2), keras.layers.Flatten()]
    else:
        g = task.group
        body = [
            LiftingConv2D(10, 3, group=g, activation="relu"),
            GroupConv2D(10, 3, group=g, activation="relu"),
            GroupMaxPool2D(2),
            GroupConv2D(20, 3, group=g, activation="relu"),
            GroupConv2D(20, 3, group=g, activation="relu"),
            GroupMaxPool2D(2),
            GroupPooling(g),
            keras.layers.GlobalAveragePooling2D(),
        ]
    return keras.Sequential([keras.Input(input_shape), *body, *head], name=task.symmetric_name.lower().replace("-", ""))


def conv_input_sizes(model) -> list:
    """Input side of every 3×3 convolution of ``model``, in order (the sizes a structure must be cloned at)."""
    import keras

    from symkeras.layers import GroupConv2D, LiftingConv2D

    return [
        int(layer.input.shape[1])
        for layer in model.layers
        if isinstance(layer, (keras.layers.Conv2D, LiftingConv2D, GroupConv2D))
    ]


def first_layer_equivariance_error(model, group, x) -> float:
    """Relative equivariance error of the first cloned layer of ``model`` on the images ``x``.

    C4: ``max_g max|L(g·x) − g·L(x)| / max|g·L(x)|`` over the four rotations (:func:`symkeras.equivariance_error`).
    T(2): the same for zero-filled shifts by (1, 0), (0, 1) and (2, 3) pixels, compared where a valid convolution
    is exactly equivariant (outputs whose window lies inside the shifted content).
    """
    from keras import ops

    from symkeras import cloning
    from symkeras.equivariance import equivariance_error

    group = cloning.point_group(group)
    layer = cloning.cloned_layers(model)[0]
    if group != groups.trivial:
        return equivariance_error(layer, group, x, in_action="image", out_action="field").max_error
    y = ops.convert_to_numpy(layer(x))
    m, errors = y.shape[1], []
    for dy, dx in ((1, 0), (0, 1), (2, 3)):
        moved = ops.convert_to_numpy(layer(sk_data.shift_batch(x, np.full(len(x), dy), np.full(len(x), dx))))
        got, want = moved[:, dy:, dx:], y[:, : m - dy, : m - dx]
        errors.append(np.abs(got - want).max() / max(np.abs(want).max(), 1e-30))
    return float(max(errors))


def _settings(mode, epochs, betas, anchored_betas, clone_steps, train_limit):
    from symkeras import cloning

    fast = mode == "fast"
    return {
        "train_limit": train_limit or (512 if fast else None),
        "test_limit": 500 if fast else None,
        "epochs": epochs or (1 if fast else 10),
        "betas": list(betas) if betas is not None else ([1.0] if fast else [1e-3, 1e-1, 1e1]),
        "anchored_betas": list(anchored_betas or []),
        "clone_steps": {g.name: clone_steps or _CLONE_STEPS[mode][g] for g in cloning.CLONABLE_GROUPS},
    }


#: Cloning steps per point group and mode (the C4 student learns its tap maps too, and needs more).
_CLONE_STEPS = {"fast": {groups.trivial: 40, groups.C4: 100}, "full": {groups.trivial: 600, groups.C4: 1500}}


def model_name(task: CloningTask, kind: str, beta: float | None = None) -> str:
    """The table's name for a model of ``kind`` (one of :data:`KINDS`; ``beta`` for ``"kl"`` and ``"anchored"``)."""
    names = {
        "mlp": "standard MLP",
        "symmetric": task.symmetric_name,
        "frozen": f"{task.clone_name}, frozen",
        "unfrozen": f"{task.clone_name}, unfrozen",
    }
    if kind in names:
        return names[kind]
    return f"{task.clone_name}, unfrozen + {'anchored ' if kind == 'anchored' else ''}KL β={beta:g}"


def cloning_experiment(
    mode="fast",
    tasks=None,
    out="out/cloning",
    seed=0,
    epochs=None,
    betas=None,
    anchored_betas=None,
    clone_steps=None,
    strategy="none",
    train_limit=None,
    verbose=1,
    seeds=1,
    models=None,
    clone_seed=0,
) -> dict:
    """Run the experiment on ``tasks`` (default: all of :data:`TASKS`); return (and write) the results.

    Every model is trained ``seeds`` times (seeds ``seed``, ``seed + 1``, …; the clones are made once, with
    ``clone_seed``, and the test digits are drawn once, with :data:`TEST_SEED`); each row's ``accuracy``,
    ``train_seconds``, ``equivariance_before``, ``equivariance_after`` and ``kl_to_clone_nats`` are the mean over its
    ``seeds``, with ``<field>_std`` (sample standard deviation) and ``<field>_per_seed`` beside them.  ``models``
    (default: all of :data:`KINDS`) trains only those kinds of model, e.g. ``["mlp", "symmetric", "frozen"]``.

    ``strategy`` (see :mod:`symkeras.distribute`) distributes the classifier training; the clones themselves are
    trained once per configuration on one device and cached (:func:`~symkeras.cloning.cloned_structure`).
    ``epochs``, ``betas``, ``clone_steps`` and ``train_limit`` (training digits) override the mode's settings;
    ``anchored_betas`` adds rows trained with the anchored KL (:class:`~symkeras.regularizers.KLToInit`).
    Results accumulate: when ``out/results.json`` holds other tasks, models or seeds run with the same protocol,
    they are kept (see :func:`combine_results`), so tasks, models and seeds can be run one at a time, e.g. as
    separate jobs — 3 seeds of the cheap models beside one of an unfrozen clone.  ``results.json`` is rewritten
    after every finished model, so a run that is stopped keeps what it finished.
    """
    import keras

    from symkeras import cloning
    from symkeras import models as sk_models
    from symkeras.distribute import jit_compile_for, strategy_scope
    from symkeras.stats import seed_list
    from symkeras.training import compile_classifier, fit_and_score

    seeds_run = seed_list(seed, seeds)
    if epochs is not None and epochs < 1:
        raise ValueError(f"`epochs` must be >= 1. Received: epochs={epochs!r}")
    kinds = list(KINDS if models is None else models)
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown or not kinds:
        raise ValueError(f"`models` must name some of {', '.join(KINDS)}. Received: models={models!r}")
    settings = _settings(mode, epochs, betas, anchored_betas, clone_steps, train_limit)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    chosen = [TASKS[key] for key in (tasks or TASKS)]
    status = sk_data.cache_status()
    result = {
        "mode": mode,
        "seed": seed,
        "seeds": seeds_run,
        "clone_seed": clone_seed,
        "strategy": strategy,
        **settings,
        "data": sk_data.cache_status()["source"],
        "train_digits": settings["train_limit"] or status["train"],
        "test_digits": settings["test_limit"] or status["test"],
        "clones": {},
        "tasks": {},
        "quoted": QUOTED,
    }
    structures = {}

    def structure_for(size, group):
        name = cloning.point_group(group).name
        key = f"{name}-n{size}"
        if key not in structures:
            if verbose:
                print(
                    f"\n== cloning a {name} structure at {size}×{size} ({settings['clone_steps'][name]} steps; "
                    f"reused from the cache when present) =="
                )
            structures[key], result["clones"][key] = cloning.cloned_structure(
                size, group, steps=settings["clone_steps"][name], seed=clone_seed, verbose=verbose
            )
        return structures[key]

    written = None
    for task_spec in chosen:
        task = task_spec.make()
        x_test, y_test = task.arrays("test", seed=TEST_SEED, limit=settings["test_limit"])
        probe = x_test[:32]

        def symmetric(task_spec=task_spec, task=task):
            return symmetric_network(task_spec, task.num_classes, task.input_shape)

        def cloned(trainable, beta=0.0, anchored=False):
            rebuild = cloning.mlp_from_convnet
            return rebuild(
                symmetric(),
                structure_for,
                structure_trainable=trainable,
                structure_beta=beta,
                structure_anchored=anchored,
            )

        builders = {
            "mlp": lambda task=task, spec=task_spec: sk_models.mlp(task.input_shape, spec.mlp_hidden, task.num_classes),
            "symmetric": symmetric,
            "frozen": lambda: cloned(False),
            "unfrozen": lambda: cloned(True),
        }
        variants = {kind: {model_name(task_spec, kind): make} for kind, make in builders.items()}
        variants["kl"] = {model_name(task_spec, "kl", b): lambda b=b: cloned(True, b) for b in settings["betas"]}
        variants["anchored"] = {
            model_name(task_spec, "anchored", b): lambda b=b: cloned(True, b, anchored=True)
            for b in settings["anchored_betas"]
        }
        chosen_variants = {name: make for kind in kinds for name, make in variants[kind].items()}
        if any(kind not in ("mlp", "symmetric") for kind in kinds):
            for size in conv_input_sizes(symmetric()):  # clone before timing anything
                structure_for(size, task_spec.group)
        rows = []
        result["tasks"][task_spec.key] = {
            "description": task.description,
            "group": task_spec.group.name,
            "batch_size": task_spec.batch_size,
            "learning_rate": task_spec.learning_rate,
            "rows": rows,
        }
        for name, make in chosen_variants.items():
            is_clone = name.startswith(task_spec.clone_name)
            jit = jit_compile_for(dense=name != task_spec.symmetric_name, strategy=strategy)
            per_seed = []
            for run_seed in seeds_run:
                keras.utils.set_random_seed(run_seed)
                with strategy_scope(strategy):
                    model = make()
                    compile_classifier(model, task_spec.learning_rate, jit_compile=jit)
                if verbose:
                    print(
                        f"\n== {task_spec.key}: {name} ({sk_models.count_params(model):,} trainable parameters)"
                        f"{f', seed {run_seed}' if len(seeds_run) > 1 else ''} =="
                    )
                run = {"params": sk_models.count_params(model)}
                if is_clone:
                    run["equivariance_before"] = first_layer_equivariance_error(model, task_spec.group, probe)
                train = task.dataset(
                    "train", batch_size=task_spec.batch_size, seed=run_seed, limit=settings["train_limit"]
                )
                run["accuracy"], run["train_seconds"] = fit_and_score(
                    model,
                    train,
                    x_test,
                    y_test,
                    settings["epochs"],
                    verbose=verbose,
                    learning_rate=task_spec.learning_rate,
                    compiled=True,
                )
                if is_clone:
                    run["equivariance_after"] = first_layer_equivariance_error(model, task_spec.group, probe)
                    run["kl_to_clone_nats"] = cloning.kl_to_init(model)
                per_seed.append(run)
            rows.append(summarize_seeds(name, seeds_run, per_seed))
            result["peak_memory_gb"] = _peak_memory_gb()
            written = write_results(result, out, structures, verbose=verbose if len(rows) == 1 else 0)
    return written if written is not None else write_results(result, out, structures, verbose=verbose)


def write_results(result: dict, out, structures=None, verbose: int = 1) -> dict:
    """Write ``results.json`` and the figures to ``out``, keeping other tasks of an earlier run there with the same
    protocol (:func:`combine_results`); return what was written.

    ``structures`` (``{"C4-n28": E, ...}``) feed the figure of cloned maps, which shows the first (largest) clone of
    each group; a clone not given is read from the clone cache when it is there.
    """
    import matplotlib

    from symkeras import cloning

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if (out / "results.json").exists():
        result = combine_results(load_results(out / "results.json"), result, verbose=verbose)
    shown = {}
    for key in result["clones"]:
        group, size = key.split("-n")
        if int(size) > shown.get(group, (0, ""))[0]:
            shown[group] = (int(size), key)
    maps = {}
    for group, (size, key) in sorted(shown.items()):
        options = {"steps": result["clone_steps"][group], "seed": result.get("clone_seed", result["seed"])}
        if key in (structures or {}):
            maps[key] = structures[key]
        elif cloning.clone_cache_path(size, group, **options).exists():
            maps[key] = cloning.cloned_structure(size, group, verbose=0, **options)[0]
    (out / "results.json").write_text(json.dumps(result, indent=2))
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = {
        "accuracy": lambda: plot_cloning_accuracy(result),
        "equivariance": lambda: plot_cloning_equivariance(result),
    }
    if maps:  # none when the clones of kept tasks are no longer cached
        figures["structure"] = lambda: plot_cloned_maps(maps)
    for name, plot in figures.items():
        fig = plot()
        fig.savefig(out / f"{name}.png", dpi=110)
        plt.close(fig)
    return result


def _peak_memory_gb() -> float:
    """Peak resident memory of this process so far (``ru_maxrss`` is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2 ** (30 if sys.platform == "darwin" else 20)


_PROTOCOL = (
    "mode",
    "clone_seed",
    "train_limit",
    "test_limit",
    "epochs",
    "clone_steps",
    "data",
)


def summarize_seeds(model: str, seeds: list, per_seed: list) -> dict:
    """One table row from the runs of ``model`` with ``seeds`` (``per_seed[i]`` holds ``params`` and the
    :data:`_MEASURED` fields of seed ``seeds[i]``): each field's mean, ``<field>_std`` and ``<field>_per_seed``."""
    from symkeras.stats import mean_std

    row = {"model": model, "params": per_seed[0]["params"], "seeds": list(seeds)}
    for field in _MEASURED:
        if field in per_seed[0]:
            values = [run[field] for run in per_seed]
            row[field], row[f"{field}_std"] = mean_std(values)
            row[f"{field}_per_seed"] = values
    return row


def _runs(row: dict, seeds: list) -> dict:
    """``{seed: {"params": …, field: value}}`` of a stored row (rows written before rows kept their own seeds
    use the result's)."""
    seeds = row.get("seeds", seeds)
    runs = {seed: {"params": row["params"]} for seed in seeds}
    for field in _MEASURED:
        for seed, value in zip(seeds, row.get(f"{field}_per_seed", [row.get(field)] * len(seeds))):
            if value is not None:
                runs[seed][field] = value
    return runs


def _row_rank(task_key: str, model: str) -> tuple:
    """Where ``model`` goes in its task's table: the order of :data:`KINDS`, then by β."""
    spec = TASKS[task_key]
    fixed = {model_name(spec, kind): rank for rank, kind in enumerate(KINDS[:4])}
    if model in fixed:
        return (fixed[model], 0.0)
    kind, sep, beta = model.rpartition("β=")
    if not sep:  # not a model this task trains: after them, in the order met
        return (6, 0.0)
    return (5 if "anchored" in kind else 4, float(beta))


def _protocol(result: dict) -> dict:
    """The settings that must agree for two runs' rows to share a table (clones made with the run's seed before
    they had their own)."""
    return {
        key: result.get(key, result.get("seed", 0)) if key == "clone_seed" else result.get(key) for key in _PROTOCOL
    }


def combine_results(earlier: dict, later: dict, verbose: int = 1) -> dict:
    """``later`` plus what ``earlier`` holds that it did not rerun — tasks, models and seeds — if both used the
    same protocol (mode, data, digits, epochs, clone steps and clone seed); otherwise ``later`` alone.

    A model run in both keeps the seeds of both (a seed run again takes ``later``'s values) and its mean and
    standard deviation are computed again over them.  Tasks follow :data:`TASKS`, models :data:`KINDS` then β.
    """
    before, after = _protocol(earlier), _protocol(later)
    differ = [key for key in _PROTOCOL if before[key] != after[key]]
    if differ:
        if verbose and earlier["tasks"]:
            print(
                f"results.json: replacing {', '.join(earlier['tasks'])} from an earlier run with other settings "
                f"({', '.join(f'{k} {before[k]} → {after[k]}' for k in differ)})"
            )
        return later
    tasks = {}
    for key in TASKS:
        present = [result for result in (earlier, later) if key in result["tasks"]]
        if not present:
            continue
        runs = {}
        for result in present:
            for row in result["tasks"][key]["rows"]:
                runs.setdefault(row["model"], {}).update(_runs(row, result.get("seeds", [result.get("seed", 0)])))
        rows = [
            summarize_seeds(model, sorted(by_seed), [by_seed[seed] for seed in sorted(by_seed)])
            for model, by_seed in sorted(runs.items(), key=lambda item: _row_rank(key, item[0]))
        ]
        tasks[key] = {**present[-1]["tasks"][key], "rows": rows}
    all_rows = [row for task in tasks.values() for row in task["rows"]]
    if verbose and earlier["tasks"]:
        kept = sum(len(task["rows"]) for task in earlier["tasks"].values())
        print(f"results.json: merging {kept} rows of earlier runs with the same protocol (by model and seed)")
    return {
        **later,
        "seed": min([later["seed"], earlier["seed"]]),
        "seeds": sorted(
            {seed for row in all_rows for seed in row.get("seeds", [])} | set(later.get("seeds", [later["seed"]]))
        ),
        "betas": sorted(set(earlier.get("betas", [])) | set(later.get("betas", []))),
        "anchored_betas": sorted(set(earlier.get("anchored_betas", [])) | set(later.get("anchored_betas", []))),
        "tasks": tasks,
        "clones": {**earlier["clones"], **later["clones"]},
        "peak_memory_gb": max(earlier["peak_memory_gb"], later["peak_memory_gb"]),
    }


def load_results(path) -> dict:
    """A ``results.json`` written by :func:`cloning_experiment`."""
    return json.loads(Path(path).read_text())


def plot_cloning_accuracy(result):
    """Test accuracy per model, one panel per task, with the paper's quoted numbers as dashed lines."""
    import matplotlib.pyplot as plt

    tasks = result["tasks"]
    heights = [0.32 * len(task["rows"]) + 1.1 for task in tasks.values()]
    fig, axes = plt.subplots(
        len(tasks), 1, figsize=(9, sum(heights) + 0.6), squeeze=False, gridspec_kw={"height_ratios": heights}
    )
    for ax, (key, task) in zip(axes[:, 0], tasks.items()):
        names = [r["model"] for r in task["rows"]]
        errors = [100 * r.get("accuracy_std", 0.0) for r in task["rows"]]
        ax.barh(
            names,
            [100 * r["accuracy"] for r in task["rows"]],
            color="tab:blue",
            xerr=errors if any(errors) else None,
            capsize=3,
        )
        for (label, value), style in zip(result["quoted"].get(key, {}).items(), ("--", ":")):
            ax.axvline(100 * value, ls=style, color="gray", label=f"paper (quoted): {label} {100 * value:.2f}%")
        if result["quoted"].get(key):
            ax.legend(fontsize=7, loc="lower right")  # beyond 100%, where no bar reaches
        ax.invert_yaxis()
        ax.tick_params(axis="y", labelsize=8)
        ax.set_xlim(0, 140 if result["quoted"] else 100)  # the same scale in every panel
        ax.set_xticks(range(0, 101, 20))
        ax.set_xlabel("test accuracy (%)" + ("; whiskers: ± std over seeds" if any(errors) else ""))
        ax.set_title(f"{key}: {task['description']}", fontsize=9)
    fig.suptitle(f"Symmetry cloning: test accuracy ({result['mode']} mode)")
    fig.tight_layout()
    return fig


def plot_cloning_equivariance(result):
    """Equivariance error of each cloned model's first layer before and after training (log scale)."""
    import matplotlib.pyplot as plt

    rows = [(key, r) for key, task in result["tasks"].items() for r in task["rows"] if "equivariance_after" in r]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.5))
    labels = [f"{key}: {r['model'].split(', ', 1)[1]}" for key, r in rows]
    y = np.arange(len(rows))
    ax.barh(
        y - 0.2, [r["equivariance_before"] for _, r in rows], 0.4, label="cloned (before training)", color="tab:green"
    )
    ax.barh(y + 0.2, [r["equivariance_after"] for _, r in rows], 0.4, label="after fine-tuning", color="tab:red")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_xlabel("relative equivariance error of the first cloned layer (log scale)")
    ax.set_title(f"How much symmetry fine-tuning keeps ({result['mode']} mode)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_cloned_maps(structures: dict, window=5):
    """Exact and cloned effective maps ``E_{r,c}`` for the centre output pixel, one column per tap ``c``, cropped to
    a ``window × window`` patch of the input around its receptive field.  ``structures``: ``{"C4-n28": E, ...}``."""
    import matplotlib.pyplot as plt

    from symkeras.cloning import exact_structure

    panels = []
    for key, structure in structures.items():
        group, size = key.split("-n")
        size = int(size)
        exact = exact_structure(size, group)
        for r in range(min(structure.shape[0], 2)):
            panels += [(f"{key} r={r}\nexact", exact[r]), (f"{key} r={r}\ncloned", structure[r])]
    fig, axes = plt.subplots(len(panels), 9, figsize=(9, 1.15 * len(panels)), squeeze=False)
    for row, (label, maps) in zip(axes, panels):
        m = int(round(np.sqrt(maps.shape[1])))
        n = int(round(np.sqrt(maps.shape[2])))
        centre = (m // 2) * m + m // 2
        lo = m // 2 + 1 - window // 2  # receptive field of the centre output is rows/cols m//2 .. m//2 + 2
        for c, ax in enumerate(row):
            patch = maps[c, centre].reshape(n, n)[lo : lo + window, lo : lo + window]
            ax.imshow(patch, cmap="RdBu_r", vmin=-1, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if row is axes[0]:
                ax.set_title(f"tap {c}", fontsize=8)
        row[0].set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
    fig.suptitle("Cloned effective maps vs exact (centre output pixel, 5×5 input patch; red = +1, blue = −1)")
    fig.tight_layout()
    return fig


def _accuracy_cell(row: dict, name_seed: bool) -> str:
    """``"67.36 ± 1.00% (67.3 66.4 68.4)"`` over several seeds; ``"65.06%"`` (``"… (seed 0 only)"``) for one."""
    if len(row.get("accuracy_per_seed", [0])) < 2:
        return f"{100 * row['accuracy']:.2f}%" + (f" (seed {row['seeds'][0]} only)" if name_seed else "")
    values = " ".join(f"{100 * a:.1f}" for a in row["accuracy_per_seed"])
    return f"{100 * row['accuracy']:.2f} ± {100 * row['accuracy_std']:.2f}% ({values})"


def format_cloning_table(result) -> str:
    lines = []
    all_rows = [r for task in result["tasks"].values() for r in task["rows"]]
    w = max([40] + [len(r["model"]) for r in all_rows])
    several = len({seed for r in all_rows for seed in r.get("seeds", [])}) > 1  # then say which seed a lone run used
    a = max([9] + [len(_accuracy_cell(r, several)) for r in all_rows])
    for key, task in result["tasks"].items():
        lines += [
            f"\n{key} ({task['description']}); batch {task['batch_size']}, Adam {task['learning_rate']:g}",
            f"{'model':<{w}} {'trainable':>10} {'test acc':>{a}} {'train s':>8} {'equivariance error':>22} "
            f"{'KL nats':>9}",
            "-" * (w + a + 54),
        ]
        for r in task["rows"]:
            eq = f"{r['equivariance_before']:.1e} → {r['equivariance_after']:.1e}" if "equivariance_after" in r else "—"
            kl = f"{r['kl_to_clone_nats']:.3g}" if "kl_to_clone_nats" in r else "—"
            acc = _accuracy_cell(r, several)
            lines.append(f"{r['model']:<{w}} {r['params']:>10,} {acc:>{a}} {r['train_seconds']:8.1f} {eq:>22} {kl:>9}")
        for label, value in result["quoted"].get(key, {}).items():
            quoted = f"{100 * value:.2f}%"
            lines.append(f"{'  quoted from the paper: ' + label:<{w}} {'':>10} {quoted:>{a}}   (their protocol)")
    clones = ", ".join(
        f"{k} ({v['steps']:.0f} steps): held-out error {v['heldout_relative_error']:.1e}"
        for k, v in result["clones"].items()
    )
    lines += [
        "",
        f"{result['mode']} mode: {result['train_digits']:,} training / {result['test_digits']:,} test digits "
        f"from {result['data']}; {result['epochs']} epochs (lr × 0.95 per epoch); "
        f"seeds {result.get('seeds', [result['seed']])} (mean ± sample std over a row's seeds, values per seed); "
        f"peak memory {result['peak_memory_gb']:.1f} GB.",
        f"clones: {clones or 'none'}.",
        "equivariance error: first cloned layer, before → after training (C4: 4 rotations; T(2): 3 shifts); "
        "KL nats: Σ over cloned layers of KL(softmax(E) ‖ softmax(E_clone)) after training.",
    ]
    if result["mode"] == "fast":
        lines.append("FAST MODE: tiny data, one epoch, rough clones — numbers are a smoke test, not results.")
    return "\n".join(lines)
