"""Pages for the Scrapy integration tests: one government document as its official page
and as a commercial site's noisy copy, a second document, and a page with no document.

Built here (not read from the fixture corpus) so these tests state exactly what they serve.
"""
from __future__ import annotations

from html import escape

DOC_A = {
    "title": "深圳市龙岗区人力资源局关于区政协六届二次会议第20220031号提案答复的函",
    "publisher": "深圳市龙岗区人力资源局",
    "salutation": "尊敬的李明华委员:",
    "paragraphs": [
        "您提出的《关于完善我区职业技能培训补贴政策的建议》(区政协第20220031号)收悉。感谢您对我区人力资源工作的关心和支持。"
        "我局高度重视,会同区财政局、区教育局等单位对提案进行了认真研究,现将有关情况答复如下:",
        "一、基本情况",
        "近年来,我局深入贯彻落实《国务院办公厅关于印发职业技能提升行动方案(2019—2021年)的通知》精神,围绕“技能龙岗”建设目标,"
        "持续完善职业技能培训补贴政策,2021年全区共开展补贴性职业技能培训3.2万人次,发放培训补贴资金4860万元。",
        "二、主要工作措施",
        "(一)扩大补贴范围。将新就业形态劳动者、灵活就业人员纳入职业技能培训补贴范围,对取得职业资格证书或职业技能等级证书的,"
        "按规定给予每人最高3000元的培训补贴。",
        "(二)简化申领流程。依托广东政务服务网开通培训补贴网上申领渠道,申请材料由原来的7项精简为3项,办理时限压缩至10个工作日。",
        "三、下一步工作计划",
        "下一步,我局将进一步加大政策宣传力度,会同各街道建立培训需求调查机制,推动培训补贴资金精准投放,不断提升劳动者技能水平。",
        "再次感谢您对我区人力资源事业的关心和支持,欢迎继续提出宝贵意见和建议。",
        "专此函复。",
    ],
    "signature": ["深圳市龙岗区人力资源局", "2022年6月20日"],
}

DOC_B = {
    "title": "深圳市宝安区人力资源局关于做好2023年第三季度稳岗补贴申领工作的通知",
    "publisher": "深圳市宝安区人力资源局",
    "salutation": "各有关单位:",
    "paragraphs": [
        "为贯彻落实《广东省人力资源和社会保障厅关于做好失业保险稳岗位提技能防失业工作的通知》(粤人社规〔2022〕9号)精神,"
        "进一步减轻企业负担,稳定就业岗位,现就做好2023年第三季度稳岗补贴申领工作有关事项通知如下:",
        "一、补贴对象",
        "在本区依法参加失业保险并足额缴纳失业保险费12个月以上,上年度未裁员或裁员率不高于全国城镇调查失业率控制目标的企业。",
        "二、补贴标准",
        "大型企业按企业及其职工上年度实际缴纳失业保险费的30%返还,中小微企业按60%返还,社会团体、基金会、社会服务机构参照实施。",
        "三、申领方式",
        "符合条件的单位于2023年9月1日至9月30日通过广东政务服务网在线申领,逾期不再受理。申领材料不全的,应在5个工作日内补齐。",
        "四、工作要求",
        "各街道要加强政策宣传,指导辖区企业及时申领;对弄虚作假骗取补贴的,依法追回并纳入失信记录。",
        "特此通知。",
    ],
    "signature": ["深圳市宝安区人力资源局", "2023年8月25日"],
}

NO_DOC_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于我们_金诺劳务派遣</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/about/">关于我们</a> <a href="/contact/">联系我们</a></div>
<div class="content"><p>金诺劳务派遣有限公司成立于2010年,专注于为制造业企业提供劳务派遣、人事代理和灵活用工服务。</p>
<p>我们拥有专业的招聘团队和完善的服务网络,服务客户超过三百家,欢迎来电咨询合作。</p>
<p>客服热线:0755-8882 8155 地址:深圳市龙岗区布吉街道</p></div>
<div class="footer">版权所有 金诺劳务派遣有限公司 粤ICP备12345678号</div></body></html>"""


def _doc_body(doc: dict) -> str:
    parts = [f"<p>{escape(doc['salutation'])}</p>"]
    parts += [f"<p>  {escape(p)}</p>" for p in doc["paragraphs"]]
    parts += [f"<p style=\"text-align:right\">{escape(s)}</p>" for s in doc["signature"]]
    return "\n".join(parts)


def official_page(doc: dict, *, meta_charset: str | None = "utf-8") -> str:
    """The document as its issuer's site shows it."""
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    return f"""<!DOCTYPE html><html><head>{meta}<title>{escape(doc['title'])}</title></head>
<body><div class="header"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/bsfw/">办事服务</a></div>
<div class="article"><h1>{escape(doc['title'])}</h1>
<div class="info">来源:{escape(doc['publisher'])} 发布时间:{escape(doc['signature'][1])}</div>
{_doc_body(doc)}
</div>
<div class="footer">主办单位:{escape(doc['publisher'])} 网站标识码4403070001</div></body></html>"""


def republished_page(doc: dict, *, meta_charset: str | None = "utf-8", site: str = "金诺劳务派遣有限公司") -> str:
    """The same document copied onto a commercial site, buried in noise."""
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    headlines = "\n".join(f'<li><a href="/news/{i}.html">劳务派遣行业资讯第{i}期:用工成本怎么算</a></li>' for i in range(1, 13))
    return f"""<!DOCTYPE html><html><head>{meta}<title>{escape(doc['title'])}_{escape(site)}</title>
<meta name="keywords" content="劳务派遣,人力资源,深圳劳务派遣,劳务外包"></head>
<body><div class="header"><a href="/">首页</a> <a href="/lwpq/">劳务派遣</a> <a href="/news/">人力资讯</a></div>
<div class="article-content">
<p>客服热线:0755-8882 8155</p>
<p>{escape(doc['title'])}</p>
<p>Admin - admin 于2023年04月29日发表</p>
{_doc_body(doc)}
<p>本文章内容来源于网络公开内容,仅供参考!不对文章内容时效、真实性负责</p>
</div>
<div class="related"><h3>相关资讯</h3><ul>{headlines}</ul></div>
<div class="footer">版权所有 {escape(site)} 粤ICP备12345678号</div></body></html>"""
