"""Batch keys for duplicates: the same digests as text by text, MinHash that estimates
Jaccard similarity of word shingles, and an index that finds what it should."""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import seen
from archive.screening import duplicates
from archive.screening.duplicates import NUM_PERM, DuplicateIndex, digest_text, text_keys
from archive.seen import Bloom

WORDS = ["hraun", "jökull", "fjörður", "heiði", "vatn", "á", "fjall", "dalur", "byggð",
         "kirkja", "river", "stone", "valley", "harbour", "island", "meadow", "winter",
         "summer", "boat", "road", "bridge", "lighthouse"]


def essay(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) + rng.choice(["", "", ",", "."]) for _ in range(words))


def shingle_jaccard(a: str, b: str, size: int = 5) -> float:
    def grams(text: str) -> set[tuple[str, ...]]:
        words = text.replace(",", " ").replace(".", " ").casefold().split()
        return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}
    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=12))
def test_batch_digests_equal_one_by_one_digests(texts: list[str]) -> None:
    digests, _ = text_keys(texts, min_words=1)
    assert digests == [digest_text(t) if t else None for t in texts]


def test_digest_ignores_case_spacing_and_compatibility_forms() -> None:
    [a, b, c], _ = text_keys(["Halló  HEIMUR\n", "halló\u00a0heimur", "halló heimur!"])
    assert a == b != c


def test_minhash_estimates_shingle_jaccard() -> None:
    rng = random.Random(7)
    base = essay(rng, 400)
    words = base.split()
    variants = []
    for changes in (0, 5, 20, 60, 400):
        edited = list(words)
        for i in rng.sample(range(len(words)), changes):
            edited[i] = "breytt"
        variants.append(" ".join(edited))
    _, minimums = text_keys([base, *variants])
    for text, sig in zip(variants, minimums[1:], strict=True):
        estimate = float(np.mean(minimums[0] == sig))
        assert estimate == pytest.approx(shingle_jaccard(base, text), abs=0.12)
    assert float(np.mean(minimums[0] == minimums[1])) == 1.0
    assert float(np.mean(minimums[0] == minimums[-1])) < 0.1


def test_punctuation_does_not_make_texts_different_and_short_texts_are_skipped() -> None:
    rng = random.Random(3)
    text = essay(rng, 60)
    _, [a, b, short] = text_keys([text, text.replace(",", " ;"), "only five words here now"],
                                 min_words=20)
    assert a is not None and np.array_equal(a, b)
    assert short is None
    assert len(a) == NUM_PERM


def test_keys_do_not_depend_on_the_batch() -> None:
    rng = random.Random(5)
    texts = [essay(rng, rng.randint(25, 200)) for _ in range(20)]
    _, together = text_keys(texts)
    alone = [text_keys([t])[1][0] for t in texts]
    assert all(np.array_equal(x, y) for x, y in zip(together, alone, strict=True))


def test_index_finds_near_duplicates_and_not_unrelated_texts() -> None:
    rng = random.Random(11)
    texts = [essay(rng, 300) for _ in range(30)]
    near = texts[4].split()
    near[100] = "breytt"
    texts.append(" ".join(near))
    index = DuplicateIndex(near_threshold=0.8)
    _, minimums = text_keys(texts)
    found = [index.near(f"r{i}", m) for i, m in enumerate(minimums)]
    assert found[:30] == [None] * 30
    assert found[30] is not None and found[30][0] == "r4" and found[30][1] > 0.9


def test_a_batch_finds_what_one_by_one_finds_within_and_across_batches() -> None:
    rng = random.Random(13)
    texts = [essay(rng, 200) for _ in range(12)]
    for source, target in ((2, 5), (7, 9), (5, 11)):  # near copies inside and across batches
        words = texts[source].split()
        words[50] = "breytt"
        texts[target] = " ".join(words)
    _, minimums = text_keys(texts)
    keys = [f"r{i}" for i in range(len(texts))]
    alone = DuplicateIndex(near_threshold=0.8)
    expected = [alone.near(k, m) for k, m in zip(keys, minimums, strict=True)]
    batched = DuplicateIndex(near_threshold=0.8)
    found = batched.near_many(keys[:6], minimums[:6]) + batched.near_many(keys[6:], minimums[6:])
    assert found == expected
    assert [f[0] if f else None for f in found] == [
        None, None, None, None, None, "r2", None, None, None, "r7", None, "r2"]


def test_exact_digests_seen_earlier_in_the_batch_or_before_it() -> None:
    index = DuplicateIndex()
    a, b, c = (bytes([i]) * 16 for i in range(3))
    assert index.seen_exact_many([a, None, b, a]) == [False, False, False, True]
    assert index.seen_exact_many([c, b, None, c]) == [False, True, False, True]


def test_bloom_filter_keeps_every_hash_and_rejects_almost_all_others() -> None:
    rng = np.random.default_rng(1)
    added, others = (rng.integers(0, 2**63, 50_000, dtype=np.uint64) for _ in range(2))
    bloom = Bloom(22)
    bloom.add(added)
    assert bloom.maybe(added).all()
    assert bloom.maybe(others).mean() < 0.01


def test_seen_set_answers_the_same_across_buffer_flushes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seen, "FLUSH_ROWS", 7)
    values = [f"id-{random.Random(i).randint(0, 60)}" for i in range(300)]
    store = seen.SeenSet(seen.scratch(None), "ids", log2_bits=10)  # small: false positives
    answers = [a for i in range(0, 300, 25) for a in store.add_many(values[i:i + 25])]
    expected, known = [], set()
    for value in values:
        expected.append(value in known)
        known.add(value)
    assert answers == expected
    [(rows,)] = store.db.execute("SELECT count(*) FROM ids")
    assert rows == len(known)  # every value went through the buffer into SQLite


def test_sorted_runs_find_every_value_across_flushes_and_merges(
        monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(seen, "FLUSH_ROWS", 50)
    monkeypatch.setattr(seen, "MERGE_ROWS", 800)
    monkeypatch.setattr(seen, "FENCE_ROWS", 4)  # a key's rows span several blocks
    rng = np.random.default_rng(5)
    runs = seen.SortedRuns(tmp_path, log2_bits=10)  # small: false positives
    expected: dict[int, list[int]] = {}
    for value in range(0, 3_000, 30):
        keys = rng.integers(0, 200, 30).astype(np.uint64)  # keys repeat within and across
        values = np.arange(value, value + 30, dtype=np.int64)
        asked = rng.integers(0, 260, 40).astype(np.uint64)
        assert runs.find(asked) == {k: expected[k] for k in sorted(set(asked.tolist()))
                                    if k in expected}
        runs.add(keys, values)
        for k, v in zip(keys.tolist(), values.tolist(), strict=True):
            expected.setdefault(k, []).append(v)
    assert {r.level for r in runs.runs} == {0, 1} and len(runs.runs) < 3_000 // 50
    assert runs.find(np.arange(260, dtype=np.uint64)) == expected
    assert not list(tmp_path.iterdir())  # the runs' files are unlinked from the start
    runs.close()


def test_near_index_answers_the_same_across_buffer_flushes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(17)
    texts = [essay(rng, 120) for _ in range(40)]
    for source, target in ((3, 20), (20, 33), (8, 39)):
        words = texts[source].split()
        words[10] = "breytt"
        texts[target] = " ".join(words)
    _, minimums = text_keys(texts)
    keys = [f"r{i}" for i in range(len(texts))]
    whole = DuplicateIndex(near_threshold=0.8).near_many(keys, minimums)
    monkeypatch.setattr(seen, "FLUSH_ROWS", 40)  # flushes every few texts, merges runs
    monkeypatch.setattr(seen, "MERGE_ROWS", 400)
    index = DuplicateIndex(near_threshold=0.8)
    index._bands.bloom = Bloom(12)  # tiny, so lookups also go to the runs
    found = [f for i in range(0, 40, 3) for f in index.near_many(keys[i:i + 3],
                                                                 minimums[i:i + 3])]
    assert found == whole
    assert [f[0] if f else None for f in found if f] == ["r3", "r3", "r8"]


def test_a_band_shared_by_many_texts_indexes_a_bounded_number(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seen, "FLUSH_ROWS", 64)
    rng = np.random.default_rng(3)
    minimums = rng.integers(0, 2**32, (400, NUM_PERM), dtype=np.uint32)
    minimums[:, :8] = minimums[0, :8]  # one band alike, the rest different: not near
    index = DuplicateIndex(near_threshold=0.9)
    keys = [f"t{i}" for i in range(400)]
    found = [f for i in range(0, 400, 16)
             for f in index.near_many(keys[i:i + 16], list(minimums[i:i + 16]))]
    assert found == [None] * 400
    shared = index._band_hashes(minimums[:1])[0, :1]
    stored = len(index._bands.find(shared)[int(shared[0])])
    assert duplicates.MAX_BUCKET <= stored < duplicates.MAX_BUCKET + 16


@given(st.text(alphabet=st.sampled_from("ab \t\n\u00a0\u2028\u3000\x1c\x85.")
               | st.characters(), max_size=40))
@settings(max_examples=500, deadline=None)
def test_collapse_equals_split_and_join(text: str) -> None:
    assert duplicates.collapse(text) == " ".join(text.split())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(duplicates, "MAX_NEAR_CHARS", 0)  # the long text's way
        assert duplicates.collapse(text) == " ".join(text.split())


def test_long_texts_are_keyed_in_bounded_groups_on_their_first_characters(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(4)
    texts = [essay(rng, n) for n in (30, 400, 60, 900, 45)]
    whole = text_keys(texts)
    monkeypatch.setattr(duplicates, "GROUP_CHARS", 3_000)  # several groups, long ones alone
    assert len(list(duplicates._groups([len(t) for t in texts]))) >= 3
    grouped = text_keys(texts)
    assert grouped[0] == whole[0]
    assert all((a == b).all() for a, b in zip(grouped[1], whole[1], strict=True))
    monkeypatch.setattr(duplicates, "MAX_NEAR_CHARS", 2_000)
    cut = text_keys(texts)
    assert cut[0] == whole[0]  # the exact digest still covers every character
    prefix = text_keys([unicodedata.normalize("NFKC", texts[3]).casefold()[:2_000]])[1][0]
    assert (cut[1][3] == prefix).all() and not (cut[1][3] == whole[1][3]).all()
    assert (cut[1][0] == whole[1][0]).all()  # a short text is keyed in full


HARD = ("ab \t\n\u00a0\u3000.A\u0301e\u0308\u0327\u1100\u1161\u11a8\uac00\u304b\u3099"
        "\u30ab\u309a\ufb01\uff21\u2126\u00df\u0130\u4e00\u0e33\u1e9b\u0323")
"""Whitespace, combining marks, Hangul jamo, kana with voicing marks, compatibility forms
(ligatures, full width, Kelvin-like signs), characters that case-fold to two."""


@given(st.text(alphabet=st.sampled_from(HARD) | st.characters(exclude_categories=("Cs",)),
               max_size=60),  # no lone surrogates: the readers refuse them
       st.integers(1, 5), st.integers(0, 30))
@settings(max_examples=800, deadline=None)
def test_a_long_text_is_keyed_in_pieces_as_it_is_whole(text: str, piece: int,
                                                       head: int) -> None:
    norm = unicodedata.normalize("NFKC", text).casefold()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(duplicates, "PIECE_CHARS", piece)
        patch.setattr(duplicates, "MAX_NEAR_CHARS", head)
        assert duplicates._long_text_keys(text) == (
            duplicates._digest(" ".join(norm.split())), norm[:head])


def test_a_long_text_gets_the_keys_it_would_get_whole(monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    rng = random.Random(5)
    texts = [essay(rng, 900), "  " + essay(rng, 700) + "\u00a0\n", essay(rng, 40)]
    whole = text_keys(texts)
    monkeypatch.setattr(duplicates, "LONG_TEXT_CHARS", 1_000)
    monkeypatch.setattr(duplicates, "PIECE_CHARS", 300)
    pieces = text_keys(texts)
    assert pieces[0] == whole[0]
    assert all((a == b).all() for a, b in zip(pieces[1], whole[1], strict=True))
