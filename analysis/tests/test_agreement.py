"""Inter-coder agreement: Cohen's kappa against a worked example and scikit-learn's implementation."""
import math
from pathlib import Path

import pytest
import yaml

from analysis.agreement import agreement, cohen_kappa

CASES = Path(__file__).resolve().parents[2] / "configs" / "cases"


def test_kappa_of_the_worked_example():
    # 50 items: both yes 20, first yes / second no 5, first no / second yes 10, both no 15.
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    kappa, raw = cohen_kappa(first, second)
    assert raw == pytest.approx(0.7)
    assert kappa == pytest.approx(0.4)  # p_e = (25*30 + 25*20) / 50^2 = 0.5


def test_kappa_is_undefined_when_both_coders_use_one_category():
    kappa, raw = cohen_kappa(["a"] * 4, ["a"] * 4)
    assert math.isnan(kappa) and raw == 1.0


def test_shipped_second_coding_matches_scikit_learn():
    sklearn = pytest.importorskip("sklearn.metrics")
    first = {c["id"]: c for c in yaml.safe_load((CASES / "library.yaml").read_text())["cases"]}
    second = yaml.safe_load((CASES / "second_coding.yaml").read_text())["cases"]
    rows = {row["feature"]: row for row in agreement(str(CASES / "library.yaml"), str(CASES / "second_coding.yaml"))}
    assert rows["issue"]["cases"] == len(second) >= 10
    for feature in ("stance", "act", "regime"):
        a = [first[c["id"]][feature] for c in second]
        b = [c[feature] for c in second]
        assert rows[feature]["kappa"] == pytest.approx(sklearn.cohen_kappa_score(a, b))


def test_a_case_missing_from_the_first_coding_is_named(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump({"cases": [{"id": "nowhere_2030"}]}))
    with pytest.raises(ValueError, match="nowhere_2030"):
        agreement(str(CASES / "library.yaml"), str(other))
