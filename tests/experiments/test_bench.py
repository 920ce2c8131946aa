"""`python -m symkeras bench`: every section runs, ratios are measured against the baseline of the same run."""

import json

from symkeras.experiments import bench


def test_quick_bench_measures_every_section_against_its_baseline(tmp_path):
    result = bench.run(quick=True, out=tmp_path)
    assert json.loads((tmp_path / "bench.json").read_text())["settings"] == result["settings"]
    layers = {(r["layer"], r["implementation"]): r for r in result["layers"]}
    assert layers[("GroupConv2D", "plain Conv2D")]["fwd+bwd_vs_plain"] == 1.0
    assert {r["implementation"] for r in result["layers"]} == {"symkeras", "plain Conv2D", "naive (transform input)"}
    extras = {(r["layer"], r["implementation"]): r for r in result["subgroups_padding"]}
    assert {layer for layer, _ in extras} == {"SubgroupPooling D4→C4", "SubgroupPooling D4→D1",
                                              "SubgroupPooling D4→D2 (gather)", "GroupConv2D s3 valid_equiv",
                                              "GroupMaxPool2D s3 valid_equiv"}
    assert extras[("SubgroupPooling D4→C4", "plain reshape + max")]["fwd_vs_plain"] == 1.0
    assert all(r["fwd+bwd_ms"] > 0 for r in extras.values())
    training = {r["name"]: r for r in result["training"]["rows"]}
    assert training["CNN, 40 channels (baseline)"]["vs_cnn"] == 1.0
    assert training["P4CNN, 10 fields × 4"]["params"] == 24_620
    assert all(r["images_per_s"] > 0 for r in training.values())
    assert 0.0 <= result["training"]["input_share_of_step_time"] < 1.0
    assert [r["name"] for r in result["cloning"]] == ["structured student", "plain Dense student"]
    report = bench.format_report(result)
    assert "targets: GroupConv2D fwd+bwd" in report and "QUICK MODE" in report
    assert "SubgroupPooling D4→D1" in report


def test_interleaved_medians_times_each_callable():
    calls = []
    medians = bench.interleaved_medians({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                                        rounds=3, warmup=1)
    assert calls == ["a", "b"] * 4 and set(medians) == {"a", "b"}
