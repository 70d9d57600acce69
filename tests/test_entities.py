"""Entities: registry aliases across languages, typos, surnames; different people stay apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.entities import (
    DEFAULT_REGISTRY,
    EntityIndex,
    RegistryError,
    Sighting,
    Sightings,
    load_registry,
    looks_named,
    looks_named_in_chinese,
    resolve_entities,
)
from pipeline.events import EntityKind, Participant, Role

PERSON, ORG, PRODUCT = EntityKind.PERSON, EntityKind.ORGANIZATION, EntityKind.PRODUCT


def resolve(*sightings: tuple[str, str, str | None, EntityKind]) -> EntityIndex:
    return resolve_entities(Sightings.of((doc, Sighting(*written)) for doc, *written in sightings), load_registry())


def entity_of(index: EntityIndex, written: tuple[str, str, str | None]) -> str:
    """The entity of the name (document, name, canonical name) writes, whatever its kind."""
    [entity] = {entity for sighting, entity in index.by_sighting.items() if sighting[:2] == written[1:]}
    return entity


def same(index: EntityIndex, a: tuple[str, str, str | None], b: tuple[str, str, str | None]) -> bool:
    return entity_of(index, a) == entity_of(index, b)


def test_registry_aliases_join_translations() -> None:
    index = resolve(("zh", "彭博社", None, ORG), ("en", "Bloomberg", None, ORG), ("fr", "Bloomberg News", None, ORG))
    assert len(index.entities) == 1
    [entity] = index.entities.values()
    assert entity.name == "Bloomberg" and entity.registered


@pytest.mark.parametrize(
    ("names", "kind", "canonical"),
    [
        (("恒大", "Evergrande", "China Evergrande Group"), ORG, "China Evergrande Group"),
        (("李彦宏", "Robin Li"), PERSON, "Robin Li"),
        (("欧盟委员会", "European Commission", "la Commission européenne"), ORG, "European Commission"),
        (("美国司法部", "DOJ", "Justice Department"), ORG, "US Department of Justice"),
    ],
)
def test_well_known_names_no_spelling_can_join_are_registered(
    names: tuple[str, ...], kind: EntityKind, canonical: str
) -> None:
    """Translations (恒大, Evergrande), a Chinese name and an English one (李彦宏, Robin Li)."""
    index = resolve(*((f"doc{n}", name, None, kind) for n, name in enumerate(names)))
    assert [e.name for e in index.entities.values()] == [canonical]


def test_the_newspaper_and_its_company_under_every_name_are_one_entity() -> None:
    index = resolve(
        ("zh", "纽约时报", None, ORG), ("en", "NYT", None, ORG), ("en", "The New York Times Company", None, ORG),
        ("fr", "le New York Times", None, ORG),
    )  # fmt: skip
    assert [e.name for e in index.entities.values()] == ["The New York Times"]


def test_a_typo_in_a_full_name_is_the_same_person() -> None:
    index = resolve(("zh", "Chtistian Laforte", None, PERSON), ("en", "Christian Laforte", None, PERSON))
    assert len(index.entities) == 1


def test_a_misspelled_surname_joins_the_one_full_name_it_ends_in() -> None:
    index = resolve(
        ("zh", "Mostaqu", None, PERSON),
        ("en", "Emad Mostaque", "Emad Mostaque", PERSON),
        ("fr", "Mostaque", None, PERSON),
    )
    assert len(index.entities) == 1


def test_people_sharing_a_surname_or_a_first_name_stay_apart() -> None:
    index = resolve(
        ("en", "Robin Rombach", None, PERSON),
        ("en", "Robin Li", None, PERSON),
        ("fr", "Anna Rombach", None, PERSON),
        ("de", "Rombach", None, PERSON),  # two Rombachs elsewhere, none in its document: joins neither
    )
    assert len(index.entities) == 4


def test_organizations_sharing_a_word_stay_apart() -> None:
    index = resolve(
        ("en", "Stability AI", None, ORG), ("en", "Inflection AI", None, ORG), ("en", "Google Cloud", None, ORG)
    )
    assert len(index.entities) == 3


def test_a_description_becomes_an_alias_only_when_it_never_names_two_entities() -> None:
    index = resolve(
        ("fr1", "la startup", "Stability AI", ORG),
        ("fr1", "la startup", None, ORG),
        ("fr2", "l'entreprise", "Stability AI", ORG),
        ("fr3", "l'entreprise", "Mistral AI", ORG),
        ("fr3", "l'entreprise", None, ORG),
    )
    assert same(index, ("fr1", "la startup", None), ("fr1", "la startup", "Stability AI"))
    assert not same(index, ("fr3", "l'entreprise", None), ("fr2", "l'entreprise", "Stability AI"))


def test_the_index_answers_for_participants() -> None:
    index = resolve(("en", "Mostaque", "Emad Mostaque", PERSON))
    participant = Participant(name="Mostaque", canonical_name="Emad Mostaque", kind=PERSON, role=Role.SUBJECT)
    assert index.entities[index.entity_id(participant)].name == "Emad Mostaque"


def test_a_user_registry_adds_and_replaces_entries(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(
        'version = "1"\n[[entity]]\nid = "acme"\nname = "Acme"\nkind = "organization"\naliases = ["阿克米"]\n',
        encoding="utf-8",
    )
    index = resolve_entities(
        Sightings.of([("zh", Sighting("阿克米", None, ORG)), ("en", Sighting("Acme", None, ORG))]),
        load_registry([DEFAULT_REGISTRY, mine]),
    )
    assert len(index.entities) == 1


def test_a_broken_registry_is_one_line_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('version = "1"\n[[entity]]\nid = "x"\n', encoding="utf-8")
    with pytest.raises(RegistryError, match=str(broken)):
        load_registry([broken])


def test_a_surname_joins_the_full_name_of_its_own_document_first() -> None:
    index = resolve(
        ("en", "Robin Rombach", None, PERSON), ("fr", "Anna Rombach", None, PERSON), ("fr", "Rombach", None, PERSON)
    )
    assert same(index, ("fr", "Rombach", None), ("fr", "Anna Rombach", None))


def test_names_of_punctuation_only_are_not_one_entity() -> None:
    index = resolve(("zh", "《》", None, ORG), ("fr", "«»", None, ORG), ("en", "...", None, PERSON))
    assert len(index.entities) == 3


def test_a_registered_name_is_not_taken_for_a_surname() -> None:
    index = resolve(
        ("en", "Michael Bloomberg", None, PERSON), ("en", "Bloomberg", None, PERSON), ("zh", "彭博社", None, ORG)
    )
    assert not same(index, ("en", "Bloomberg", None), ("en", "Michael Bloomberg", None))
    assert same(index, ("en", "Bloomberg", None), ("zh", "彭博社", None))


@pytest.mark.parametrize(
    ("a", "b"),
    [("Llama2 70B", "Llama3 70B"), ("Intel Gaudi2", "Intel Gaudi3")],  # a digit is a version, not a typo
)
def test_names_differing_in_a_digit_stay_apart(a: str, b: str) -> None:
    index = resolve(("en", a, None, EntityKind.PRODUCT), ("fr", b, None, EntityKind.PRODUCT))
    assert len(index.entities) == 2


@pytest.mark.parametrize(
    "written",
    [
        [("en1", "Morris Chang", None, PERSON), ("en2", "Chung", None, PERSON)],  # five letters each: two names
        [("en1", "Jensen Huang", None, PERSON), ("fr1", "Hoang", None, PERSON)],
        [("en1", "Sarah Friar", None, PERSON), ("en2", "Sarah Frier", None, PERSON)],
        [("en1", "Zhang Yiming", None, PERSON), ("en2", "Zhang Yimin", None, PERSON)],  # pinyin: two names
        [("en1", "Yang Zhilin", None, PERSON), ("en2", "Yang Zhiling", None, PERSON)],
        [("en1", "Li Xiaoming", None, PERSON), ("en2", "Li Xiaoping", None, PERSON)],
        [("en1", "Qwen2.5-7B", None, PRODUCT), ("en2", "Qwen2-57B", None, PRODUCT)],  # the spaces between numbers
        [("en1", "Les Moonves", None, PERSON), ("en2", "Julie Chen Moonves", None, PERSON)],  # "Les" is no article
        [("en1", "Li Sa", None, PERSON), ("en2", "Robin Li", None, PERSON)],  # "Sa" is no legal suffix
    ],
)
def test_names_one_letter_or_a_small_word_apart_are_two_entities(
    written: list[tuple[str, str, None, EntityKind]],
) -> None:
    assert len(resolve(*written).entities) == 2


def test_mr_and_ms_zhang_are_two_people_and_a_full_name_loses_its_title() -> None:
    """张先生 and 张女士 were one entity: both titles were dropped, leaving the surname."""
    assert len(resolve(("zh1", "张先生", None, PERSON), ("zh2", "张女士", None, PERSON)).entities) == 2
    assert len(resolve(("zh1", "欧阳先生", None, PERSON), ("zh2", "欧阳女士", None, PERSON)).entities) == 2
    assert not looks_named_in_chinese("欧阳女士", person=True)  # a surname with a title, as 张女士 is
    assert not looks_named_in_chinese("欧阳", person=True)  # a surname alone, as 张 is
    assert len(resolve(("zh1", "欧阳 先生", None, PERSON), ("zh2", "欧阳 女士", None, PERSON)).entities) == 2
    assert len(resolve(("zh1", "Smith先生", None, PERSON), ("zh2", "Smith女士", None, PERSON)).entities) == 1
    index = resolve(("zh1", "莫斯塔克先生", None, PERSON), ("zh2", "莫斯塔克", None, PERSON))
    assert len(index.entities) == 1


def test_a_letter_missing_from_a_six_letter_word_is_still_a_typo() -> None:
    assert len(resolve(("en1", "Sam Altman", None, PERSON), ("en2", "Sam Altmn", None, PERSON)).entities) == 1


@pytest.mark.parametrize("titled", ["Dr Lisa Su", "Prof Lisa Su"])
def test_a_title_without_its_period_is_not_part_of_a_person_s_name(titled: str) -> None:
    assert len(resolve(("en1", titled, None, PERSON), ("en2", "Lisa Su", None, PERSON)).entities) == 1


def test_typing_errors_do_not_chain_names_two_errors_apart() -> None:
    written = [("en", "Anna Larsen", None), ("fr", "Anna Larson", None), ("zh", "Anna Carson", None)]
    index = resolve(*((*w, PERSON) for w in written))
    assert not same(index, written[0], written[2])
    assert len(index.entities) == 2


@pytest.mark.parametrize(
    ("a", "b"),
    [("Søren Hansen", "Soren Hansen"), ("Emad\u200bMostaque", "Emad Mostaque"), ("Łukasz Kaiser", "Lukasz Kaiser")],
)
def test_letters_without_combining_marks_and_invisible_spaces_fold(a: str, b: str) -> None:
    index = resolve(("en", a, None, PERSON), ("fr", b, None, PERSON))
    assert len(index.entities) == 1


def test_a_capital_l_is_not_the_french_article() -> None:
    index = resolve(("en", "L Brands", None, ORG), ("fr", "Brands", None, ORG), ("fr", "l'Entreprise", None, ORG))
    assert not same(index, ("en", "L Brands", None), ("fr", "Brands", None))


def test_a_very_long_word_is_matched_exactly() -> None:
    word = "a" * 50_000
    index = resolve(("en", f"Emad {word}", None, PERSON), ("fr", f"Emad {word}b", None, PERSON))
    assert len(index.entities) == 2


def test_a_surname_with_a_typo_in_its_first_letters_still_joins_its_full_name() -> None:
    index = resolve(("en", "Emad Mostaque", None, PERSON), ("fr", "Mpstaque", None, PERSON))
    assert len(index.entities) == 1


def test_typing_errors_around_the_usual_spelling_all_join_it() -> None:
    """'Nadela' and 'Naddella' are two letters apart, each one from 'Nadella', which most documents write."""
    usual = [(doc, "Satya Nadella", None, PERSON) for doc in ("a", "b", "c")]
    index = resolve(*usual, ("d", "Satya Nadela", None, PERSON), ("e", "Satya Naddella", None, PERSON))
    assert len(index.entities) == 1


@pytest.mark.parametrize(
    ("a", "b"), [("Louis Martin", "Louise Martin"), ("Simon Weber", "Simone Weber"), ("Mario Rossi", "Maria Rossi")]
)
def test_first_names_differing_in_a_final_vowel_are_two_people(a: str, b: str) -> None:
    assert len(resolve(("en", a, None, PERSON), ("fr", b, None, PERSON)).entities) == 2  # one "typo" apart


def test_a_lone_name_beside_a_name_starting_with_it_is_not_taken_for_a_surname() -> None:
    index = resolve(("a", "Ma Huateng", None, PERSON), ("a", "Ma", None, PERSON), ("b", "Jack Ma", None, PERSON))
    assert not same(index, ("a", "Ma", None), ("b", "Jack Ma", None))  # family name first: maybe Ma Huateng


@pytest.mark.parametrize("titled", ["Mr. Mostaque", "M. Mostaque", "Mostaque先生"])
def test_a_title_before_or_after_a_name_is_not_part_of_it(titled: str) -> None:
    index = resolve(("en", titled, None, PERSON), ("fr", "Emad Mostaque", None, PERSON))
    assert same(index, ("en", titled, None), ("fr", "Emad Mostaque", None))  # was its own person


@pytest.mark.parametrize("brand", ["Dr Pepper", "Dr. Martens", "Mr. Cooper"])
def test_a_company_named_with_a_title_keeps_it(brand: str) -> None:
    assert len(resolve(("en", brand, None, ORG), ("en", brand.split()[-1], None, PERSON)).entities) == 2


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("Llama 2", True), ("GPT-4o", True), ("iPhone 15", True), ("eBay", True), ("xAI", True),
        ("Getty Images", True), ("artists", False), ("des auteurs", False), ("the board", False),
        ("l'entreprise", False), ("Stability's board", False), ("The CEO of Hugging Face", False), ("彭博社", False),
        ("iPhone users", False), ("mRNA vaccines", False), ("eh", False), ("macOS", True), ("watchOS 11", True),
        ("l'Entreprise", False), ("d'OpenAI", False),
        # small words joining capitalized ones: a name, unless a title or an article comes first
        ("Bank of America", True), ("Banque de France", True), ("Procter & Gamble", True),
        ("Friends of the Earth", True), ("CEO of Hugging Face", False), ("Minister of Industry", False),
        ("PDG de Mistral AI", False),
        ("The Bank of Japan", False), ("Mistral AI and Microsoft", False), ("Bank of", False),
        ("Ursula von der Leyen", True), ("Hugging Face's CEO", False), ("Moody's Investors Service", True),
    ],
)  # fmt: skip
def test_a_name_is_told_from_a_description(name: str, named: bool) -> None:
    assert looks_named(name) is named


@pytest.mark.parametrize(
    ("name", "person", "named"),
    [
        ("张勇", True, True), ("蔡崇信", True, True), ("埃马德·莫斯塔克", True, True), ("阿里巴巴", False, True),
        ("腾讯公司", False, True), ("三星", False, True), ("百度", False, True), ("彭博社", False, True),
        ("该公司", False, False), ("三名作者", True, False), ("多家公司", False, False),
        ("来自德国的学者", False, False), ("谷歌员工", True, False), ("投资者们", True, False),
        ("前首席执行官", True, False), ("公司", False, False), ("高管", True, False), ("张先生", True, False),
        ("Laten Diffusion 团队", False, False), ("Getty Images", False, False), ("田某某", True, False),
        ("董事长兼首席执行官", True, False), ("美国芯片巨头", False, False), ("原告方", False, False),
        ("公司高层", True, False), ("董事会成员", True, False),
        ("本田", False, True), ("那英", True, True), ("诸葛亮", True, True),  # a determiner's character first
        ("这家初创公司", False, False), ("另一家公司", False, False), ("各国政府", False, False), ("此人", True, False),
        ("其他投资者", True, False), ("各方", False, False), ("李姓男子", True, False),  # 姓: a man surnamed Li
        ("张总", True, False), ("小张", True, False), ("老王", True, False), ("小米", False, True),  # which Zhang?
        ("该行", False, False), ("本行", False, False), ("该国", False, False), ("此案", False, False),
        ("该男子", True, False), ("该模型", False, False), ("百姓网", False, True), ("老百姓大药房", False, True),
    ],
)  # fmt: skip
def test_a_name_in_chinese_characters_is_told_from_a_description(name: str, person: bool, named: bool) -> None:
    """Chinese has no capitals: a name in its characters is a name unless the words of
    pipeline/data/zh_descriptions.toml make it a description (张先生: which Zhang?)."""
    assert looks_named_in_chinese(name, person) is named


@pytest.mark.parametrize(
    ("chinese", "latin", "kind"),
    [
        ("雷军", "Lei Jun", PERSON), ("雷军", "Jun Lei", PERSON), ("曾毓群", "Zeng Yuqun", PERSON),  # 曾: zeng
        ("吕布", "Lü Bu", PERSON), ("小米", "Xiaomi", ORG), ("智谱", "Zhipu", ORG),
    ],
)  # fmt: skip
def test_a_name_in_chinese_characters_joins_the_latin_name_spelling_its_pinyin(
    chinese: str, latin: str, kind: EntityKind
) -> None:
    index = resolve(("zh", chinese, None, kind), ("en", latin, None, kind), ("fr", "Emad Mostaque", None, PERSON))
    assert same(index, ("zh", chinese, None), ("en", latin, None))
    assert len(index.entities) == 2


def test_every_name_in_chinese_characters_of_a_corpus_joins_its_pinyin_spelling() -> None:
    """Not only the first: 雷军, 李想 and 王兴 each join their Latin spelling (only 雷军 did)."""
    pairs = [("雷军", "Lei Jun"), ("李想", "Li Xiang"), ("王兴", "Wang Xing"), ("何小鹏", "He Xiaopeng")]
    index = resolve(*((f"zh{n}", zh, None, PERSON) for n, (zh, _) in enumerate(pairs)),
                    *((f"en{n}", en, None, PERSON) for n, (_, en) in enumerate(pairs)))  # fmt: skip
    assert all(same(index, (f"zh{n}", zh, None), (f"en{n}", en, None)) for n, (zh, en) in enumerate(pairs))
    assert len(index.entities) == len(pairs)


@pytest.mark.parametrize(
    "written",
    [
        [("zh", "王伟", None, PERSON), ("zh", "王薇", None, PERSON), ("en", "Wang Wei", None, PERSON)],  # which one?
        [("zh", "蔚来", None, ORG), ("en", "Weilai", None, PERSON)],  # another kind
        [("zh", "蔡崇信", None, PERSON), ("en", "Cai Chong", None, PERSON)],  # not the whole name
        [("zh", "腾讯", None, ORG), ("en", "Tengxu", None, ORG)],  # not its spelling
    ],
)
def test_a_name_in_chinese_characters_joins_no_latin_name_but_its_one_spelling(
    written: list[tuple[str, str, str | None, EntityKind]],
) -> None:
    assert len(resolve(*written).entities) == len(written)


@pytest.mark.parametrize(
    ("spaced", "other"), [("X.AI", "xAI"), ("Hugging Face", "HuggingFace"), ("Deep Mind", "DeepMind")]
)
def test_names_of_the_same_letters_spaced_otherwise_are_one_entity(spaced: str, other: str) -> None:
    index = resolve(("en", spaced, None, ORG), ("fr", other, None, ORG))
    assert same(index, ("en", spaced, None), ("fr", other, None))


def test_a_name_in_chinese_characters_placed_by_a_canonical_name_still_competes_for_its_spelling() -> None:
    """王伟 is "Wang Wei" by its canonical name: 王薇, spelled the same, may be another person."""
    index = resolve(("zh", "王伟", "Wang Wei", PERSON), ("zh", "王薇", None, PERSON), ("en", "Wang Wei", None, PERSON))
    assert not same(index, ("zh", "王薇", None), ("en", "Wang Wei", None))


def test_the_registry_names_no_one_by_a_surname_or_short_name_others_share() -> None:
    """阿莫代伊 alone may be Daniela Amodei as well as Dario, 库克 any Cook, 阿里 a man named Ali."""
    index = resolve(
        ("zh", "丹妮拉·阿莫代伊", None, PERSON), ("zh", "阿莫代伊", None, PERSON), ("en", "Dario Amodei", None, PERSON),
        ("zh_b", "库克", None, PERSON), ("en", "Tim Cook", None, PERSON), ("zh_c", "阿里", None, PERSON),
    )  # fmt: skip
    assert not same(index, ("zh", "阿莫代伊", None), ("en", "Dario Amodei", None))
    assert not same(index, ("zh_b", "库克", None), ("en", "Tim Cook", None))
    assert index.entities[entity_of(index, ("zh_c", "阿里", None))].kind == PERSON


@pytest.mark.parametrize(
    ("names", "canonical"),
    [
        (("EU", "Commission européenne", "欧盟"), "European Commission"),  # the EU as a party: its executive
        (("China", "Pékin", "中国政府"), "China"),  # a country, its capital, its government
        (("Honda", "本田"), "Honda"),
    ],
)
def test_a_country_or_union_as_a_party_is_one_entity_however_named(names: tuple[str, ...], canonical: str) -> None:
    index = resolve(*((f"doc{n}", name, None, ORG) for n, name in enumerate(names)))
    assert [e.name for e in index.entities.values()] == [canonical]
