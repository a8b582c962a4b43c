"""Search inside PostgreSQL, measured against partnerbot's own index (issue 24's other way).

The same corpora and labelled questions as search_bench.py, searched in the database, so that a
web process would hold no index at all: PostgreSQL full-text search (a weighted tsvector, title
A, tags B, body C, ranked by ts_rank_cd, english stemming) with `pg_trgm` for typos (a query
word no entry uses is replaced by the known words within trigram similarity 0.45, as partnerbot
expands one), and the same meaning vectors (wordllama, knowledge/vectors.py) stored beside each
entry and compared in SQL; the two lists fused by reciprocal rank fusion (k = 60). pgvector is
not in this machine's Debian archive (`apt-cache search pgvector` finds nothing), so the vectors
are `real[]` and their likeness a dot product in SQL over the whole workspace.

    .venv/bin/python benchmarks/pg_search_bench.py --database "$(scripts/postgres start)" \\
        [--sizes 2000 10000 100000]
"""

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

sys.path.insert(0, str(Path(__file__).parent))
from corpus import Item, build_corpus  # noqa: E402
from load_bench import fresh_schema  # noqa: E402
from search_bench import SETS, evaluate, load_queries, partnerbot  # noqa: E402

from knowledge import semantic  # noqa: E402
from knowledge.documents import Document  # noqa: E402
from knowledge.text import STOP_WORDS, words  # noqa: E402
from knowledge.vectors import document_vectors  # noqa: E402

SCHEMA = """
CREATE TABLE docs (
    id integer PRIMARY KEY, key text, title text, tags text, body text,
    tsv tsvector, vec real[]
);
CREATE TABLE known_words (word text PRIMARY KEY);
"""
INDEXES = """
CREATE INDEX docs_tsv ON docs USING gin (tsv);
CREATE INDEX known_words_trgm ON known_words USING gin (word gin_trgm_ops);
ANALYZE docs; ANALYZE known_words;
"""
LEXICAL = """
SELECT key FROM docs, to_tsquery('english', :q) AS query
WHERE tsv @@ query ORDER BY ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', tsv, query) DESC LIMIT 20
"""
MEANING = """
SELECT key FROM docs
ORDER BY (SELECT sum(a * b) FROM unnest(vec, CAST(:v AS real[])) AS pair(a, b)) DESC LIMIT 20
"""


def with_trigrams(url: str) -> str:
    """The URL with `public` on its search path, where pg_trgm is installed once for all runs."""
    admin = create_engine(url)
    with admin.begin() as connection:
        where = connection.execute(
            text(
                "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
            )
        ).scalar()
        if where is None:
            connection.execute(text("CREATE EXTENSION pg_trgm SCHEMA public"))
        elif where != "public":
            connection.execute(text("ALTER EXTENSION pg_trgm SET SCHEMA public"))
    admin.dispose()
    parsed = make_url(url)
    options = parsed.query["options"]
    return parsed.update_query_dict({"options": f"{options},public"}).render_as_string(
        hide_password=False
    )


def load(engine, corpus: list[Item]) -> float:
    started = time.perf_counter()
    docs = [
        Document(
            entry_id=n, kind=i.kind, title=i.title, text=i.body, tags=i.tags, created=i.created
        )
        for n, i in enumerate(corpus)
    ]
    vectors = document_vectors(docs)
    with engine.begin() as connection:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                connection.execute(text(statement))
        rows = [
            {
                "id": n,
                "key": i.key,
                "title": i.title,
                "tags": " ".join(i.tags),
                "body": i.body,
                "vec": [float(x) for x in vectors[n]],
            }
            for n, i in enumerate(corpus)
        ]
        for start in range(0, len(rows), 2000):
            connection.execute(
                text(
                    "INSERT INTO docs (id, key, title, tags, body, vec, tsv) VALUES "
                    "(:id, :key, :title, :tags, :body, :vec, "
                    "setweight(to_tsvector('english', :title), 'A') || "
                    "setweight(to_tsvector('english', :tags), 'B') || "
                    "setweight(to_tsvector('english', :body), 'C'))"
                ),
                rows[start : start + 2000],
            )
        connection.execute(
            text(
                "INSERT INTO known_words SELECT DISTINCT lower(w) FROM docs, "
                "regexp_split_to_table(title || ' ' || tags || ' ' || body, '[^[:alnum:]]+') AS w "
                "WHERE length(w) > 2 ON CONFLICT DO NOTHING"
            )
        )
        for statement in INDEXES.split(";"):
            if statement.strip():
                connection.execute(text(statement))
    return time.perf_counter() - started


def in_postgres(engine):
    connection = engine.connect()

    def search(question: str) -> list[str]:
        wanted = [w for w in words(question) if w not in STOP_WORDS and w.isalnum()]
        alternatives = []
        for word in wanted:
            known = connection.execute(
                text("SELECT 1 FROM known_words WHERE word = :w"), {"w": word}
            ).first()
            near = (
                [word]
                if known
                else [
                    w
                    for (w,) in connection.execute(
                        text(
                            "SELECT word FROM known_words WHERE word % :w "
                            "AND similarity(word, :w) >= 0.45 "
                            "ORDER BY similarity(word, :w) DESC LIMIT 3"
                        ),
                        {"w": word},
                    )
                ]
            )
            if near:
                alternatives.append("(" + " | ".join(near) + ")")
        lexical = (
            [key for (key,) in connection.execute(text(LEXICAL), {"q": " | ".join(alternatives)})]
            if alternatives
            else []
        )
        vector = semantic.embed([question])[0]
        meaning = [
            key for (key,) in connection.execute(text(MEANING), {"v": [float(x) for x in vector]})
        ]
        fused: dict[str, float] = {}
        for ranked in (lexical, meaning):
            for place, key in enumerate(ranked, 1):
                fused[key] = fused.get(key, 0.0) + 1 / (60 + place)
        return sorted(fused, key=lambda key: -fused[key])[:5]

    return search, connection


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True, help="a PostgreSQL URL")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 10_000, 100_000])
    args = parser.parse_args()
    query_sets = {name: load_queries(file) for name, file in SETS.items()}
    print(
        "| entries | engine | set | load s | p50 ms | p95 ms | R@5 clean | R@5 misspelled "
        "| R@5 paraphrased | plain: right entry in top 3 |"
    )
    print("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in args.sizes:
        corpus = build_corpus(size)
        engine = create_engine(with_trigrams(fresh_schema(args.database)))
        loaded = load(engine, corpus)
        search, connection = in_postgres(engine)
        started = time.perf_counter()
        ours = partnerbot(corpus)
        built = time.perf_counter() - started
        for name, engine_search, seconds in (
            ("in PostgreSQL (FTS + pg_trgm + real[] vectors, RRF)", search, loaded),
            ("partnerbot's index, in process", ours, built),
        ):
            for set_name, queries in query_sets.items():
                m = evaluate(engine_search, queries, 1)
                print(
                    f"| {size:,} | {name} | {set_name} | {seconds:.1f} | {m['p50']:.1f} "
                    f"| {m['p95']:.1f} | {m['r5 clean']:.2f} | {m['r5 misspelled']:.2f} "
                    f"| {m['r5 paraphrased']:.2f} | {m['top3 plain']:.0%} |",
                    flush=True,
                )
        connection.close()
        engine.dispose()


if __name__ == "__main__":
    main()
