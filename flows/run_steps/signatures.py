"""MinHash signatures of bodies and their LSH band keys: what near-duplicate matching compares.

A body is cut into word shingles (SHINGLE_WORDS consecutive words, lower-cased; each CJK
character is a word, as flows/core/text.py counts them); datasketch's MinHash (NUM_PERM
permutations, a fixed seed so every run and worker computes the same signature) estimates the
Jaccard similarity of two bodies' shingle sets as the share of equal signature values.

LSH cuts a signature into BANDS bands of ROWS values; two bodies are candidates when one band is
equal in both. A band is stored as one 63-bit key (band number and values hashed together), so
the dataset keeps NUM_PERM values per article for the similarity and BANDS keys for the lookup.
The probability that a pair of Jaccard s becomes a candidate is 1 - (1 - s^ROWS)^BANDS; the
layout was chosen with benchmarks/dedup.py --choose-layout (figures in docs/benchmarks.md).

Pure functions over text and arrays: they run in the batch tasks (workers), never in the flow.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from datasketch import MinHash

from flows.core.text import CJK_CHAR, WORD_PATTERN

SHINGLE_WORDS = 5
NUM_PERM = 128
BANDS = 32
ROWS = 4  # BANDS * ROWS == NUM_PERM
SEED = 1  # datasketch's permutation seed: part of the signature's definition, never change it
SCHEME = "affine32"  # datasketch 2's permutation scheme (32-bit values); also part of it
PREFIX_BITS = 8  # band keys are partitioned by their top bits: 256 partitions

SIGNATURE_BYTES = NUM_PERM * 4  # values are below 2**32: stored as little-endian uint32

_TOKEN = re.compile(f"[{CJK_CHAR}]|{WORD_PATTERN.pattern}")
# datasketch draws its permutations from the seed on every MinHash; drawing them once and handing
# them over makes a signature about ten times cheaper (the values are the same).
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def tokens(text: str) -> list[str]:
    """The body's words in order, lower-cased (CJK characters one word each)."""
    return [match.lower() for match in _TOKEN.findall(text)]


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The distinct runs of `size` consecutive words; a shorter body is one shingle of all."""
    words = tokens(text)
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def signature(text: str, size: int = SHINGLE_WORDS) -> bytes | None:
    """The body's MinHash signature (NUM_PERM uint32 values as bytes); None for a body without
    words, which has nothing to compare."""
    grams = shingles(text, size)
    if not grams:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_PERMUTATIONS, scheme=SCHEME)
    minhash.update_batch(list(grams))
    return minhash.hashvalues.astype("<u4").tobytes()


def values(signatures: list[bytes]) -> np.ndarray:
    """Signatures as an (n, NUM_PERM) uint32 matrix."""
    if not signatures:
        return np.empty((0, NUM_PERM), dtype=np.uint32)
    return np.frombuffer(b"".join(signatures), dtype="<u4").reshape(len(signatures), NUM_PERM)


def estimated_jaccard(a: bytes, b: bytes) -> float:
    """The share of equal signature values: MinHash's estimate of the bodies' Jaccard."""
    left, right = values([a, b])
    return float(np.count_nonzero(left == right)) / NUM_PERM


def band_keys(signature: bytes, bands: int = BANDS, rows: int = ROWS) -> list[int]:
    """The signature's LSH band keys: each band's number and values hashed to 63 bits (a
    non-negative int64, so Parquet and every reader store it as a plain integer)."""
    keys = []
    for band in range(bands):
        chunk = signature[band * rows * 4 : (band + 1) * rows * 4]
        digest = hashlib.blake2b(chunk, digest_size=8, person=band.to_bytes(2, "little"))
        keys.append(int.from_bytes(digest.digest(), "big") >> 1)
    return keys


def key_partition(key: int, bits: int = PREFIX_BITS) -> int:
    """The partition of a band key: its top `bits` of 63."""
    return key >> (63 - bits)


def candidate_probability(similarity: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """The chance that a pair of this Jaccard shares at least one band (the LSH S-curve)."""
    return float(1.0 - (1.0 - similarity**rows) ** bands)
