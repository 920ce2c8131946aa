"""`python -m symkeras bench`: every section runs, ratios are measured against the baseline of the same run."""

import json

from symkeras.deploy import FLOAT32_AGREEMENT
from symkeras.experiments import bench


def test_quick_bench_measures_every_section_against_its_baseline(tmp_path):
    result = bench.run(quick=True, out=tmp_path)
    assert json.loads((tmp_path / "bench.json").read_text())["settings"] == result["settings"]
    layers = {(r["layer"], r["implementation"]): r for r in result["layers"]}
    assert layers[("GroupConv2D", "plain Conv2D")]["fwd+bwd_vs_plain"] == 1.0
    assert {r["implementation"] for r in result["layers"]} == {"symkeras", "plain Conv2D", "naive (transform input)"}
    extras = {(r["layer"], r["implementation"]): r for r in result["subgroups_padding"]}
    assert {layer for layer, _ in extras} == {
        "SubgroupPooling D4→C4",
        "SubgroupPooling D4→D1",
        "SubgroupPooling D4→D2 (gather)",
        "GroupConv2D s3 valid_equiv",
        "GroupMaxPool2D s3 valid_equiv",
    }
    assert extras[("SubgroupPooling D4→C4", "plain reshape + max")]["fwd_vs_plain"] == 1.0
    assert all(r["fwd+bwd_ms"] > 0 for r in extras.values())
    training = {r["name"]: r for r in result["training"]["rows"]}
    assert training["CNN, 40 channels (baseline)"]["vs_cnn"] == 1.0
    assert training["P4CNN, 10 fields × 4"]["params"] == 24_620
    assert all(r["images_per_s"] > 0 for r in training.values())
    assert 0.0 <= result["training"]["input_share_of_step_time"] < 1.0
    assert [r["name"] for r in result["cloning"]] == ["structured student", "plain Dense student"]
    volumes = {(r["layer"], r["implementation"]): r for r in result["volumes"]}
    assert set(volumes) == {
        (layer, impl) for layer in ("GroupConv3D", "LiftingConv3D") for impl in ("symkeras", "plain Conv3D")
    }
    assert volumes[("GroupConv3D", "plain Conv3D")]["fwd+bwd_vs_plain"] == 1.0
    assert (
        volumes[("GroupConv3D", "symkeras")]["out_channels"]
        == volumes[("GroupConv3D", "plain Conv3D")]["out_channels"]
        == 24
    )
    assert [(r["layer"], r["implementation"]) for r in result["transpose"]] == [
        ("GroupConv2DTranspose", "symkeras"),
        ("GroupConv2DTranspose", "plain Conv2DTranspose"),
    ]
    export = result["export"]
    assert export["max_relative_difference"] <= FLOAT32_AGREEMENT  # an untrained P4CNN: 1.1e-6 seen
    assert {(r["name"], r["batch"]) for r in export["rows"]} == {
        (name, batch) for name in ("P4CNN (symkeras layers)", "exported (plain Keras)") for batch in (1, 8)
    }
    assert all(r["speedup"] == 1.0 for r in export["rows"] if r["name"].startswith("P4CNN"))
    report = bench.format_report(result)
    assert "targets: GroupConv2D fwd+bwd" in report and "QUICK MODE" in report
    assert "SubgroupPooling D4→D1" in report
    assert "GroupConv3D (O) fwd+bwd ≤ 1.15× plain" in report and "export: inference of the P4CNN" in report


def test_interleaved_medians_times_each_callable():
    calls = []
    medians = bench.interleaved_medians(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, rounds=3, warmup=1
    )
    assert calls == ["a", "b"] * 4 and set(medians) == {"a", "b"}
