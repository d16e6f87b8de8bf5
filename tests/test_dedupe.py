"""The near-duplicate rule on synthetic pairs modelled on real republished documents."""
from __future__ import annotations

import random

import pytest

from scrapy_govclean.dedupe import (
    DEFAULT_DISTANCE,
    RECORD,
    SHORT_CHARS,
    DedupeParams,
    DocumentEntry,
    block_spans,
    decide,
    make_entry,
    posting_keys,
)
from scrapy_govclean.fingerprint import hamming, normalize_for_fingerprint
from scrapy_govclean.index import open_index

P = DedupeParams()

NOTICE = [
    "关于进一步加强城市排水防涝工作的通知",
    "各区人民政府，市政府各委、办、局：",
    "为切实做好我市2024年汛期城市排水防涝工作，保障人民群众生命财产安全，经市政府同意，"
    "现就有关事项通知如下。",
    "一、提高思想认识。各区、各部门要充分认识做好城市排水防涝工作的重要性和紧迫性，坚持人民至上、"
    "生命至上，把排水防涝工作摆在突出位置，层层压实责任，确保责任落实到岗到人。",
    "二、全面排查隐患。各区要在5月31日前完成辖区内易涝点、下穿通道、地下空间的隐患排查，建立问题清单，"
    "明确整改措施和完成时限，对排查出的126处隐患逐一销号，整改情况每周报送市水务局。",
    "三、加强应急准备。市水务局要会同市应急管理局完善城市内涝应急预案，储备抽排设备不少于350台套，"
    "组织应急队伍开展实战演练，确保关键时刻拉得出、用得上、打得赢。",
    "四、强化信息发布。气象、水务部门要加强会商研判，及时发布预警信息，通过电视、广播、短信、"
    "政务新媒体等渠道提醒市民注意出行安全，必要时采取停课、停工、停业等措施。",
    "五、严格督查考核。市政府督查室将对各区落实情况开展专项督查，对工作不力、造成严重后果的，"
    "依法依规追究有关单位和人员责任。各区落实情况请于6月10日前书面报送市政府办公厅。",
    "某某市人民政府办公厅 2024年4月18日",
]

LETTER_HEAD = (
    "某某市自然资源和规划局关于市政协十三届二次会议提案的答复\n"
    "尊敬的委员：\n"
    "您提出的提案收悉。首先感谢您对我市自然资源和规划工作的关心和支持。我局高度重视，"
    "组织相关处室认真研究，并征求了市住房和城乡建设局、市交通运输局等部门的意见，现答复如下：\n"
)
LETTER_TAIL = (
    "下一步，我局将继续认真贯彻落实市委、市政府决策部署，坚持以人民为中心的发展思想，"
    "进一步加强与相关部门的沟通协调，积极吸纳您提出的宝贵意见建议，不断完善相关政策措施，"
    "切实推动各项工作落地见效，为建设人与自然和谐共生的现代化城市作出新的更大贡献。\n"
    "再次感谢您对我们工作的关心和支持，欢迎继续提出宝贵意见。\n"
    "联系单位：市自然资源和规划局办公室。\n"
    "某某市自然资源和规划局 2024年6月20日"
)
LETTER_BODY_A = (
    "关于加快老旧小区加装电梯规划审批的建议。近年来，我局会同有关部门简化审批流程，对既有住宅加装电梯"
    "实行联合审查，不再要求提供规划设计条件，审查时限压缩至五个工作日。对于涉及占用公共绿地的项目，"
    "允许在满足消防和日照要求的前提下适当突破，并由街道牵头做好邻里协商。下一阶段将推行全程网办。"
)
LETTER_BODY_B = (
    "关于保护历史文化街区风貌的建议。我局已完成历史文化名城保护规划修编，划定历史文化街区紧线范围，"
    "对街区内新建、改建建筑的高度、体量、色彩提出管控要求，建立历史建筑保护名录并实施挂牌保护。"
    "同时会同文物部门开展不可移动文物普查，推动活化利用，鼓励社会资本参与修缮并给予容积率奖励。"
)

BULLETIN = (
    "某某市财政局关于下达{year}年度第{batch}批农业产业发展专项资金的通知\n"
    "各县（市、区）财政局、农业农村局：\n"
    "根据《某某市农业产业发展专项资金管理办法》有关规定，经研究，现下达{year}年度第{batch}批农业产业"
    "发展专项资金{amount}万元，用于支持{count}个农业产业化项目建设。请各地按照资金管理规定，及时将资金"
    "拨付到项目单位，加强资金监管，确保专款专用，严禁截留、挤占和挪用。项目完成后，各地要组织验收，"
    "并于{month}月底前将资金使用情况和绩效自评报告报送市财政局、市农业农村局。对资金使用效益差、"
    "项目推进缓慢的地区，将相应核减下一年度资金分配额度。\n"
    "某某市财政局 {year}年{month}月{day}日"
)

AD = "欢迎关注本站微信公众号，获取更多政策解读和办事指南，转载请注明出处。"


def entry(text: str, url: str = "http://example.cn/a", official: bool = False, **prov: str) -> DocumentEntry:
    return make_entry(text, url, prov, official=official, now=1_700_000_000.0)


def notice(paras: list[str] = NOTICE) -> str:
    return "\n".join(paras)


def judge(a: str, b: str, pa: dict | None = None, pb: dict | None = None):
    """Decide through a real memory index: insert a, then check b."""
    idx = open_index("memory://")
    first = idx.check_and_insert(make_entry(a, "http://first.example.cn/1", pa or {}, official=False))
    assert not first.duplicate
    return idx.check_and_insert(make_entry(b, "http://copy.example.cn/2", pb or {}, official=False))


# ---------------------------------------------------------------------- duplicates


def test_copy_missing_its_last_paragraph_is_a_duplicate() -> None:
    v = judge(notice(), notice(NOTICE[:-2]))
    assert v.duplicate, v
    assert v.duplicate_of == "http://first.example.cn/1"
    # ...even though its simhash moved far beyond the pigeonhole radius.
    d = hamming(entry(notice()).fingerprint, entry(notice(NOTICE[:-2])).fingerprint)
    assert v.distance == d


def test_punctuation_swapped_copy_is_a_duplicate() -> None:
    swapped = notice().translate(str.maketrans("，。：；、（）", ",.:;,()")).replace("\n", "\r\n ")
    v = judge(notice(), swapped)
    assert v.duplicate and v.distance == 0 and v.reason == "identical text"


def test_copy_with_an_inserted_ad_sentence_is_a_duplicate() -> None:
    v = judge(notice(), notice(NOTICE[:4] + [AD] + NOTICE[4:]))
    assert v.duplicate, v


def test_copy_with_small_edits_is_a_duplicate() -> None:
    edited = notice().replace("切实做好", "认真做好").replace("必要时", "如有必要")
    assert judge(notice(), edited).duplicate


def test_same_document_number_tolerates_a_heavy_cut() -> None:
    half = notice(NOTICE[:5])
    prov = {"doc_number": "某政办发〔2024〕12号", "publisher": "某某市人民政府办公厅"}
    plain = judge(notice(), half)
    assert not plain.duplicate  # without provenance: sizes differ too much
    same = judge(notice(), half, prov, dict(prov, doc_number="某政办发[2024]12号"))
    assert same.duplicate and "same document number" in same.reason


# ---------------------------------------------------------------------- different documents


def test_two_reply_letters_of_one_bureau_are_different() -> None:
    a = LETTER_HEAD + LETTER_BODY_A + "\n" + LETTER_TAIL
    b = LETTER_HEAD + LETTER_BODY_B + "\n" + LETTER_TAIL
    v = judge(a, b)
    assert not v.duplicate, v
    assert "containment" in v.reason
    ev = decide(entry(b), entry(a), P)
    assert 0.3 < ev.score < P.min_containment


def test_templated_notices_differing_only_in_figures_are_different() -> None:
    a = BULLETIN.format(year=2024, batch=3, amount=2650, count=18, month=11, day=5)
    b = BULLETIN.format(year=2024, batch=4, amount=3120, count=21, month=12, day=5)
    ea, eb = entry(a), entry(b)
    assert hamming(ea.fingerprint, eb.fingerprint) <= 12
    v = judge(a, b)
    assert not v.duplicate and "figures differ" in v.reason, v
    # A date rewritten with leading zeros is the same figure.
    assert judge(a, a.replace("11月", "011月")).duplicate


def test_different_document_numbers_are_different_documents() -> None:
    v = judge(notice(), notice(), {"doc_number": "某政办发〔2024〕12号"}, {"doc_number": "某政办发〔2024〕13号"})
    assert not v.duplicate and v.reason.endswith("document numbers differ)")
    # One side without a number: the text decides.
    assert judge(notice(), notice(), {"doc_number": "某政办发〔2024〕12号"}, {}).duplicate


def test_different_dates_are_different_documents() -> None:
    v = judge(notice(), notice(), {"date": "2024-04-18"}, {"date": "2024年4月19日"})
    assert not v.duplicate and "dates differ" in v.reason
    assert judge(notice(), notice(), {"date": "2024-04-18"}, {"date": "2024年4月18日"}).duplicate


def test_unrelated_documents_are_different() -> None:
    a = LETTER_HEAD + LETTER_BODY_A + LETTER_TAIL
    v = judge(notice(), a)
    assert not v.duplicate and v.duplicate_of is None


def test_short_texts_use_the_exact_hash_only() -> None:
    short = "关于调整办公时间的通知：自5月1日起，夏季作息时间调整为上午8:30至12:00。"
    assert len(normalize_for_fingerprint(short)) < SHORT_CHARS
    assert judge(short, short.replace("：", ":")).duplicate
    assert not judge(short, short.replace("8:30", "9:00")).duplicate
    assert not judge(short, short + "特此通知。").duplicate
    e = entry(short)
    assert e.short and e.sketch == b"" and len(posting_keys(e, 3)) == 1


# ---------------------------------------------------------------------- verdict bookkeeping


def test_verdicts_name_the_first_copy_and_the_official_canonical() -> None:
    idx = open_index("memory://")
    v1 = idx.check_and_insert(entry(notice(), "http://copy1.example.com/a"))
    assert v1 == v1.__class__(False, None, "http://copy1.example.com/a", reason="new")
    v2 = idx.check_and_insert(entry(notice(NOTICE[:-1]), "http://copy2.example.com/b"))
    assert (v2.duplicate, v2.duplicate_of, v2.canonical_url) == (
        True, "http://copy1.example.com/a", "http://copy1.example.com/a")
    v3 = idx.check_and_insert(entry(notice(), "http://www.example.gov.cn/c", official=True))
    assert (v3.duplicate_of, v3.canonical_url) == ("http://copy1.example.com/a", "http://www.example.gov.cn/c")
    v4 = idx.check_and_insert(entry(notice(), "http://other.gov.cn/d", official=True))
    assert (v4.duplicate_of, v4.canonical_url) == ("http://copy1.example.com/a", "http://www.example.gov.cn/c")
    v5 = idx.check_and_insert(entry(notice(NOTICE[:-1]), "http://copy3.example.com/e"))
    assert v5.canonical_url == "http://www.example.gov.cn/c"
    assert len(idx) == 1


# ---------------------------------------------------------------------- building blocks


def test_entry_fields_and_record_round_trip() -> None:
    e = entry(notice(), "http://x.cn/1", official=True, publisher="某某市人民政府办公厅",
              doc_number="某政办发〔2024〕12号", date="2024-04-18")
    assert e.fingerprint == entry(notice()).fingerprint
    assert len(e.exact) == 16 and len(e.sketch) == 32 and e.official
    assert e.first_seen == 1_700_000_000.0 and e.length == len(normalize_for_fingerprint(notice()))
    assert e.figures == tuple(sorted(e.figures)) and 0 < len(e.figures) <= e.n_figures
    assert e.doc_number_key and e.date_key and e.publisher_key
    rec = e.pack(5, 7)
    assert len(rec) == RECORD.size == 96
    back = DocumentEntry.unpack(rec, "http://x.cn/1")
    for name in ("fingerprint", "exact", "sketch", "figures", "shingles", "n_figures",
                 "official", "publisher_key", "doc_number_key", "date_key", "url"):
        assert getattr(back, name) == getattr(e, name), name
    assert decide(e, back, P).duplicate


def test_make_entry_is_deterministic_and_fast_enough_to_call_per_item() -> None:
    a, b = entry(notice()), entry(notice())
    assert a == b


@pytest.mark.parametrize("distance", [0, 1, 2, 3, 4, 7, 12])
def test_pigeonhole_blocks_find_everything_within_the_radius(distance: int) -> None:
    spans = block_spans(distance)
    assert len(spans) == distance + 1 and sum(w for _, w in spans) == 64
    rng = random.Random(distance)
    base = entry(notice())
    for _ in range(200):
        fp = base.fingerprint
        for bit in rng.sample(range(64), rng.randint(0, distance)):
            fp ^= 1 << bit
        other = DocumentEntry(**{**base.__dict__, "fingerprint": fp, "band_keys": ()})
        blocks = lambda e: {k for k in posting_keys(e, distance) if k >> 32 < 64}
        assert blocks(base) & blocks(other)
    for k in posting_keys(base, distance):
        assert 0 <= k < 1 << 39


def test_params_are_validated() -> None:
    with pytest.raises(ValueError):
        DedupeParams(distance=40)
    with pytest.raises(ValueError):
        DedupeParams(min_containment=1.5)
    assert DedupeParams().distance == DEFAULT_DISTANCE
    assert DedupeParams(min_containment=0.9).percents()[0] == 90
