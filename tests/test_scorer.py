"""The fitted scorer: fitting, loading, and the packaged leave-one-corpus-out models."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from assistant.scorer import CLIP, DEFAULT, MODELS, Logistic, load_scorer
from config.errors import ConfigError
from eval.corpora import load_corpus_set
from eval.fit_scorer import collect, fit, fit_logistic
from tests.index_helpers import NOTICE_C, PLAN_B, POLICY_A, fake_settings, write_corpus

REPO = Path(__file__).resolve().parents[1]


def test_a_logistic_fit_learns_which_feature_helps_and_which_hurts() -> None:
    rng = random.Random(0)
    rows, labels = [], []
    for _ in range(400):
        row = {"good": rng.random(), "bad": rng.random(), "noise": rng.random()}
        labels.append(int(row["good"] - row["bad"] + rng.gauss(0, 0.2) > 0))
        rows.append(row)
    model = fit_logistic(("good", "bad", "noise"), rows, labels)
    good, bad, noise = model.weights
    assert good > 1.0 and bad < -1.0 and abs(noise) < 0.5
    assert model.probability({"good": 0.9, "bad": 0.1, "noise": 0.5}) > 0.9
    assert model.probability({"good": 0.1, "bad": 0.9, "noise": 0.5}) < 0.1


def test_a_feature_far_outside_the_fit_moves_the_score_no_further_than_the_clip() -> None:
    model = Logistic(("x",), (1.0,), 0.0, (0.9,), (0.02,))  # like a dense similarity
    at_clip = model.probability({"x": 0.9 - CLIP * 0.02})
    assert model.probability({"x": 0.0}) == pytest.approx(at_clip)  # not driven to 0 by z = -45


def test_loading_names_the_file_and_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not found.*fit_scorer"):
        load_scorer(tmp_path / "missing.json")
    bad = tmp_path / "old.json"
    bad.write_text(json.dumps({"format": 0}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"old\.json: scorer format 0"):
        load_scorer(bad)
    raw = json.loads(DEFAULT.read_text(encoding="utf-8"))
    raw["answer"]["names"][0] = "a_feature_that_no_longer_exists"
    renamed = tmp_path / "renamed.json"
    renamed.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"a_feature_that_no_longer_exists.*refit"):
        load_scorer(renamed)


def test_the_packaged_models_are_fitted_leave_one_corpus_out() -> None:
    corpora = [c.name for c in load_corpus_set(REPO / "eval" / "corpora.yaml")]
    assert set(load_scorer().fitted_on) == set(corpora)
    for name in corpora:
        held_out = load_scorer(MODELS / f"scorer-without-{name}.json")
        assert name not in held_out.fitted_on and held_out.fitted_on
        assert 0.0 < held_out.refuse_below < 1.0 and 0.0 < held_out.add_at < 1.0


def test_fitting_on_a_small_labelled_corpus_ranks_its_evidence_first(tmp_path: Path, settings) -> None:
    docs = write_corpus(tmp_path / "corpus" / "docs", {"a.txt": POLICY_A, "b.txt": PLAN_B, "c.txt": NOTICE_C})
    questions = [
        ("首次认定的高新技术企业奖励多少？", True, "a.txt", "给予一次性奖励30万元研发经费"),
        ("每年引导多少科技人员到基层服务？", True, "a.txt", "每年引导1500名左右的科技人员到基层服务"),
        ("到2025年研发经费投入占GDP的比重要达到多少？", True, "b.txt", "全社會研發經費投入占GDP的比重達到2.2%"),
        ("高新技术企业要达到多少家？", True, "b.txt", "高新技術企業達到15家以上"),
        ("黄河流域生态保护的总体要求是什么？", True, "c.txt", "坚持生态优先、绿色发展"),
        ("地下水开采有什么要求？", True, "c.txt", "严格控制地下水开采"),
        ("个人所得税专项附加扣除标准是多少？", False, "", ""),
        ("养老机构床位补贴多少钱？", False, "", ""),
    ]
    lines = [json.dumps({"id": f"T{i}", "persona": "citizen", "question": q, "script": "simplified",
                         "answerable": ok, "gold_answer": quote or "无", "type": "fact" if ok else "unanswerable",
                         "evidence": [{"file": f, "quote": quote}] if ok else []}, ensure_ascii=False)
             for i, (q, ok, f, quote) in enumerate(questions)]
    (docs.parent / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "set.yaml").write_text("corpora:\n  - name: tiny\n    path: corpus\n", encoding="utf-8")
    corpus = load_corpus_set(tmp_path / "set.yaml")[0]
    examples = collect(corpus, fake_settings(settings, tmp_path, docs))
    assert sum(sum(e.labels) for e in examples) >= 6  # every answerable question has an evidence candidate
    scorer = fit(examples, ["tiny"], "test")
    assert scorer.notes["questions"] == 8 and scorer.fitted_on == ("tiny",)
    top_is_evidence = 0
    for e in [e for e in examples if e.item.answerable]:
        probs = scorer.sentence.probabilities([c.features for c in e.candidates])
        top_is_evidence += e.labels[max(range(len(probs)), key=probs.__getitem__)]
    assert top_is_evidence >= 5  # fitted on them, it quotes the evidence for nearly all
