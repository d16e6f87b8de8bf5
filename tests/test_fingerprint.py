"""Fingerprints: normalisation, determinism, and simhash distances that mean something."""
from __future__ import annotations

import random
import subprocess
import sys
import unicodedata

import pytest
import simhash

from scrapy_govclean import fingerprint as fp
from scrapy_govclean.fingerprint import (
    exact_hash,
    hamming,
    normalize_for_fingerprint,
    simhash64,
    simhash_hex,
)

DOC = (
    "关于进一步加强城市排水防涝工作的通知\n"
    "各区人民政府，市政府各委、办、局：\n"
    "为切实做好我市2024年汛期城市排水防涝工作，保障人民群众生命财产安全，"
    "经市政府同意，现就有关事项通知如下。\n"
    "一、提高思想认识。各区、各部门要充分认识做好城市排水防涝工作的重要性和紧迫性，"
    "坚持人民至上、生命至上，把排水防涝工作摆在突出位置，层层压实责任。\n"
    "二、全面排查隐患。各区要在5月31日前完成辖区内易涝点、下穿通道、地下空间的隐患排查，"
    "建立问题清单，明确整改措施和完成时限，对排查出的126处隐患逐一销号。\n"
    "三、加强应急准备。市水务局要会同市应急管理局完善城市内涝应急预案，"
    "储备抽排设备不少于350台套，组织应急队伍开展实战演练，确保关键时刻拉得出、用得上。\n"
    "四、强化信息发布。气象、水务部门要加强会商研判，及时发布预警信息，"
    "通过电视、广播、短信、政务新媒体等渠道提醒市民注意出行安全。\n"
    "五、严格督查考核。市政府督查室将对各区落实情况开展专项督查，"
    "对工作不力、造成严重后果的，依法依规追究有关单位和人员责任。\n"
    "特此通知。\n"
    "某某市人民政府办公厅\n2024年4月18日"
)

OTHER = (
    "某某市教育局关于做好2024年普通高中招生工作的意见\n"
    "各县（市、区）教育局，市直各学校：\n"
    "根据省教育厅有关文件精神，结合我市实际，现就做好今年普通高中招生工作提出如下意见。"
    "招生计划由市教育局统一下达，各校不得擅自扩大招生规模，严禁违规提前招生和跨区域掐尖招生。"
    "考生填报志愿实行网上填报，分为提前批、第一批和第二批，录取工作按批次顺序进行。"
    "体育、艺术特长生招生须严格执行专业测试程序，测试结果在学校网站公示不少于五个工作日。"
    "各地要加强招生政策宣传解读，畅通咨询渠道，及时回应家长关切，确保招生工作平稳有序。"
    "对违反招生纪律的学校，将视情节轻重予以通报批评、核减招生计划等处理。"
)


def test_normalisation_rules() -> None:
    assert normalize_for_fingerprint("") == ""
    # Full-width letters/digits fold to ASCII, latin is lower-cased, digits are kept.
    assert normalize_for_fingerprint("ＡＢＣ １２３ abc") == "abc123abc"
    # Punctuation of every width, symbols and whitespace are dropped.
    assert normalize_for_fingerprint("通知，（一）“二”。\n\t 三、四；") == "通知一二三四"
    assert normalize_for_fingerprint("面积 5 ㎡") == "面积5m2"


def test_fast_normalisation_equals_the_definition() -> None:
    rng = random.Random(7)
    pools = [
        (0x20, 0x7F),
        (0x3000, 0x3100),
        (0x4E00, 0x9FFF),
        (0xFF00, 0xFFEF),
        (0x300, 0x370),  # combining marks: exercises the slow path
        (0x1100, 0x1200),  # conjoining jamo
        (0x3130, 0x3190),  # compatibility jamo
        (0x2460, 0x24FF),  # enclosed numerals (several characters each)
        (0x20000, 0x20100),  # outside the BMP
    ]
    for _ in range(2000):
        chars = []
        for _ in range(rng.randrange(1, 40)):
            lo, hi = rng.choice(pools)
            chars.append(chr(rng.randrange(lo, hi)))
        text = "".join(chars)
        expected = unicodedata.normalize("NFKC", text)
        expected = fp._DROP.sub("", expected).lower()
        assert normalize_for_fingerprint(text) == expected, repr(text)
    assert normalize_for_fingerprint(DOC) == fp._normalize_slow(DOC)


def test_empty_short_and_format() -> None:
    assert simhash64("") == 0
    assert simhash64("，。 ") == 0  # nothing left after normalisation
    assert simhash64("通知") != 0 and simhash64("通知") != simhash64("通告")
    assert simhash64("abc") == simhash64("ＡＢＣ")
    h = simhash_hex(DOC)
    assert len(h) == 16 and h == h.lower() and int(h, 16) == simhash64(DOC)
    assert 0 <= simhash64(DOC) < 2**64
    assert len(exact_hash(DOC)) == 16


def test_deterministic_across_processes() -> None:
    """Stored fingerprints must compare across crawls: no salted hash() anywhere."""
    code = "from scrapy_govclean.fingerprint import simhash64;import sys;print(simhash64(sys.argv[1]))"
    out = {
        subprocess.run(
            [sys.executable, "-c", code, DOC], capture_output=True, text=True, check=True,
            env={"PYTHONHASHSEED": str(seed), "PATH": ""},
        ).stdout.strip()
        for seed in (1, 2)
    }
    assert out == {str(simhash64(DOC))}


def test_punctuation_width_and_whitespace_do_not_matter() -> None:
    swapped = DOC.replace("，", ",").replace("：", ":").replace("；", ";").replace("。", ".")
    spaced = " ".join(DOC.replace("\n", "\r\n  "))
    wide = DOC.replace("2024", "２０２４").replace("5", "５")
    for variant in (swapped, spaced, wide):
        assert simhash64(variant) == simhash64(DOC)
        assert exact_hash(variant) == exact_hash(DOC)


def test_small_edit_small_distance_unrelated_large() -> None:
    base = simhash64(DOC)
    edited = DOC.replace("依法依规", "严肃").replace("126处", "128处")
    assert hamming(base, simhash64(edited)) <= 6
    assert exact_hash(edited) != exact_hash(DOC)
    assert hamming(base, simhash64(OTHER)) >= 20


def test_hamming() -> None:
    assert hamming(0, 0) == 0
    assert hamming(0, 2**64 - 1) == 64
    assert hamming(0b1011, 0b0001) == 2


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_distance_ordering_agrees_with_the_simhash_package(seed: int) -> None:
    """Same features (4-grams of the normalised text), different hash: same ordering."""
    rng = random.Random(seed)
    paras = DOC.split("\n")
    variants = [
        "\n".join(paras[:-3]),  # last paragraphs missing
        DOC.replace("排水防涝", "防汛排涝", 2),
        "\n".join(paras[:5] + ["本网讯，更多精彩内容请关注本站公众号。"] + paras[5:]),
        OTHER,
    ]
    rng.shuffle(variants)

    def package(text: str) -> int:
        return simhash.Simhash(normalize_for_fingerprint(text)).value

    ours = [hamming(simhash64(DOC), simhash64(v)) for v in variants]
    theirs = [hamming(package(DOC), package(v)) for v in variants]
    # The unrelated text is the farthest under both.
    assert max(range(4), key=ours.__getitem__) == max(range(4), key=theirs.__getitem__)
    assert variants[max(range(4), key=ours.__getitem__)] is OTHER
    # And both see the edited copies as near (well under the unrelated distance).
    for o, t, v in zip(ours, theirs, variants):
        if v is not OTHER:
            assert o < 20 and t < 20
