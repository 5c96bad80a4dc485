"""The ONNX encoder: tokenizers + onnxruntime, no torch.

Texts are sorted by length and cut into batches; each batch is padded to its own
longest sequence (dynamic padding), capped at ``max_seq_len`` tokens, so short
templates cost short sequences. Batches run in parallel, one onnxruntime thread
each: a small encoder's matrices are too small for intra-op threads to pay off
(on 2 cores, 512 templates encode 5-10% faster this way).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
import numpy.typing as npt

from logtriage.errors import ModelBundleError

__all__ = ["Encoder", "EncoderOutput"]


class EncoderOutput:
    """Pooled embeddings ``float32[n, d]`` and head logits ``float32[n, k]``, input order."""

    __slots__ = ("embedding", "logits")

    def __init__(self, embedding: npt.NDArray[np.float32], logits: npt.NDArray[np.float32]):
        self.embedding = embedding
        self.logits = logits


class Encoder:
    """Runs an exported encoder (``embedding`` + ``logits`` outputs) on texts.

    Arguments:
        onnx_path: the ONNX file (int8 or fp32).
        tokenizer_path: a ``tokenizers`` JSON file.
        max_seq_len: token cap per text (longer texts are truncated).
        batch_size: texts per onnxruntime call.
        threads: batches encoded at once (``LOGTRIAGE_THREADS`` or 2 when None).

    Raises:
        ModelBundleError: a file cannot be loaded or the graph lacks the expected outputs.
    """

    def __init__(
        self,
        onnx_path: Path,
        tokenizer_path: Path,
        *,
        max_seq_len: int = 128,
        batch_size: int = 64,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        try:
            self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        except Exception as exc:  # tokenizers raises a bare Exception
            raise ModelBundleError(f"{tokenizer_path}: cannot load tokenizer ({exc})") from exc
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_seq_len)
        self.max_seq_len = max_seq_len
        self.batch_size = batch_size
        opts = ort.SessionOptions()
        n_threads = threads or int(os.environ.get("LOGTRIAGE_THREADS", "0") or 0) or 2
        self.threads = n_threads
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No spinning pool threads stealing the cores LightGBM predicts on next.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.enable_cpu_mem_arena = False  # peak RSS: no arena growing to the largest batch
        try:
            self.session = ort.InferenceSession(
                str(onnx_path), sess_options=opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
            raise ModelBundleError(f"{onnx_path}: cannot load ONNX model ({exc})") from exc
        self.input_names = [i.name for i in self.session.get_inputs()]
        outputs = [o.name for o in self.session.get_outputs()]
        if "embedding" not in outputs or "logits" not in outputs:
            raise ModelBundleError(
                f"{onnx_path}: graph outputs {outputs}, expected 'embedding' and 'logits'"
            )
        unknown = set(self.input_names) - {"input_ids", "attention_mask", "token_type_ids"}
        if unknown:
            raise ModelBundleError(f"{onnx_path}: unexpected graph inputs {sorted(unknown)}")
        pad = self.tokenizer.token_to_id("[PAD]")
        self.pad_id = 0 if pad is None else int(pad)
        self._pool = ThreadPoolExecutor(n_threads, "encoder") if n_threads > 1 else None

    def encode(self, texts: list[str]) -> EncoderOutput:
        """Embeddings and logits for ``texts``; batches padded to their longest sequence."""
        n = len(texts)
        if n == 0:
            return EncoderOutput(np.zeros((0, 0), np.float32), np.zeros((0, 0), np.float32))
        ids = [e.ids for e in self.tokenizer.encode_batch_fast(texts)]  # no offsets
        order = np.argsort([len(x) for x in ids], kind="stable")
        # At least one batch per thread, so a short request keeps every core busy.
        n_batches = max(-(-n // self.batch_size), min(self.threads, n))
        batches = np.array_split(order, n_batches)
        run_all = self._pool.map if self._pool is not None and n_batches > 1 else map
        emb_parts, logit_parts = zip(*run_all(partial(self._run, ids), batches), strict=True)
        inv = np.empty(n, dtype=np.int64)
        inv[order] = np.arange(n)
        return EncoderOutput(np.concatenate(emb_parts)[inv], np.concatenate(logit_parts)[inv])

    def _run(
        self, ids: list[list[int]], idx: npt.NDArray[np.intp]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """One onnxruntime call on the texts ``idx``, padded to the longest of them."""
        width = max(len(ids[i]) for i in idx)
        input_ids = np.full((len(idx), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for row, i in enumerate(idx.tolist()):
            seq = ids[i]
            input_ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        emb, logits = self.session.run(["embedding", "logits"], feed)
        return emb.astype(np.float32, copy=False), logits.astype(np.float32, copy=False)
