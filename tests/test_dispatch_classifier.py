"""Tests for jiceng.dispatch.TextClassifierPolicy: naive Bayes on Chinese and on real NYC 311 text."""

from __future__ import annotations

import copy
import csv
import math
import pickle
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from jiceng.dispatch import DispatchContext, TextClassifierPolicy, create_policy, normalize_text
from jiceng.errors import ValidationError
from jiceng.models import Channel, Department, Priority, Task

DATA = Path(__file__).parent / "data"
T0 = datetime(2024, 5, 6, 9, 0, tzinfo=timezone(timedelta(hours=8)))

CHINESE = [
    ("环境卫生 小区垃圾堆积未清理", "城管局"),
    ("环境卫生 道路垃圾没人扫", "城管局"),
    ("市容 占道经营 摆摊", "城管局"),
    ("邻里纠纷 楼上噪音扰民", "司法所"),
    ("邻里纠纷 宠物扰邻 吵架", "司法所"),
    ("安全隐患 电线裸露 有火灾危险", "应急管理局"),
    ("安全隐患 燃气泄漏 闻到气味", "应急管理局"),
    ("证件办理 补办身份证", "便民服务中心"),
    ("证件办理 居住证 办理", "便民服务中心"),
]


def context(*names: str, excluded: frozenset[str] = frozenset()) -> DispatchContext:
    return DispatchContext(
        departments={n: Department(n) for n in names},
        loads={},
        now=T0,
        excluded=excluded,
    )


def report(category: str, description: str) -> Task:
    return Task.report(category=category, description=description, at=T0)


@pytest.fixture(scope="module")
def chinese() -> TextClassifierPolicy:
    return TextClassifierPolicy().fit(CHINESE)


def test_normalize_text() -> None:
    assert normalize_text("  A\tB \n c ") == "a b c"


def test_chinese_without_a_segmenter(chinese: TextClassifierPolicy) -> None:
    assert chinese.classes == ("便民服务中心", "司法所", "城管局", "应急管理局")
    ctx = context(*chinese.classes)
    for category, description, expected in [
        ("环境卫生", "楼下垃圾成堆", "城管局"),
        ("邻里纠纷", "深夜噪音", "司法所"),
        ("安全隐患", "燃气味很重", "应急管理局"),
        ("证件办理", "身份证丢了", "便民服务中心"),
    ]:
        decision = chinese.decide(report(category, description), ctx)
        assert decision is not None
        assert decision.department == expected
        assert decision.policy == "text_classifier"
        assert decision.reason.startswith(f"按文本分类：{category} → {expected}（置信度")
        assert decision.confidence is not None and 0.25 < decision.confidence <= 1


def test_predict_proba_sums_to_one_over_every_class(chinese: TextClassifierPolicy) -> None:
    for text in ("垃圾", "完全无关的文字 xyz", "", "噪音 燃气 身份证"):
        probabilities = chinese.predict_proba(text)
        assert set(probabilities) == set(chinese.classes)
        assert math.isclose(sum(probabilities.values()), 1.0)
        assert all(0 <= p <= 1 for p in probabilities.values())


def test_unknown_ngrams_are_ignored(chinese: TextClassifierPolicy) -> None:
    assert chinese.predict_proba("垃圾") == pytest.approx(chinese.predict_proba("☃☃垃圾☃☃"))
    # With no known n-gram at all, only the priors speak.
    prior = chinese.predict_proba("☃")
    assert prior["城管局"] == pytest.approx(3 / 9)


def test_case_and_whitespace_do_not_matter() -> None:
    clf = TextClassifierPolicy().fit([("Noise  Loud Music", "NYPD"), ("pothole street", "DOT")])
    assert clf.predict_proba("NOISE loud\tmusic") == clf.predict_proba("noise loud music")


def test_decide_among_eligible_departments_only(chinese: TextClassifierPolicy) -> None:
    task = report("环境卫生", "垃圾堆积")
    narrowed = chinese.decide(task, context(*chinese.classes, excluded=frozenset({"城管局"})))
    assert narrowed is not None and narrowed.department != "城管局"
    only = chinese.decide(task, context("司法所"))
    assert only is not None and only.department == "司法所" and only.confidence == 1.0
    assert chinese.decide(task, context("不相干部门")) is None
    assert (
        chinese.decide(task, context(*chinese.classes, excluded=frozenset(chinese.classes))) is None
    )


def test_threshold_sends_unsure_cases_to_triage() -> None:
    strict = TextClassifierPolicy(threshold=0.99).fit(CHINESE)
    ctx = context(*strict.classes)
    assert strict.decide(report("其他", "不清楚的问题"), ctx) is None
    sure = TextClassifierPolicy(threshold=0.5).fit(CHINESE * 5)
    assert sure.decide(report("证件办理", "补办身份证"), ctx) is not None


def test_validation() -> None:
    for kwargs in ({"ngram": (0, 2)}, {"ngram": (3, 2)}, {"ngram": (1,)}, {"ngram": (1.0, 2)}):
        with pytest.raises(ValidationError, match="ngram"):
            TextClassifierPolicy(**kwargs)
    assert TextClassifierPolicy(ngram=[2, 2]).ngram == (2, 2)
    for alpha in (0, -1, True, "1"):
        with pytest.raises(ValidationError, match="alpha"):
            TextClassifierPolicy(alpha=alpha)  # type: ignore[arg-type]
    for threshold in (-0.1, 1.1, "0.5"):
        with pytest.raises(ValidationError, match="threshold"):
            TextClassifierPolicy(threshold=threshold)  # type: ignore[arg-type]
    clf = TextClassifierPolicy()
    with pytest.raises(ValidationError, match="not fitted"):
        clf.predict_proba("x")
    with pytest.raises(ValidationError, match="at least one"):
        clf.fit([])
    with pytest.raises(ValidationError) as info:
        clf.fit([("a", "b"), ("only one",), ("text", ""), (3, "x")])
    assert len(info.value.problems) == 3


def test_refit_replaces_and_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("jiceng.dispatch._classifier._CACHE_LIMIT", 3)
    clf = TextClassifierPolicy().fit([("a", "X"), ("b", "Y")])
    for text in ("a", "b", "ab", "ba", "aa"):
        clf.predict_proba(text)
    assert len(clf._cache) <= 3
    clf.fit([("c", "Z")])
    assert clf.classes == ("Z",) and clf.predict_proba("a") == {"Z": 1.0}


def test_pickle_and_deepcopy_keep_the_model(chinese: TextClassifierPolicy) -> None:
    chinese.predict_proba("垃圾")
    for clone in (pickle.loads(pickle.dumps(chinese)), copy.deepcopy(chinese)):
        assert clone.classes == chinese.classes
        assert clone.predict_proba("垃圾") == chinese.predict_proba("垃圾")
    assert len(pickle.dumps(chinese)) < len(pickle.dumps(chinese._gains)) + 2_000


def test_registry_builds_it() -> None:
    clf = create_policy("text_classifier", ngram=(1, 2), threshold=0.3)
    assert isinstance(clf, TextClassifierPolicy) and clf.ngram == (1, 2)


# -- real data: a slice of NYC 311 ------------------------------------------------------------------


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_nyc311_slice_accuracy() -> None:
    train = read("nyc311_micro_slice.csv")
    test = read("nyc311_sample_slice.csv")
    assert not {r["Unique Key"] for r in train} & {r["Unique Key"] for r in test}
    clf = TextClassifierPolicy().fit(
        (f"{r['Complaint Type']} {r['Descriptor']}", r["Agency"]) for r in train
    )
    agencies = set(clf.classes)
    ctx = context(*agencies)
    scored = [r for r in test if r["Agency"] in agencies]
    right = 0
    for row in scored:
        task = Task.report(
            category=row["Complaint Type"],
            description=row["Descriptor"],
            at=T0,
            channel=Channel.HOTLINE,
            priority=Priority.NORMAL,
        )
        decision = clf.decide(task, ctx)
        right += decision is not None and decision.department == row["Agency"]
    accuracy = right / len(scored)
    assert len(scored) >= 190
    assert accuracy >= 0.95, accuracy


def test_decisions_are_memoised_only_when_grid_free(monkeypatch: pytest.MonkeyPatch) -> None:
    clf = TextClassifierPolicy().fit(CHINESE)
    everywhere = context(*clf.classes)
    first = clf.decide(report("环境卫生", "垃圾"), everywhere)
    assert clf.decide(report("环境卫生", "垃圾"), everywhere) is first
    local = DispatchContext(
        departments={
            "城管局": Department("城管局", jurisdiction={"G1"}),
            "司法所": Department("司法所"),
        },
        loads={},
        now=T0,
    )
    inside = Task.report(category="环境卫生", description="垃圾", at=T0, grid="G1")
    outside = Task.report(category="环境卫生", description="垃圾", at=T0, grid="G2")
    assert clf.decide(inside, local).department == "城管局"  # type: ignore[union-attr]
    assert clf.decide(outside, local).department == "司法所"  # type: ignore[union-attr]
    monkeypatch.setattr("jiceng.dispatch._classifier._CACHE_LIMIT", 2)
    for text in ("垃圾", "噪音", "燃气", "身份证"):
        clf.decide(report("x", text), everywhere)
    assert len(clf._decided) <= 2


def test_packed_scores_match_the_exact_float_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from jiceng.dispatch import _classifier

    examples = [
        ("环境卫生 小区垃圾堆积", "城管局"),
        ("环境卫生 道路垃圾未清扫", "城管局"),
        ("邻里纠纷 楼上噪音扰民", "司法所"),
        ("Noise Loud Music/Party", "NYPD"),
        ("Street Condition Pothole", "DOT"),
    ]
    texts = ["垃圾没人清", "loud music party next door", "pothole on main street", "完全无关"]
    packed = TextClassifierPolicy().fit(examples)
    fast = [packed.predict_proba(t) for t in texts]
    monkeypatch.setattr(_classifier, "_LANE_LIMIT", 0)  # every text takes the exact float path
    exact_policy = TextClassifierPolicy().fit(examples)
    exact = [exact_policy.predict_proba(t) for t in texts]
    for one, two in zip(fast, exact, strict=True):
        assert one.keys() == two.keys()
        for name in one:
            assert one[name] == pytest.approx(two[name], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("ngram", [(1, 3), (2, 3), (1, 4), (3, 5), (1, 1), (2, 2)])
@pytest.mark.parametrize("text", ["", "a", "ab", "abcdef 垃圾堆积"])
def test_ngrams_are_every_substring_of_each_length(ngram: tuple[int, int], text: str) -> None:
    policy = TextClassifierPolicy(ngram=ngram)
    low, high = ngram
    expected = [text[i : i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]
    assert policy._grams(text) == expected
