"""The eval harness: runner, report, gate and the `policyqa eval` command end to end."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from assistant.types import Answer, Citation, Hit
from eval.dataset import load_dataset
from eval.gate import Gate, check_gate, load_gate
from eval.report import write_report
from eval.run import FIGURE_NAMES, run_pipeline, summarize
from index.normalize import normalize
from index.types import Chunk, Document, make_chunk_id, make_doc_id

POLICY = (
    "关于支持科技创新的若干措施\n\n"
    "一、企业奖励\n\n"
    "对首次认定的高新技术企业,一次性奖励30万元研发经费。\n\n"
    "二、研发投入\n\n"
    "到2025年,全社会研发投入强度达到1.5%,投入总量达到375亿元。\n\n"
    "三、组织保障\n\n"
    "各盟市科技局负责组织实施,自治区科技厅负责督促检查。"
)
PLAN = (
    "康巴什區科技創新規劃\n\n"
    "到2025年,全社會研發經費投入佔地區生產總值比重達到2.2%以上。\n\n"
    "累計爭取上級財政科技資金2771. 4萬元。"
)
ROWS = [
    {"id": "E1", "persona": "citizen", "question": "首次认定高新技术企业奖励多少?",
     "answer": "30万元", "quote": ("policy.txt", "一次性奖励30万元研发经费"), "type": "number",
     "script": "simplified"},
    {"id": "E2", "persona": "staff", "question": "到2025年研发投入强度目标是多少?",
     "answer": "1.5%,总量375亿元", "quote": ("policy.txt", "研发投入强度达到1.5%"),
     "type": "number", "script": "simplified"},
    {"id": "E3", "persona": "staff", "question": "康巴什爭取上級財政科技資金多少?",
     "answer": "2771.4万元", "quote": ("plan.txt", "累計爭取上級財政科技資金2771. 4萬元"),
     "type": "number", "script": "traditional"},
    {"id": "E4", "persona": "cppcc", "question": "个人专利资助标准是什么?", "answer": "未提及",
     "quote": None, "type": "unanswerable", "script": "simplified"},
]


def _write_set(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "policy.txt").write_text(POLICY, encoding="utf-8")
    (corpus / "plan.txt").write_text(PLAN, encoding="utf-8")
    lines = []
    for r in ROWS:
        evidence = [{"file": r["quote"][0], "quote": r["quote"][1]}] if r["quote"] else []
        lines.append(json.dumps({
            "id": r["id"], "persona": r["persona"], "question": r["question"],
            "script": r["script"], "answerable": bool(r["quote"]), "gold_answer": r["answer"],
            "evidence": evidence, "type": r["type"]}, ensure_ascii=False))
    dataset = tmp_path / "set.jsonl"
    dataset.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus, dataset


class ScriptedPipeline:
    """Returns, for each question, paragraphs of the corpus in a scripted order and answer."""

    def __init__(self, corpus: Path, script: dict[str, dict[str, Any]]) -> None:
        self.docs = {}
        for path in corpus.iterdir():
            text = path.read_text(encoding="utf-8")
            self.docs[path.name] = Document(make_doc_id(path.name), path.name, text, path.stem,
                                            "simplified")
        self.script = script
        self.calls: list[tuple[str, str]] = []

    def _hit(self, file: str, paragraph: str, rank: int) -> Hit:
        doc = self.docs[file]
        start = doc.text.index(paragraph)
        end = start + len(paragraph)
        chunk = Chunk(make_chunk_id(doc.doc_id, start, end, paragraph), doc.doc_id, (), paragraph,
                      normalize(paragraph), start, end)
        return Hit(chunk, doc, rank, 1.0 / rank)

    def retrieve(self, query: str, k: int | None = None, filters: Any = None,
                 mode: str = "fused") -> list[Hit]:
        self.calls.append(("retrieve", mode))
        order = self.script[query]["ranked"].get(mode, [])
        return [self._hit(f, p, i) for i, (f, p) in enumerate(order[: k or 10], 1)]

    def ask(self, question: str, *, persona: Any = None) -> Answer:
        self.calls.append(("ask", str(persona)))
        plan = self.script[question]
        cites = tuple(
            Citation(i, h.chunk.chunk_id, h.document.doc_id, h.document.source, "", None, None,
                     (), h.chunk.text, h.chunk.start, h.chunk.end)
            for i, h in enumerate((self._hit(f, p, 1) for f, p in plan["cited"]), 1)
        )
        return Answer(question, plan["text"], cites, plan["refused"], "simplified")


P_AWARD = ("policy.txt", "对首次认定的高新技术企业,一次性奖励30万元研发经费。")
P_RND = ("policy.txt", "到2025年,全社会研发投入强度达到1.5%,投入总量达到375亿元。")
P_ORG = ("policy.txt", "各盟市科技局负责组织实施,自治区科技厅负责督促检查。")
P_FUND = ("plan.txt", "累計爭取上級財政科技資金2771. 4萬元。")


def _script() -> dict[str, dict[str, Any]]:
    q = [r["question"] for r in ROWS]
    return {
        q[0]: {"ranked": {"fused": [P_AWARD, P_ORG], "bm25": [P_ORG, P_AWARD], "dense": [P_ORG]},
               "cited": [P_AWARD], "text": "一次性奖励30万元研发经费[1]", "refused": False},
        q[1]: {"ranked": {"fused": [P_ORG, P_RND], "bm25": [P_RND], "dense": []},
               "cited": [P_RND, P_ORG], "text": "研发投入强度达到1.5%[1]", "refused": False},
        q[2]: {"ranked": {"fused": [P_FUND], "bm25": [P_FUND], "dense": [P_FUND]},
               "cited": [], "text": "没有找到", "refused": True},
        q[3]: {"ranked": {"fused": [P_ORG], "bm25": [], "dense": [P_ORG]},
               "cited": [], "text": "所提供的文件中没有找到", "refused": True},
    }


def test_runner_figures_on_a_scripted_pipeline(tmp_path: Path) -> None:
    corpus, dataset = _write_set(tmp_path)
    items = load_dataset(dataset, corpus)
    pipe = ScriptedPipeline(corpus, _script())
    run = run_pipeline("ours", pipe, items, modes=("dense", "bm25", "fused"))
    assert run.headline_mode == "fused"
    assert ("ask", "cppcc") in pipe.calls  # each question is asked with its persona
    s = summarize(run).as_dict()
    # Retrieval over the 3 answerable questions, fused: ranks 1, 2, 1.
    assert s["hit@1"] == pytest.approx(2 / 3)
    assert s["hit@3"] == 1.0
    assert s["mrr@10"] == pytest.approx((1 + 0.5 + 1) / 3)
    assert s["retrieval_by_mode"]["dense"]["hit@10"] == pytest.approx(1 / 3)
    assert s["retrieval_by_mode"]["bm25"]["mrr@10"] == pytest.approx((0.5 + 1 + 1) / 3)
    # Answers: E1 cites 1/1 on evidence, E2 1/2, E3 refused (no citations, not counted).
    assert s["citation_precision"] == pytest.approx(0.75)
    assert s["citation_recall"] == pytest.approx(2 / 3)
    assert s["refusal_accuracy"] == 1.0
    assert s["false_refusal_rate"] == pytest.approx(1 / 3)
    # Numbers: E1 {300000} found; E2 {1.5, 3.75e10} half found; E3 {27714000} missed.
    assert s["number_recall"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert s["latency_p95_ms"] >= s["latency_p50_ms"] >= 0
    assert set(s["by_script"]) == {"simplified", "traditional"}
    assert s["by_script"]["traditional"]["false_refusal_rate"] == 1.0
    assert s["by_type"]["unanswerable"]["hit@5"] is None
    assert s["by_persona"]["staff"]["n"] == 2
    assert set(FIGURE_NAMES) <= set(s)


def test_report_writes_markdown_trec_and_charts(tmp_path: Path) -> None:
    corpus, dataset = _write_set(tmp_path)
    items = load_dataset(dataset, corpus)
    runs = [run_pipeline("ours", ScriptedPipeline(corpus, _script()), items,
                         modes=("bm25", "fused")),
            run_pipeline("baseline", ScriptedPipeline(corpus, _script()), items, modes=("dense",))]
    out = tmp_path / "report"
    report = write_report(runs, [summarize(r) for r in runs], out, command="policyqa eval",
                          dataset=dataset)
    text = report.read_text(encoding="utf-8")
    assert "ours/baseline" in text and "| E4 |" in text
    run_lines = (out / "ours.fused.run").read_text().splitlines()
    assert run_lines[0].split()[:2] == ["E1", "Q0"] and run_lines[0].split()[3] == "1"
    qrels = [ln.split() for ln in (out / "ours.qrels").read_text().splitlines()]
    assert {(q[0], q[3]) for q in qrels} >= {("E1", "1"), ("E1", "0")}
    for png in ("overview", "retrieval_modes", "by_persona", "by_type", "by_script"):
        assert (out / f"{png}.png").read_bytes()[:4] == b"\x89PNG"


def test_gate_passes_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "gate.yaml"
    path.write_text("pipeline: ours\nfloors:\n  hit@5: 0.9\n  false_refusal_rate: 0.1\n")
    gate = load_gate(path)
    assert check_gate(gate, {"ours": {"hit@5": 0.95, "false_refusal_rate": 0.05}}) == []
    failures = check_gate(gate, {"ours": {"hit@5": 0.85, "false_refusal_rate": 0.2}})
    assert len(failures) == 2 and "hit@5 = 0.850 is below its floor 0.900" in failures[0]
    assert "not run" in check_gate(gate, {"baseline": {}})[0]
    assert "not measured" in check_gate(Gate("ours", {"number_recall": 0.5}), {"ours": {}})[0]


def test_gate_file_errors_name_the_key(tmp_path: Path) -> None:
    from config.errors import EvalError

    path = tmp_path / "gate.yaml"
    path.write_text("pipeline: ours\nfloors:\n  hit@7: 0.9\n")
    with pytest.raises(EvalError, match=r"hit@7.*valid: hit@1"):
        load_gate(path)


def test_committed_gate_file_is_valid() -> None:
    gate = load_gate(Path(__file__).resolve().parent.parent / "eval" / "gate.yaml")
    assert {"first", "policy-mix"} <= set(gate.corpora)
    assert {"hit@5", "citation_precision", "refusal_accuracy"} <= set(gate.corpora["first"].floors)
    assert {"title", "doc_number", "issuer", "written_date"} <= set(gate.corpora["policy-mix"].metadata)


def test_gate_checks_each_corpus_and_its_metadata(tmp_path: Path) -> None:
    path = tmp_path / "gate.yaml"
    path.write_text("pipeline: ours\nfloors:\n  hit@5: 0.5\ncorpora:\n  a:\n    floors:\n      hit@5: 0.9\n"
                    "    metadata:\n      title: 0.95\n  b:\n    floors:\n      mrr@10: 0.1\n")
    gate = load_gate(path)
    failures = check_gate(gate, {"ours": {"hit@5": 0.7}}, {"a": {"ours": {"hit@5": 0.8}}},
                          {"a": {"title": 0.9}})
    assert any("a: ours hit@5 = 0.800 is below its floor 0.900" in f for f in failures)
    assert any("a: metadata title = 0.900" in f for f in failures)
    assert any("corpus 'b', which was not run" in f for f in failures)
    assert check_gate(gate, {"ours": {"hit@5": 0.7}}, {"a": {"ours": {"hit@5": 0.95}}, "b": {"ours": {"mrr@10": 0.5}}},
                      {"a": {"title": 1.0}}) == []


@pytest.fixture()
def fake_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fake embedder and a private data folder, so the real index is never touched."""
    monkeypatch.setenv("POLICYQA_EMBEDDING__BACKEND", "fake")
    monkeypatch.setenv("POLICYQA_PATHS__DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_eval_command_end_to_end(fake_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    corpus, dataset = _write_set(fake_env)
    gate = fake_env / "gate.yaml"
    gate.write_text("pipeline: ours\nfloors:\n  hit@10: 0.5\n  refusal_accuracy: 0.0\n")
    report = fake_env / "report"
    code = main(["eval", "--dataset", str(dataset), "--corpus", str(corpus), "--json",
                 "--report", str(report), "--gate", str(gate)])
    out = json.loads(capsys.readouterr().out)["corpora"]["set"]
    assert code == 0
    assert set(out) == {"ours", "baseline"}
    for figures in out.values():
        assert set(FIGURE_NAMES) <= set(figures)
        assert {"by_persona", "by_type", "by_script"} <= set(figures)
        assert figures["n"] == len(ROWS)
    assert set(out["ours"]["retrieval_by_mode"]) == {"dense", "bm25", "fused"}
    assert set(out["baseline"]["retrieval_by_mode"]) == {"dense"}
    # Four short paragraphs: ten results hold every chunk, so every answerable question hits.
    assert out["ours"]["hit@10"] == 1.0
    assert (report / "set" / "report.md").is_file() and (report / "set" / "by_type.png").is_file()


def test_eval_command_takes_corpus_folders_and_averages(
    fake_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    folders = []
    for name in ("one", "two"):
        folder = fake_env / name
        folder.mkdir()
        corpus, dataset = _write_set(folder)
        corpus.rename(folder / "docs")
        dataset.rename(folder / "questions.jsonl")
        folders.append(folder)
    (folders[1] / "metadata.jsonl").write_text(
        json.dumps({"file": "policy.txt", "title": "关于支持科技创新的若干措施", "doc_number": None,
                    "issuer": None, "written_date": None, "published_date": None, "doc_type": "measures"},
                   ensure_ascii=False) + "\n", encoding="utf-8")
    code = main(["eval", "--corpus", str(folders[0]), "--corpus", str(folders[1]), "--pipeline", "ours",
                 "--modes", "fused", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(out["corpora"]) == {"one", "two"}
    assert "metadata" in out["corpora"]["two"] and "metadata" not in out["corpora"]["one"]
    assert out["corpora"]["two"]["metadata"]["title"]["right"] == 1
    one, two = (out["corpora"][n]["ours"]["hit@10"] for n in ("one", "two"))
    assert out["macro"]["ours"]["hit@10"] == pytest.approx((one + two) / 2)


def test_eval_command_explains_a_folder_that_is_not_a_corpus(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    code = main(["eval", "--corpus", str(tmp_path)])
    assert code == 2
    assert "is not a corpus folder" in capsys.readouterr().err


def test_eval_command_table_and_failing_gate(
    fake_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    corpus, dataset = _write_set(fake_env)
    gate = fake_env / "gate.yaml"
    gate.write_text("pipeline: ours\nfloors:\n  hit@5: 1.01\n")
    code = main(["eval", "--dataset", str(dataset), "--corpus", str(corpus),
                 "--pipeline", "ours", "--modes", "bm25,fused", "--gate", str(gate)])
    captured = capsys.readouterr()
    assert code == 1
    assert "gate failed: ours hit@5" in captured.err and "below its floor 1.010" in captured.err
    assert "| figure | ours |" in captured.out and "| ours | bm25 |" in captured.out


def test_eval_command_rejects_unknown_mode(capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    with pytest.raises(SystemExit):
        main(["eval", "--dataset", "x.jsonl", "--modes", "fused,sparse"])
    assert "unknown mode(s) sparse" in capsys.readouterr().err


def test_baseline_chunks_keep_exact_offsets(tmp_path: Path) -> None:
    from eval.baseline import BaselineConfig, load_plain, split_documents

    corpus, _ = _write_set(tmp_path)
    (corpus / "long.txt").write_text("。".join(f"第{i}句话讲的是政策内容" for i in range(300)),
                                     encoding="utf-8")
    docs = load_plain(corpus)
    chunks = split_documents(docs, BaselineConfig(chunk_size=120, chunk_overlap=30))
    by_id = {d.doc_id: d for d in docs}
    assert len(chunks) > len(docs)  # the long file was split
    for c in chunks:
        assert by_id[c.doc_id].text[c.start : c.end] == c.text
        assert len(c.text) <= 120
    long_chunks = [c for c in chunks if by_id[c.doc_id].source == "long.txt"]
    assert any(a.end > b.start for a, b in itertools.pairwise(long_chunks))


def test_baseline_retrieves_with_the_fake_embedder(tmp_path: Path) -> None:
    from eval.baseline import build_baseline
    from index.embed import FakeEmbedder

    corpus, _ = _write_set(tmp_path)
    pipe = build_baseline(corpus, FakeEmbedder(), answerer=None)  # type: ignore[arg-type]
    hits = pipe.retrieve("累計爭取上級財政科技資金", k=2)
    assert [h.rank for h in hits] == [1, 2]
    assert hits[0].document.source == "plan.txt"
    assert hits[0].scores["dense"] >= hits[1].scores["dense"]
