"""Generator of the held-out corpus (standard library only, deterministic, no network).

    python tests/holdout/build.py            # rewrites tests/holdout/pages/ and corpus.jsonl
    python tests/holdout/build.py OUT_DIR    # or writes OUT_DIR/pages + OUT_DIR/corpus.jsonl

Site designs and noise phrasings here are written independently of tests/fixtures (see README.md).
"""
from __future__ import annotations

import html
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(name: str):
    """Import a sibling module under a private name (no sys.path change, no clash with other `pages`)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"_govclean_holdout_{name}", HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_sources = _load("sources")
DOCS, ARTICLES = _sources.DOCS, _sources.ARTICLES

HALF2FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}
FULL2HALF = {v: k for k, v in HALF2FULL.items()}
BRACKETS = {"〔〕": "〔〕", "[]": "[]", "()": "()", "【】": "【】", "［］": "［］", "﹝﹞": "﹝﹞"}

HEADLINES = [
    "全市春季植树造林活动启动 累计栽植苗木12万株",
    "城南片区老旧小区改造项目进入收尾阶段",
    "暑期防溺水安全教育进校园活动持续开展",
    "高新区举办2023年重点企业用工对接会",
    "三部门联合开展农资打假专项行动",
    "第二届乡村振兴论坛在龙泉镇召开",
    "市区新增公共充电桩326个 覆盖主要商圈",
    "夏粮收购工作有序推进 收购均价稳中有升",
    "城市书房再添新成员 24小时免费开放",
    "全县开展汛前地质灾害隐患排查",
    "中小企业数字化转型培训班开班",
    "市民服务中心推出“周末不打烊”服务",
    "农村饮水安全巩固提升工程全面完工",
    "第五届职工技能大赛焊工组决赛落幕",
    "滨江公园二期工程预计年底开放",
    "全市消防安全大检查发现隐患1200余处",
    "社区养老服务驿站实现街道全覆盖",
    "跨境电商综合试验区新增备案企业87家",
    "高温天气户外作业人员防暑降温提示",
    "老年人防诈骗知识讲座走进社区",
    "新能源汽车下乡活动首站举行",
    "市区部分路段夜间施工 请绕行",
    "首批“放心消费示范街区”名单公布",
    "职业院校学生实习权益保障座谈会召开",
    "今年首场秋季招聘会提供岗位4300个",
    "农业农村局开展秋季动物防疫督查",
    "全域旅游示范区创建通过省级验收",
    "中心城区早晚高峰公交加密班次",
    "居民医保缴费进入集中征收期",
    "非遗传承人走进校园展示传统技艺",
]


def norm(s: str) -> str:
    return " ".join(s.split())


def esc(s: str) -> str:
    return html.escape(s, quote=False)


def swap_punct(s: str, mode: str | None) -> str:
    if not mode:
        return s
    table = HALF2FULL if mode == "full" else FULL2HALF
    return "".join(table.get(c, c) for c in s)


def number_line(number: str | None, style: str | None) -> str | None:
    if number is None:
        return None
    if style and style != "〔〕":
        number = number.replace("〔", style[0]).replace("〕", style[1])
    return number


class Noise:
    """Collects every noise string planted on the page; calling it returns the escaped text."""

    def __init__(self):
        self.items: list[str] = []

    def __call__(self, s: str) -> str:
        s2 = norm(s)
        if s2 and s2 not in self.items:
            self.items.append(s2)
        return esc(s)


# ---------------------------------------------------------------------------------------------
# Document items: ("p", text, ad_suffix) | ("sig", text) | ("table", rows) | ("ad", text)


def doc_items(doc: dict, edits: dict) -> tuple[list, list[str]]:
    punct = edits.get("punct")
    items: list = []
    if doc["addressee_line"] and not edits.get("drop_salutation"):
        items.append(["p", doc["addressee_line"], ""])
    body = list(doc["body"])
    if edits.get("drop_last"):
        # the last body paragraph (skip a closing formula such as 此复。/特此公告。 if present)
        idx = len(body) - 1
        while isinstance(body[idx], tuple) or len(body[idx]) <= 8:
            idx -= 1
        del body[idx]
    for b in body:
        if isinstance(b, tuple):
            items.append(["table", [[swap_punct(c, punct) for c in row] for row in b[1]]])
        else:
            items.append(["p", swap_punct(b, punct), ""])
    for line in doc["publisher_lines"]:
        items.append(["sig", line])
    if doc["date_text"]:
        items.append(["sig", doc["date_text"]])
    for line in doc["post"] + doc["attachments"]:
        items.append(["p", swap_punct(line, punct), ""])
    expected: list[str] = []
    for it in items:
        if it[0] == "table":
            expected += [" ".join(norm(c) for c in row) for row in it[1]]
        else:
            expected.append(norm(it[1]))
    for pos, mode, ad in edits.get("ads", []):
        if mode == "append":
            items[pos][2] = ad
    for pos, mode, ad in sorted((a for a in edits.get("ads", []) if a[1] == "own"), reverse=True):
        items.insert(pos + 1, ["ad", ad])
    return items, expected


def article_items(art: dict) -> tuple[list, list[str]]:
    items = [["p", b, ""] for b in art["body"]]
    return items, [norm(b) for b in art["body"]]


def render_items(items: list, n: Noise, style: str) -> str:
    """style: p | p_indent | br | wx | div | font | amp"""
    out = []
    for it in items:
        kind = it[0]
        if kind == "table":
            rows = "".join(
                "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>\n" for row in it[1])
            attrs = ' border="1" cellspacing="0" cellpadding="4"' if style in ("br", "font", "div") else ""
            out.append(f"<table{attrs}>\n{rows}</table>\n")
            continue
        if kind == "ad":
            text = n(it[1])
        elif kind == "p":
            text = esc(it[1]) + (n(it[2]) if it[2] else "")
        else:
            text = esc(it[1])
        sig = kind == "sig"
        if style == "p":
            out.append(f'<p style="text-align:right">{text}</p>\n' if sig else f"<p>{text}</p>\n")
        elif style == "p_indent":
            out.append(f'<p align="right">{text}</p>\n' if sig else f"<p>\u3000\u3000{text}</p>\n")
        elif style == "br":
            pad = "&nbsp;" * 40 if sig else "&nbsp;&nbsp;&nbsp;&nbsp;"
            out.append(f"{pad}{text}<br />\n<br />\n")
        elif style == "wx":
            al = "right" if sig else "justify"
            out.append(f'<p style="text-align:{al};line-height:1.75em;margin-bottom:15px;"><span '
                       f'style="font-size:15px;color:rgb(62,62,62);">{text}</span></p>\n')
        elif style == "div":
            st = "text-align:right;padding-right:4em" if sig else "text-indent:2em;margin:8px 0"
            out.append(f'<div style="{st}">{text}</div>\n')
        elif style == "font":
            al = ' align="right"' if sig else ""
            out.append(f'<p{al}><font face="宋体" size="3">&nbsp;&nbsp;&nbsp;&nbsp;{text}</font></p>\n')
        elif style == "amp":
            out.append(f'<p class="r">{text}</p>\n' if sig else f"<p>{text}</p>\n")
    return "".join(out)


def meta_tag(declared: dict) -> str:
    if declared["where"] == "meta5":
        return f'<meta charset="{declared["label"]}">'
    if declared["where"] == "meta4":
        return f'<meta http-equiv="Content-Type" content="text/html; charset={declared["label"]}" />'
    return ""


def headlines(rnd: random.Random, k: int) -> list[str]:
    return rnd.sample(HEADLINES, k)


# ---------------------------------------------------------------------------------------------
# Templates. Each returns the page's HTML (str); every noise string goes through n().


def t_discuz(p, n: Noise, rnd) -> str:
    s = p["site"]
    body = render_items(p["items"], n, "br")
    num = f'{esc(p["numline"])}<br />\n<br />\n' if p["numline"] else ""
    hl = "".join(f'<li><a href="/thread-{rnd.randint(10000, 99999)}-1-1.html">{n(h)}</a></li>\n'
                 for h in headlines(rnd, 6))
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{p["meta"]}
<title>{esc(p["title"])} - {esc(s["section"])} - {esc(s["name"])} - Powered by Discuz!</title>
<meta name="keywords" content="{esc(p["title"])}" />
</head>
<body id="nv_forum" class="pg_viewthread">
<div id="toptb" class="cl"><div class="wp"><div class="z"><a href="javascript:;">设为首页</a><a href="javascript:;">收藏本站</a></div>
<div class="y"><a href="member.php?mod=register">{n("注册账号，解锁全部版块")}</a></div></div></div>
<div id="hd"><div class="wp"><h2><a href="./" title="{esc(s["name"])}">{esc(s["name"])}</a></h2>
<ul id="nv"><li><a href="forum.php">论坛</a></li><li><a href="portal.php">门户</a></li><li><a href="home.php">家园</a></li><li><a href="misc.php?mod=ranklist">排行榜</a></li></ul></div></div>
<div id="pt" class="bm cl"><div class="z"><a href="./" class="nvhm">{esc(s["name"])}</a> <em>&raquo;</em> <a href="forum.php">论坛</a> <em>&raquo;</em> <a href="forum-38-1.html">{esc(s["section"])}</a> <em>&raquo;</em> <a href="#">{esc(p["title"][:12])}…</a></div></div>
<div id="ct" class="wp cl">
<div id="pgt" class="pgs mbm cl"><div class="pg">{n(s["stats"])}</div></div>
<div id="postlist" class="pl bm">
<table cellspacing="0" cellpadding="0"><tr><td class="pls ptn pbn"><div class="hm ptn"><span class="xg1">查看:</span> <span class="xi1">{rnd.randint(800, 9000)}</span><span class="pipe">|</span><span class="xg1">回复:</span> <span class="xi1">{rnd.randint(3, 60)}</span></div></td>
<td class="plc ptm pbn vwthd"><h1 class="ts"><a href="forum-38-1.html">[{esc(s["tag"])}]</a> <span id="thread_subject">{esc(p["title"])}</span></h1></td></tr></table>
<div id="post_1"><table id="pid1" class="plhin" cellspacing="0" cellpadding="0"><tr>
<td class="pls" rowspan="2"><div class="pi"><div class="authi"><a href="space-uid-20931.html" class="xw1">{esc(s["author"])}</a></div></div>
<div><dl class="pil cl"><dt>{n(s["author_info"])}</dt></dl></div></td>
<td class="plc"><div class="pi"><strong><a href="#">楼主</a></strong><div class="pti"><div class="authi"><em id="authorposton1">{n("发表于 " + s["posted"])}</em> <span class="pipe">|</span> <a href="#">只看此人</a> <span class="pipe">|</span> <a href="#">倒序浏览</a></div></div></div>
<div class="pct"><div class="pcb"><div class="t_fsz">
<table cellspacing="0" cellpadding="0"><tr><td class="t_f" id="postmessage_1">
<i class="pstatus"> {n(s["edit_stamp"])} </i><br />
<br />
<font size="4"><strong>{esc(p["title"])}</strong></font><br />
<br />
{num}{body}{n(s["tail_note"])}<br />
</td></tr></table>
</div></div></div>
<div class="sign" style="max-height:100px;">{n(s["signature"])}</div>
</td></tr></table></div>
<div id="post_2"><table id="pid2" class="plhin"><tr><td class="pls"><a href="#" class="xw1">{esc(s["replier"])}</a></td>
<td class="plc"><div class="pi"><strong>沙发</strong> <em>{n("发表于 " + s["reply_time"])}</em></div>
<div class="pct"><div class="t_f"><div class="quote"><blockquote><font size="2"><font color="#999999">{n(s["quote_head"])}</font></font><br />
{n(s["quote_body"])}</blockquote></div><br />
{n(s["reply"])}</div></div>
<div class="sign">{n(s["replier_sign"])}</div></td></tr></table></div>
</div>
<div class="bm"><div class="bm_h"><h2>{n("本版精华帖推荐")}</h2></div><ul class="xl xl1 cl">
{hl}</ul></div>
<div id="f_pst" class="pl bm"><div class="hm">{n("您需要登录后才可以回帖，登录 | 注册账号")}</div></div>
</div>
<div id="ft" class="wp cl"><div id="flk" class="y"><p><a href="archiver/">Archiver</a><span class="pipe">|</span><a href="forum.php?mobile=yes">手机版</a><span class="pipe">|</span><a href="forum.php?mod=misc&amp;action=showdarkroom">小黑屋</a><span class="pipe">|</span><strong><a href="#">{esc(s["name"])}</a></strong> ( <a href="#">{n(s["icp"])}</a> )</p>
<p class="xs0">{n(s["gmt"])}<span id="debuginfo">, Processed in 0.058213 second(s), 31 queries .</span></p></div></div>
</body>
</html>
"""


def t_wechat(p, n: Noise, rnd) -> str:
    s = p["site"]
    body = render_items(p["items"], n, "wx")
    num = (f'<p style="text-align:center;"><span style="font-size:14px;color:#888;">{esc(p["numline"])}</span></p>\n'
           if p["numline"] else "")
    comments = "".join(
        f'<li class="discuss_item"><div class="user_info"><strong class="nickname">{esc(nick)}</strong></div>'
        f'<div class="discuss_message"><span class="discuss_message_content">{n(msg)}</span></div>'
        f'<div class="discuss_extra_info"><span class="praise_num">{rnd.randint(2, 90)}</span></div></li>\n'
        for nick, msg in s["comments"])
    return f"""<!DOCTYPE html>
<html>
<head>
{p["meta"]}
<meta name="viewport" content="width=device-width,initial-scale=1.0,maximum-scale=1.0,user-scalable=0,viewport-fit=cover">
<meta property="og:title" content="{esc(p["title"])}" />
<meta property="og:site_name" content="微信公众平台" />
<title>{esc(p["title"])}</title>
</head>
<body id="activity-detail" class="zh_CN wx_wap_page">
<div class="rich_media_wrp">
<div id="js_article" class="rich_media">
<div class="rich_media_inner">
<div id="page-content" class="rich_media_area_primary">
<h1 class="rich_media_title" id="activity-name">{esc(p["title"])}</h1>
<div id="meta_content" class="rich_media_meta_list">
<span class="rich_media_meta rich_media_meta_text">{n(s["flag"])}</span>
<span class="rich_media_meta rich_media_meta_nickname" id="profileBt"><a href="javascript:void(0);" id="js_name">{esc(s["account"])}</a></span>
<em id="publish_time" class="rich_media_meta rich_media_meta_text">{esc(s["posted"])}</em>
</div>
<div class="rich_media_content" id="js_content" style="visibility: visible;">
<section style="text-align:center;"><p><span style="color:#576b95;font-size:13px;">{n(s["follow"])}</span></p></section>
<p><br /></p>
{num}{body}<p><br /></p>
<section style="text-align:center;"><p><span style="color:#b2b2b2;">{n(s["end"])}</span></p></section>
<p style="font-size:12px;color:#888;">{n(s["credit"])}</p>
<p style="text-align:center;"><img class="rich_pages wxw-img" data-src="https://mmbiz.qpic.cn/mmbiz_jpg/{rnd.randint(10**8, 10**9)}/640" /></p>
<p style="text-align:center;font-size:12px;color:#888;">{n(s["qr"])}</p>
<p style="text-align:center;font-size:12px;color:#b2b2b2;">{n(s["disclaimer"])}</p>
</div>
<div class="rich_media_tool" id="js_toobar3">
<a id="js_view_source" class="media_tool_meta meta_primary" href="javascript:void(0);">{n("阅读原文")}</a>
<div class="media_tool_meta"><span id="readNum3">{n("阅读 " + s["reads"])}</span></div>
<span class="media_tool_meta" id="like3"><span class="praise_num">{n("在看 " + s["looking"])}</span></span>
</div>
</div>
<div class="rich_media_area_extra">
<div class="discuss_container" id="js_cmt_main"><div class="rich_tips with_line title_tips discuss_title_line"><span class="tips">{n("精选留言")}</span></div>
<ul class="discuss_list" id="js_cmt_list">
{comments}</ul></div>
</div>
</div>
</div>
<div id="js_pc_qr_code" class="qr_code_pc_outer"><div class="qr_code_pc"><img id="js_pc_qr_code_img" class="qr_code_pc_img" />
<p>{n("微信扫一扫")}<br />{n("关注该公众号")}</p></div></div>
</div>
</body>
</html>
"""


def t_qa(p, n: Noise, rnd) -> str:
    s = p["site"]
    body = render_items(p["items"], n, "p")
    num = f'<p>{esc(p["numline"])}</p>\n' if p["numline"] else ""
    tags = "".join(f'<div class="Tag QuestionTopic"><a class="TopicLink" href="#">{esc(t)}</a></div>' for t in s["topics"])
    comments = "".join(
        f'<div class="CommentItem"><span class="UserLink">{esc(u)}</span><div class="CommentContent">{n(c)}</div>'
        f'<span class="CommentItem-time">{esc(t)}</span></div>\n' for u, c, t in s["comments"])
    rel = "".join(f'<div class="SimilarQuestions-item"><a href="/question/{rnd.randint(10**8, 10**9)}">{n(q)}</a>'
                  f'<span>{rnd.randint(2, 40)} 个回答</span></div>\n' for q in s["related"])
    return f"""<!doctype html>
<html lang="zh" data-theme="light">
<head>
{p["meta"]}
<title>{esc(p["title"])} - {esc(s["name"])}</title>
<meta name="description" content="{esc(s["question_detail"])}">
</head>
<body>
<div id="root"><div class="App">
<header class="AppHeader" role="banner"><div class="AppHeader-inner"><a href="/" aria-label="{esc(s["name"])}">{esc(s["name"])}</a>
<nav class="AppHeader-nav"><a class="AppHeader-navItem" href="/">首页</a><a class="AppHeader-navItem" href="/explore">发现</a><a class="AppHeader-navItem" href="/question/waiting">{n("等你来答")}</a></nav>
<form class="SearchBar"><input type="text" placeholder="搜索你感兴趣的内容…" /></form><button class="Button">提问</button></div></header>
<main role="main" class="App-main">
<div class="QuestionPage">
<div class="QuestionHeader"><div class="QuestionHeader-content"><div class="QuestionHeader-main">
<div class="QuestionHeader-topics">{tags}</div>
<h1 class="QuestionHeader-title">{esc(p["title"])}</h1>
<div class="QuestionHeader-detail"><div class="QuestionRichText"><span class="RichText">{n(s["question_detail"])}</span></div></div>
</div><div class="QuestionHeader-side"><div class="NumberBoard"><div class="NumberBoard-item">{n(s["followers"])}</div></div></div></div></div>
<div class="Question-main"><div class="Question-mainColumn"><div class="List">
<div class="List-header"><h4 class="List-headerText">{esc(s["answers"])}</h4></div>
<div class="List-item"><div class="ContentItem AnswerItem">
<div class="ContentItem-meta"><div class="AuthorInfo"><span class="UserLink AuthorInfo-name"><a href="#">{esc(s["answerer"])}</a></span>
<div class="AuthorInfo-badge"><div class="ztext AuthorInfo-badgeText">{n(s["badge"])}</div></div></div>
<div class="AnswerItem-extraInfo"><span class="Voters">{n(s["voters"])}</span></div></div>
<div class="RichContent RichContent--unescapable"><div class="RichContent-inner"><span class="RichText ztext CopyrightRichText-richText" itemprop="text">
<p>{n(s["answer_intro"])}</p>
{num}{body}<p>{n(s["answer_outro"])}</p>
</span></div>
<div class="ContentItem-time"><a href="#">{n(s["edited"])}</a></div>
<div class="ContentItem-actions"><span><button class="VoteButton VoteButton--up">{n(s["agree"])}</button></span><button class="ContentItem-action">{esc(s["ncomments"])}</button><button class="ContentItem-action">分享</button><button class="ContentItem-action">收藏</button><button class="ContentItem-action">喜欢</button></div>
</div>
<div class="Comments-container">
{comments}</div>
</div></div>
</div></div>
<div class="Question-sideColumn"><div class="Card SimilarQuestions"><div class="Card-header SimilarQuestions-title"><div class="Card-headerText">{n("相关问题")}</div></div>
<div class="Card-section SimilarQuestions-list">
{rel}</div></div>
<footer class="Footer"><a href="#">{esc(s["name"])}指南</a><span class="Footer-dot"></span><a href="#">{n(s["footer"])}</a></footer></div>
</div></div>
</main></div></div>
</body>
</html>
"""


def t_news(p, n: Noise, rnd) -> str:
    s = p["site"]
    body = render_items(p["items"], n, "p_indent")
    num = f'<p style="text-align:center">{esc(p["numline"])}</p>\n' if p["numline"] else ""
    cards = "".join(
        f'<div class="card"><a href="/{s["path"]}/{rnd.randint(100000, 999999)}.shtml"><img src="/img/c{i}.jpg" alt="" />'
        f'<p class="card-t">{n(h)}</p></a><span class="card-v">{rnd.randint(1, 99)}万阅读</span></div>\n'
        for i, h in enumerate(headlines(rnd, 6)))
    rank = "".join(f'<li><em class="n{i + 1}">{i + 1}</em><a href="#">{n(h)}</a></li>\n'
                   for i, h in enumerate(headlines(rnd, 5)))
    return f"""<!DOCTYPE html>
<html>
<head>
{p["meta"]}
<title>{esc(p["title"])}_{esc(s["channel"])}_{esc(s["name"])}</title>
<meta name="keywords" content="{esc(s["keywords"])}" />
</head>
<body>
<div class="topbar"><div class="w1200"><span class="date">{n(s["weather"])}</span><a href="#">登录</a> | <a href="#">注册</a> | <a href="#">{n("手机看新闻")}</a></div></div>
<div class="header w1200"><a class="logo" href="/"><img src="/images/logo.png" alt="{esc(s["name"])}" /></a>
<ul class="mainnav"><li><a href="/">首页</a></li><li><a href="/news/">新闻</a></li><li><a href="/finance/">财经</a></li><li><a href="/house/">房产</a></li><li><a href="/edu/">教育</a></li><li><a href="/health/">健康</a></li><li><a href="/auto/">汽车</a></li><li><a href="/video/">视频</a></li></ul></div>
<div class="w1200 crumbs">{n(s["crumbs"])}</div>
<div class="w1200 main clearfix">
<div class="left">
<div class="article">
<h1 class="article-title">{esc(p["title"])}</h1>
<div class="article-info"><span class="time">{esc(s["posted"])}</span> <span class="source">{n("来源：" + s["source"])}</span> <span class="fontsize">【字号 <a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</span></div>
<div class="article-body" id="artibody">
<p class="yuanbiaoti">{n(s["lead"])}</p>
{num}{body}<p class="article-editor">{n("（责任编辑：" + s["editor"] + "）")}</p>
</div>
<div class="share-bar">{n(s["share"])}</div>
<div class="statement">{n(s["statement"])}</div>
</div>
<div class="hot-rec"><div class="hd"><h3>{n("热点推荐")}</h3></div><div class="bd">
{cards}</div></div>
</div>
<div class="right">
<div class="rank"><h3>{n("24小时热榜")}</h3><ol>
{rank}</ol></div>
<div class="ad-box"><a href="#"><img src="/ad/300x250.jpg" alt="" /></a><p>{n(s["side_ad"])}</p></div>
</div>
</div>
<div class="footer"><div class="w1200"><p><a href="#">关于我们</a> | <a href="#">广告服务</a> | <a href="#">联系方式</a> | <a href="#">网站地图</a></p>
<p>{n(s["report"])}</p><p>{n(s["copyright"])}</p></div></div>
</body>
</html>
"""


def t_legacy(p, n: Noise, rnd) -> str:
    s = p["site"]
    body = render_items(p["items"], n, "font")
    num = f'<center><font size="2">{esc(p["numline"])}</font></center>\n' if p["numline"] else ""
    links = "".join(f'<tr><td><font size="2">·<a href="#">{n(h)}</a></font></td></tr>\n' for h in s["left_links"])
    return f"""<html>
<head>
{p["meta"]}
<title>{esc(s["name"])}--{esc(p["title"])}</title>
<style type="text/css">td {{ font-size: 12px }}</style>
</head>
<body bgcolor="#FFFFFF" leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<center>
<table width="778" border="0" cellspacing="0" cellpadding="0"><tr><td><img src="/images/top.jpg" width="778" height="90"></td></tr>
<tr><td bgcolor="#CC0000" height="24"><font color="#FFFFFF">{n(s["welcome"])}</font></td></tr>
<tr><td bgcolor="#F0F0F0"><font size="2"><a href="/">网站首页</a> | <a href="/about.asp">单位简介</a> | <a href="/news.asp">新闻动态</a> | <a href="/zc.asp">政策法规</a> | <a href="/contact.asp">联系我们</a></font></td></tr></table>
<table width="778" border="0" cellspacing="0" cellpadding="0"><tr>
<td width="190" valign="top" bgcolor="#F7F7F7">
<table width="100%" border="0"><tr><td bgcolor="#CC0000"><font color="#FFFFFF"><b>{n(s["left_title"])}</b></font></td></tr>
{links}</table>
<table width="100%" border="0"><tr><td><font size="2" color="#CC0000">{n(s["left_contact"])}</font></td></tr></table>
</td>
<td width="588" valign="top">
<table width="100%" border="0"><tr><td><font size="2">{n(s["here"])}</font></td></tr></table>
<br>
<center><font size="5" color="#CC0000"><b>{esc(p["title"])}</b></font></center>
{num}<hr size="1" color="#CCCCCC" noshade>
<center><font size="2" color="#666666">{n(s["meta_line"])}</font></center>
<br>
{body}
<p align="right"><font size="2">【<a href="javascript:window.print()">打印本文</a>】【<a href="javascript:window.close()">关闭本页</a>】</font></p>
<font size="2" color="#999999">{n(s["prev"])}<br>{n(s["next"])}</font>
</td></tr></table>
<table width="778" border="0" bgcolor="#EEEEEE"><tr><td align="center"><font size="2">{n(s["copyright"])}<br>{n(s["address"])}<br>{n(s["icp"])}</font></td></tr></table>
</center>
</body>
</html>
"""


def t_inline(p, n: Noise, rnd) -> str:
    s = p["site"]
    body = render_items(p["items"], n, "div")
    num = f'<div style="text-align:center;margin:6px 0">{esc(p["numline"])}</div>\n' if p["numline"] else ""
    dated = "".join(
        f'<div style="border-bottom:1px dotted #ddd;padding:4px 0"><span style="color:#999">{d}</span> '
        f'<a href="/a/{rnd.randint(1000, 9999)}.html" style="color:#333">{n(h)}</a></div>\n'
        for d, h in zip(s["dates"], headlines(rnd, len(s["dates"]))))
    kws = " ".join(f"<b>{n(k)}</b>" for k in s["keywords"])
    return f"""<!DOCTYPE html>
<html>
<head>
{p["meta"]}
<title>{esc(p["title"])}-{esc(s["name"])}</title>
</head>
<body style="margin:0;background:#f5f5f5;font-family:Microsoft YaHei">
<div style="background:#1d4e89;color:#fff;height:64px;line-height:64px">
<div style="width:1100px;margin:0 auto;font-size:26px">{esc(s["name"])} <span style="font-size:14px">{n(s["slogan"])}</span></div></div>
<div style="background:#fff;border-bottom:1px solid #e5e5e5"><div style="width:1100px;margin:0 auto;line-height:42px">
<a href="/" style="margin-right:24px">首页</a><a href="/fw/" style="margin-right:24px">服务项目</a><a href="/zx/" style="margin-right:24px">资讯中心</a><a href="/al/" style="margin-right:24px">成功案例</a><a href="/lx/">联系我们</a></div></div>
<div style="width:1100px;margin:16px auto;overflow:hidden">
<div style="float:left;width:770px;background:#fff;padding:20px">
<div style="font-size:13px;color:#888">{n(s["crumbs"])}</div>
<div style="font-size:22px;font-weight:bold;text-align:center;margin:18px 0 8px">{esc(p["title"])}</div>
<div style="text-align:center;color:#999;font-size:12px;margin-bottom:10px">{n(s["byline"])}</div>
{num}<div style="font-size:16px;line-height:2;color:#333">
{body}</div>
<div style="margin-top:20px;padding:10px;background:#fafafa;color:#999;font-size:12px">{n(s["disclaimer"])}</div>
<div style="margin-top:12px;font-size:13px"><b>关键词：</b>{kws}</div>
<div style="margin-top:12px;font-size:13px;color:#666"><div>{n(s["prev"])}</div><div>{n(s["next"])}</div></div>
</div>
<div style="float:right;width:280px;background:#fff;padding:12px">
<div style="font-size:16px;font-weight:bold;border-left:4px solid #1d4e89;padding-left:8px">{n(s["side_title"])}</div>
{dated}</div>
</div>
<div style="background:#222;color:#aaa;text-align:center;padding:20px 0;font-size:12px">{n(s["copyright"])}</div>
<div style="position:fixed;left:0;right:0;bottom:0;height:46px;line-height:46px;background:#e4393c;color:#fff;text-align:center">{n(s["sticky"])}</div>
</body>
</html>
"""


def t_tdbr(p, n: Noise, rnd) -> str:
    s = p["site"]
    body = render_items(p["items"], n, "br")
    num = f'&nbsp;&nbsp;&nbsp;&nbsp;{esc(p["numline"])}<br />\n<br />\n' if p["numline"] else ""
    rel = "<br />\n".join(n(f"【{i + 1}】{h}") for i, h in enumerate(headlines(rnd, 8)))
    return f"""<html>
<head>
{p["meta"]}
<title>{esc(p["title"])} - {esc(s["name"])}</title>
</head>
<body>
<table width="100%" border="0" cellpadding="10"><tr><td style="font-size:14px;line-height:24px">
{n(s["header"])}<br />
<br />
<b>{esc(p["title"])}</b><br />
<br />
{num}{n(s["byline"])}<br />
<br />
{body}{n(s["disclaimer"])}<br />
<br />
{n(s["related_title"])}<br />
{rel}<br />
<br />
{n(s["copyright"])}
</td></tr></table>
</body>
</html>
"""


def t_bootstrap(p, n: Noise, rnd) -> str:
    s = p["site"]
    body = render_items(p["items"], n, "p")
    num = f'<p class="text-center text-secondary">{esc(p["numline"])}</p>\n' if p["numline"] else ""
    cloud = "\n".join(
        f'<a href="/tag/{i}.html" class="badge badge-light" style="font-size:{rnd.choice([12, 13, 14, 16, 18])}px">{n(t)}</a>'
        for i, t in enumerate(s["tags"]))
    recent = "".join(f'<li class="list-group-item"><a href="#">{n(h)}</a></li>\n' for h in headlines(rnd, 5))
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
{p["meta"]}
<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<link rel="stylesheet" href="/static/bootstrap-4.6.2/css/bootstrap.min.css">
<title>{esc(p["title"])} | {esc(s["name"])}</title>
</head>
<body>
<nav class="navbar navbar-expand-lg navbar-dark bg-primary">
<a class="navbar-brand" href="/">{esc(s["name"])}</a>
<button class="navbar-toggler" type="button" data-toggle="collapse" data-target="#nav"><span class="navbar-toggler-icon"></span></button>
<div class="collapse navbar-collapse" id="nav"><ul class="navbar-nav mr-auto">
<li class="nav-item active"><a class="nav-link" href="/">首页</a></li><li class="nav-item"><a class="nav-link" href="/services/">业务范围</a></li><li class="nav-item"><a class="nav-link" href="/news/">新闻资讯</a></li><li class="nav-item"><a class="nav-link" href="/contact/">联系我们</a></li></ul>
<span class="navbar-text">{n(s["hotline"])}</span></div>
</nav>
<div class="container mt-3">
<nav aria-label="breadcrumb"><ol class="breadcrumb"><li class="breadcrumb-item"><a href="/">首页</a></li><li class="breadcrumb-item"><a href="/news/">{esc(s["section"])}</a></li><li class="breadcrumb-item active" aria-current="page">正文</li></ol></nav>
<div class="row">
<div class="col-md-8">
<article class="card mb-3"><div class="card-body">
<h2 class="card-title text-center">{esc(p["title"])}</h2>
<p class="text-muted small text-center">{n(s["byline"])}</p>
{num}{body}<div class="alert alert-info small">{n(s["notice"])}</div>
<div class="mt-2">文章标签：{" ".join(f'<a class="badge badge-secondary" href="#">{esc(t)}</a>' for t in s["tags"][:3])}</div>
</div></article>
<ul class="pagination"><li class="page-item"><a class="page-link" href="#">{n(s["prev"])}</a></li><li class="page-item"><a class="page-link" href="#">{n(s["next"])}</a></li></ul>
</div>
<div class="col-md-4">
<div class="card mb-3"><div class="card-header">{n("热门标签")}</div><div class="card-body">
{cloud}
</div></div>
<div class="card mb-3"><div class="card-header">{n("最新发布")}</div><ul class="list-group list-group-flush">
{recent}</ul></div>
<div class="card"><div class="card-header">联系我们</div><ul class="list-group list-group-flush"><li class="list-group-item">{n(s["contact1"])}</li><li class="list-group-item">{n(s["contact2"])}</li></ul></div>
</div>
</div>
</div>
<footer class="bg-light py-3 mt-3"><div class="container text-center small text-muted">{n(s["copyright"])}</div></footer>
</body>
</html>
"""


def t_amp(p, n: Noise, rnd) -> str:
    s = p["site"]
    body = render_items(p["items"], n, "amp")
    num = f'<p class="num">{esc(p["numline"])}</p>\n' if p["numline"] else ""
    rel = "".join(f'<li><a href="/amp/{rnd.randint(1000, 9999)}.html">{n(h)}</a></li>\n' for h in headlines(rnd, 5))
    return f"""<!doctype html>
<html amp lang="zh-CN">
<head>
{p["meta"]}
<script async src="https://cdn.ampproject.org/v0.js"></script>
<script async custom-element="amp-sidebar" src="https://cdn.ampproject.org/v0/amp-sidebar-0.1.js"></script>
<title>{esc(p["title"])}</title>
<link rel="canonical" href="{esc(s["canonical"])}">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<style amp-boilerplate>body{{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both}}</style>
<style amp-custom>body{{font-size:16px}} .r{{text-align:right}} .fix{{position:fixed;bottom:0}}</style>
</head>
<body>
<amp-sidebar id="menu" layout="nodisplay" side="left"><ul><li><a href="/">首页</a></li><li><a href="/news/">资讯</a></li><li><a href="/about/">关于</a></li></ul></amp-sidebar>
<header class="mh"><button on="tap:menu.toggle">☰</button><span class="logo">{esc(s["name"])}</span><a href="/search/">搜索</a></header>
<main>
<article>
<h1>{esc(p["title"])}</h1>
<div class="meta"><span>{n(s["meta"])}</span></div>
{num}{body}<amp-img src="/upload/kefu-qr.png" width="300" height="300" layout="responsive" alt="二维码"></amp-img>
<p class="cap">{n(s["caption"])}</p>
<p class="stmt">{n(s["statement"])}</p>
</article>
<section class="rel"><h3>{n("猜你喜欢")}</h3><ul>
{rel}</ul></section>
</main>
<footer><p>{n(s["footer"])}</p></footer>
<div class="fix"><a href="tel:{esc(s["tel"])}">{n("电话咨询")}</a> <a href="#">{n("加微信咨询")}</a> <a href="#">{n("在线留言")}</a></div>
</body>
</html>
"""


def t_gov(p, n: Noise, rnd) -> str:
    s = p["site"]
    body = render_items(p["items"], n, "p_indent")
    num = f'<p style="text-align:center">{esc(p["numline"])}</p>\n' if p["numline"] else ""
    return f"""<!DOCTYPE html>
<html>
<head>
{p["meta"]}
<title>{esc(p["title"])}_{esc(s["channel"])}_{esc(s["name"])}</title>
<meta name="SiteName" content="{esc(s["name"])}">
<meta name="ArticleTitle" content="{esc(p["title"])}">
<meta name="PubDate" content="{esc(s["posted"])}">
</head>
<body>
<div class="top-bar"><div class="container"><span>{n(s["topbar"])}</span><a href="#">{n("无障碍浏览")}</a> <a href="#">{n("长者模式")}</a> <a href="#">繁體</a></div></div>
<div class="header"><div class="container"><img src="/images/logo.png" alt="{esc(s["name"])}"></div></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/zjxq/">{esc(s["about"])}</a></li></ul></div>
<div class="container"><div class="position">{n(s["crumbs"])}</div>
<table class="xxgk-table" border="1" cellspacing="0">
<tr><th>索引号：</th><td>{n(s["index_no"])}</td><th>主题分类：</th><td>{esc(s["topic"])}</td></tr>
<tr><th>发布机构：</th><td>{esc(s["agency"])}</td><th>生成日期：</th><td>{esc(s["generated"])}</td></tr>
<tr><th>文号：</th><td>{esc(p["numline"] or "")}</td><th>有效性：</th><td>有效</td></tr>
<tr><th>名称：</th><td colspan="3">{esc(p["title"])}</td></tr>
</table>
<div class="article">
<h1 class="article-title">{esc(p["title"])}</h1>
<div class="article-attr"><span>{n("发布时间：" + s["posted"])}</span> <span>{n("信息来源：" + s["source"])}</span> <span>{n("访问量：" + str(rnd.randint(300, 9000)))}</span> <span>字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a></span></div>
<div class="article-content" id="zoom">
{num}{body}</div>
<div class="article-tools"><a href="#">{n("【打印正文】")}</a> <a href="#">{n("【关闭页面】")}</a> <span>{n("扫一扫在手机打开当前页")}</span></div>
<div class="related"><h4>{n("相关解读")}</h4><ul>{"".join(f"<li><a href='#'>{n(x)}</a></li>" for x in s["related"])}</ul></div>
</div>
</div>
<div class="footer"><div class="container">
<p>{n(s["sponsor"])}</p>
<p>{n(s["site_code"])} <a href="#">{n(s["icp"])}</a> <a href="#">{n(s["police"])}</a></p>
<p><a href="#"><img src="/images/zfwzzc.png" alt="政府网站找错"></a> {n(s["resolution"])}</p>
</div></div>
</body>
</html>
"""


TEMPLATES = {
    "discuz": t_discuz, "wechat": t_wechat, "qa": t_qa, "news_portal": t_news, "legacy_font": t_legacy,
    "inline_div": t_inline, "td_br": t_tdbr, "bootstrap": t_bootstrap, "amp": t_amp, "gov_portal": t_gov,
}

PAGES = _load("pages").PAGES


def build_page(cfg: dict) -> tuple[bytes, dict]:
    rnd = random.Random("govclean-holdout:" + cfg["page_id"])
    edits = dict(drop_salutation=False, punct=None, drop_last=False, ads=[], brackets=None)
    edits.update(cfg.get("edits", {}))
    if cfg.get("doc_id"):
        doc = DOCS[cfg["doc_id"]]
        items, expected = doc_items(doc, edits)
        title = doc["title"]
        numline = number_line(doc["number"], edits["brackets"])
        is_gov = True
        official = cfg["url"].split("/")[2].endswith(".gov.cn")
        prov = {
            "publisher": "、".join(doc["publisher_lines"]),
            "doc_number": doc["number"],
            "date": doc["date"],
            "doc_type": doc["doc_type"],
            "addressee": None if edits["drop_salutation"] else doc["addressee"],
            "official_site": official,
            "republished": not official,
        }
        group = "doc:" + cfg["doc_id"]
    else:
        art = ARTICLES[cfg["article_id"]]
        items, expected = article_items(art)
        title = art["title"]
        numline = None
        is_gov = False
        prov = {k: None for k in ("publisher", "doc_number", "date", "doc_type", "addressee")}
        prov.update(official_site=False, republished=False)
        group = "article:" + cfg["article_id"]
    n = Noise()
    page = dict(title=title, numline=numline, items=items, site=cfg["site"], meta=meta_tag(cfg["declared"]))
    text = TEMPLATES[cfg["template"]](page, n, rnd)
    enc = cfg["encoding"]
    data = text.encode(enc, errors="xmlcharrefreplace")
    exp_text = "\n".join(line for line in expected if line)
    for s in n.items:
        assert s not in exp_text, (cfg["page_id"], s)
    where = cfg["declared"]["where"]
    header = None
    if where == "header" or (where in ("meta5", "meta4") and cfg.get("header_charset", True)):
        header = cfg["declared"]["label"]
    content_type = f"text/html; charset={header}" if header else "text/html"
    record = {
        "page_id": cfg["page_id"],
        "url": cfg["url"],
        "content_type": content_type,
        "encoding": enc,
        "declared": cfg["declared"],
        "template": cfg["template"],
        "kind": ("gov_original" if prov["official_site"] else "gov_copy") if is_gov else "nongov",
        "doc_id": cfg.get("doc_id"),
        "group": group,
        "edits": {k: (len(v) if k == "ads" else v) for k, v in edits.items()},
        "expected": {"text": exp_text, "title": title, "is_gov": is_gov, "provenance": prov},
        "planted_noise": n.items,
    }
    return data, record


def build(out: Path | None = None) -> list[dict]:
    out = Path(out) if out else HERE
    (out / "pages").mkdir(parents=True, exist_ok=True)
    records = []
    for cfg in PAGES:
        data, rec = build_page(cfg)
        (out / "pages" / f"{cfg['page_id']}.html").write_bytes(data)
        records.append(rec)
    with open(out / "corpus.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return records


if __name__ == "__main__":
    recs = build(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"{len(recs)} pages")
