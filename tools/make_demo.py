#!/usr/bin/env python3
"""Generate the demo year of records: 电厂街道 2023 and five fictional communities（示例）.

Run from anywhere (with the project's venv, which has PyYAML):

    python tools/make_demo.py

It DELETES records/ and writes it again; the output is deterministic (random.Random(2023)).
Layout: records/<unit>/2023/<MM>/<type-short>-<MMDD>[-n].yaml, one record per file.
No resident data: no names (except an obviously fictional nominee 某某（示例）), no phone or
ID numbers; evidence is referenced (evidence/… paths or https URLs), never committed.

Deliberate shortfalls, so that `dc check --as-of 2023-12-31` shows every status
(and `--as-of 2023-06-15` shows `pending`): see SHORT below.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "records"
rng = random.Random(2023)
D = lambda m, d: dt.date(2023, m, d)  # noqa: E731

# ---------------------------------------------------------------- data tables
COMMUNITIES = {"dongyuan": ("dy", "东苑社区"), "xiyuan": ("xy", "西苑社区"), "nanhu": ("nh", "南湖社区"),
               "beiguan": ("bg", "北关社区"), "hexi": ("hx", "河西社区")}
MONTHS = range(4, 13)
# 2023 dates of the traditional festivals (dc computes them from the Chinese calendar; the demo
# only needs them to place activities inside the ±7-day windows).
FESTIVALS = {"清明节": D(4, 5), "端午节": D(6, 22), "七夕节": D(8, 22), "中秋节": D(9, 29), "重阳节": D(10, 23)}
SHORT = {  # the deliberate shortfalls: name -> (unit, month); the rule and status in the comment
    "few_services": ("xiyuan", 5),      # 12.2 unmet: only 7 volunteer_service in 2023-05
    "late_nomination": ("beiguan", 8),  # 14.1 late: submitted on 2023-08-09
    "bad_review": ("dongyuan", 6),      # 5.7 unmet: a post reviewed by dy-pub, not the secretary
    "slow_response": ("hexi", 7),       # 5.8 unmet: an incident answered after 7 minutes
    "no_anti_fraud": ("nanhu", 9),      # 5.5b unmet: September cyber publicity without anti-fraud
    "waived_reading": ("nanhu", 7),     # 17.1 waived: no reading activity, waiver by dc-sec
    "no_app_order": ("xiyuan", 8),      # 12.10 unmet (warning): a need handled by phone, not through the APP
    "open_need": ("dongyuan", 12),      # 12.10 met: a need received 12-20, dispatched through the APP, still open
}
# Public holidays the plan counts as festivals (16.1 重要节庆假日): (name, day, cultural title, form).
HOLIDAYS = [("劳动节", D(5, 1), "“劳动最光荣”劳动节主题文艺汇演", "文艺汇演"),
            ("国庆节", D(10, 1), "“我和我的祖国”国庆节群众大合唱", "群众大合唱")]
SHORTNAME = dict(w.split(":") for w in ["central_group_study:study", "lecture:lecture", "lecture_plan:lecture-plan", "party_day:party-day", "science_popularization:science", "model_application:model", "leadership_group:leadership", "inspection_rules:inspection-rules", "ideology_inspection:inspection", "ideology_meeting:ideology-meeting", "report_to_superior:report", "cyber_security_publicity:cyber", "media_account:account", "media_post:post", "opinion_incident:opinion", "opinion_system:opinion-system", "policy_publicity:policy", "anti_illegal_publications:saohuang", "theme_publicity:publicity", "news_submission:news", "publicity_training:training", "media_coverage:coverage", "values_education:values", "youth_education:youth", "volunteer_plan:vplan", "volunteer_service:volunteer", "volunteer_service_list:vlist", "resident_need:need", "service_point:point", "brand_project:brand", "civilized_city:civilized", "good_person_nomination:goodperson", "red_station:red-station", "cultural_event:culture", "reading_activity:reading", "waiver:waiver", "study_theme:theme", "lecture_hall:lecture-hall"])  # type id -> file name stem
VS = {  # volunteer_service theme -> (titles, category)
    "宣传宣讲科学理论": (["党的二十大精神进小区志愿宣讲", "“学思想 强党性”理论宣讲志愿服务", "“理论轻骑兵”楼栋宣讲志愿服务"], "公益类"),
    "惠民政策": (["城乡居民医保缴费政策宣传志愿服务", "养老服务补贴政策解读志愿服务", "就业创业政策进社区志愿服务"], "公益类"),
    "铸牢中华民族共同体意识": (["铸牢中华民族共同体意识主题宣讲进校园", "“石榴籽一家亲”民族团结志愿服务", "国家通用语言文字推广志愿服务"], "公益类"),
    "卫生健康": (["“爱国卫生运动”楼道清理志愿服务", "义诊进社区健康志愿服务", "垃圾分类入户指导志愿服务", "文明餐桌“光盘行动”宣传志愿服务"], "改陋习"),
    "扶残帮困": (["“我帮你”为高龄老人上门理发志愿服务", "助残日陪伴残疾人康复训练志愿服务", "困难家庭送温暖志愿服务"], "搭把手"),
    "其他": (["文明交通劝导志愿服务", "清理小广告“牛皮癣”志愿服务", "小区绿地补植护绿志愿服务", "“搭把手”助老代购志愿服务"], "搭把手"),
}
FEST = {  # festival -> (volunteer_service title, cultural_event title, cultural form)
    "清明节": ("清明节文明祭扫宣传志愿服务", "清明节“缅怀先烈 传承精神”诗词诵读会", "中华诗词大会"),
    "端午节": ("端午节包粽子邻里互助志愿服务", "“粽叶飘香”端午节民俗文化活动", "其他"),
    "七夕节": ("七夕节“移风易俗 文明婚俗”宣传志愿服务", "“浓情七夕”传统文化主题活动", "书法绘画展"),
    "中秋节": ("中秋节“月满邻里”慰问空巢老人志愿服务", "“我们的节日·中秋”游园猜灯谜活动", "其他"),
    "重阳节": ("重阳节“敬老爱老”上门服务志愿活动", "“九九重阳 浓浓敬老情”文艺汇演", "文艺汇演"),
}
READING = {4: "世界读书日“书香满溢”主题阅读活动", 5: "“红色经典伴成长”亲子共读活动", 6: "“书香端午”传统文化读书分享会",
           7: "暑期“阅读悦乐”青少年读书会", 8: "“书香北疆”全民阅读进社区活动", 9: "“喜迎中秋·书香邻里”读书分享会",
           10: "“迎国庆”红色经典诵读活动", 11: "“冬日书香”老年读书会", 12: "宪法宣传周法治图书共读活动"}
PARTY_DAY = {4: "“学习二十大 奋进新征程”主题党日", 5: "“弘扬五四精神”主题党日", 6: "“七一”前夕重温入党誓词主题党日",
             7: "庆祝建党102周年主题党日", 8: "“八一”拥军优属主题党日", 9: "主题教育专题学习主题党日",
             10: "“喜迎国庆 礼赞祖国”主题党日", 11: "“学理论 办实事”主题党日", 12: "“12·4”国家宪法日学法主题党日"}
SPEECHES = ["《高举中国特色社会主义伟大旗帜 为全面建设社会主义现代化国家而团结奋斗》", "《在二十届中央纪委二次全会上的讲话》",
            "《在学习贯彻习近平新时代中国特色社会主义思想主题教育工作会议上的讲话》", "《在文化传承发展座谈会上的讲话》",
            "《在内蒙古考察时的重要讲话》", "《在中央民族工作会议上的讲话》", "《在全国宣传思想文化工作会议上的重要指示》"]
STUDY = [  # (date, theme, topics) — 13 sessions, every month, all five topics, 意识形态 ≥ 2
    (D(4, 11), "深入学习贯彻党的二十大精神", ["党的二十大精神"]),
    (D(4, 25), "深入学习贯彻党的二十大精神", ["党的二十大精神", "党风廉政建设"]),
    (D(5, 16), "深入学习贯彻党的二十大精神", ["习近平新时代中国特色社会主义思想", "党的二十大精神"]),
    (D(6, 13), "深入学习贯彻党的二十大精神", ["意识形态"]),
    (D(7, 11), "扎实开展学习贯彻习近平新时代中国特色社会主义思想主题教育", ["习近平新时代中国特色社会主义思想"]),
    (D(7, 25), "扎实开展学习贯彻习近平新时代中国特色社会主义思想主题教育", ["习近平新时代中国特色社会主义思想", "党风廉政建设"]),
    (D(8, 15), "扎实开展学习贯彻习近平新时代中国特色社会主义思想主题教育", ["铸牢中华民族共同体意识"]),
    (D(9, 12), "扎实开展学习贯彻习近平新时代中国特色社会主义思想主题教育", ["意识形态", "其他"]),
    (D(10, 17), "铸牢中华民族共同体意识，守好意识形态阵地", ["铸牢中华民族共同体意识"]),
    (D(11, 14), "铸牢中华民族共同体意识，守好意识形态阵地", ["意识形态", "党的二十大精神"]),
    (D(11, 28), "铸牢中华民族共同体意识，守好意识形态阵地", ["党风廉政建设"]),
    (D(12, 12), "铸牢中华民族共同体意识，守好意识形态阵地", ["习近平新时代中国特色社会主义思想"]),
    (D(12, 26), "铸牢中华民族共同体意识，守好意识形态阵地", ["意识形态", "铸牢中华民族共同体意识"]),
]
YOUTH = {"扣好人生第一粒扣子": 4, "经典诵读": 4, "理想信念教育": 5, "传承红色基因": 6, "中华优秀传统文化传承": 6,
         "革命传统教育": 7, "国防教育": 9, "进校园": 9, "爱国主义教育": 10, "新时代好少年选树": 11, "预防校园欺凌霸凌": 11}
NEEDS = ["楼道照明维修需求", "小区健身器材维修需求", "高龄老人助餐需求", "单元门禁维修需求", "楼道杂物清理需求",
         "下水管道疏通需求", "助老代购需求", "暑期儿童托管需求", "冬季清雪需求"]
TALLY = {"theme_publicity": ["“反诈拒赌 安全支付”主题宣传", "“民族团结一家亲”主题宣传", "创建全国文明城市主题宣传"],
         "values_education": ["社会主义核心价值观进小区宣传教育", "“最美家庭”评选表彰活动", "“文明家风”故事分享会"],
         "policy_publicity": ["意识形态工作政策问答宣传", "网络意识形态安全知识问答", "《中华人民共和国爱国主义教育法》学习问答"],
         "science_popularization": ["“科技活动周”科普进社区活动", "防灾减灾科普知识讲座", "老年人智能手机使用科普课堂"]}
SURNAMES = "王李张刘陈杨赵黄周吴"  # nominees are 王某某（示例）: obviously fictional
VENUE = {  # each community's lecture: (month, venue)
    "dongyuan": (6, "企业"), "xiyuan": (5, "校园"), "nanhu": (4, "社区"), "beiguan": (9, "社区"), "hexi": (10, "网络")}


# ---------------------------------------------------------------- writing
def scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, dt.date):
        return v.isoformat()
    try:  # plain when it reads back as the same text, under YAML 1.1 and 1.2 alike
        plain = yaml.safe_load(f"k: {v}") == {"k": v}
    except yaml.YAMLError:
        plain = False
    return v if plain else json.dumps(v, ensure_ascii=False)


def dump(rec):
    out = []
    for k, v in rec.items():
        if isinstance(v, list):
            out += [f"{k}:"] + [f"  - {scalar(x)}" for x in v]
        elif isinstance(v, str) and "\n" in v:
            out += [f"{k}: |"] + [f"  {line}" for line in v.splitlines()]
        else:
            out.append(f"{k}: {scalar(v)}")
    return "\n".join(out) + "\n"


FILES: dict[Path, dict] = {}
TYPE_NAMES = {t["id"]: t["name"] for t in yaml.safe_load((ROOT / "plan/types.yaml").read_text("utf-8"))["record_types"]}


def add(unit, type_id, date, title, **fields):
    """Adds a record; returns its id (the path below records/ without .yaml, or `id:`)."""
    stem = f"{unit}/2023/{date.month:02d}/{SHORTNAME[type_id]}-{date:%m%d}"
    n, path = 1, RECORDS / f"{stem}.yaml"
    while path in FILES:
        n += 1
        path = RECORDS / f"{stem}-{n}.yaml"
    kind = TYPE_NAMES[type_id] if rng.random() < 0.5 else type_id
    rec = {"type": kind, "unit": unit}
    if "id" in fields:
        rec = {"id": fields.pop("id"), **rec}
    rec.update({"date": date, "title": title})
    rec.update({k: v for k, v in fields.items() if v is not None})
    FILES[path] = rec
    return rec.get("id") or str(path.relative_to(RECORDS).with_suffix(""))


def ev(unit, date, what, n=1):
    files = [f"evidence/{unit}/{date}-{what}.jpg"]
    return [*files, f"evidence/{unit}/{date}-{what}-签到表.pdf"] if n > 1 else files


def day(m, lo=1, hi=28):
    return D(m, rng.randint(lo, hi))


def at(d, h0=9, h1=19):
    return dt.datetime(d.year, d.month, d.day, rng.randint(h0, h1), rng.randrange(0, 60, 5))


# ---------------------------------------------------------------- the subdistrict
def subdistrict():
    u, org = "dianchang", "电厂街道党工委"
    for i, (d, theme, topics) in enumerate(STUDY):
        add(u, "central_group_study", d, f"党工委理论中心组{d.month}月专题学习（{theme}）", theme=theme,
            speeches=[SPEECHES[i % len(SPEECHES)]], topics=topics, location="电厂街道党群服务中心会议室",
            participants=rng.randint(11, 16), organizer=org,
            outcome=f"一是统一思想认识，把{topics[0]}贯彻到街道各项工作中；\n二是明确下步措施，"
                    f"由各社区结合实际于月底前细化落实。",
            evidence=ev(u, d, "study", 2))
    add(u, "lecture_plan", D(4, 12), "电厂街道2023年理论宣讲工作计划", organizer=org)
    add(u, "leadership_group", D(4, 6), "关于调整电厂街道意识形态和网络意识形态工作领导小组的通知", organizer=org)
    add(u, "inspection_rules", D(4, 20), "电厂街道2023年意识形态工作督查细则", organizer=org)
    add(u, "opinion_system", D(4, 18), "电厂街道舆情监控及网络评论工作制度", organizer=org)
    add(u, "report_to_superior", D(7, 10), "电厂街道2023年上半年意识形态工作总结", kind="半年总结")
    add(u, "report_to_superior", D(12, 27), "电厂街道2023年意识形态工作总结", kind="年度总结")
    for d, kind in [(D(5, 9), "专题研究"), (D(6, 27), "研判部署"), (D(11, 7), "专题研究"), (D(12, 19), "研判部署")]:
        add(u, "ideology_meeting", d, f"意识形态工作{kind}会议", kind=kind, location="电厂街道党群服务中心会议室",
            participants=rng.randint(12, 20), summary="分析研判辖区意识形态领域形势，部署下一阶段重点工作。")
    for d in (D(5, 23), D(10, 19)):
        add(u, "anti_illegal_publications", d, "“扫黄打非·护苗”联合宣传排查活动", partners=["综合执法", "派出所"],
            location="辖区书店、文印店及校园周边", participants=rng.randint(8, 15),
            summary="联合检查辖区出版物经营场所，发放“扫黄打非”宣传材料。", evidence=ev(u, d, "saohuang"))
    for d in (D(4, 26), D(8, 8), D(11, 21)):
        add(u, "publicity_training", d, "宣传思想工作人员业务理论培训", location="电厂街道党群服务中心会议室",
            participants=rng.randint(18, 30), summary="围绕新媒体内容审核、舆情应对和信息报送开展业务培训。")
    for d, venue, form in [(D(5, 18), "机关", "集中宣讲"), (D(7, 20), "网络", "微信平台")]:
        add(u, "lecture", d, f"党的二十大精神进{venue}宣讲", venue=venue, form=form, speaker="街道宣讲团成员",
            participants=rng.randint(30, 80), evidence=ev(u, d, "lecture"))
    for d, outlet, level in [(D(5, 30), "通辽日报", "市级"), (D(6, 26), "通辽广播电视台", "市级"),
                             (D(9, 27), "内蒙古日报", "自治区级"), (D(10, 25), "通辽日报", "市级"),
                             (D(12, 8), "正北方网", "自治区级")]:
        add(u, "media_coverage", d, "电厂街道新时代文明实践志愿服务工作报道", outlet=outlet, level=level,
            url=f"https://example.org/news/2023/{d:%m%d}/dianchang")
    for q in ((5, 6), (8, 9), (11, 12)):
        for c, (_prefix, cn) in COMMUNITIES.items():
            add(u, "ideology_inspection", day(rng.choice(q)), f"{cn}意识形态工作督查", target=c,
                findings="阵地管理规范，宣传栏内容更新及时；建议加强新媒体平台审核记录留存。")
    c, m = SHORT["waived_reading"]
    cn = COMMUNITIES[c][1]
    add(u, "waiver", D(m, 28), f"{cn}{m}月阅读活动免于考核", rule="17.1", target=c, period=f"2023-{m:02d}",
        reason=f"{m}月{cn}书屋改造装修暂停开放，经街道批准本月阅读活动免于考核。", approved_by="dc-sec")


# ---------------------------------------------------------------- communities and branches
def community(c, p, cn, youth):
    loc = [f"{cn}党群服务中心", f"{cn}新时代文明实践站", f"{cn}文化广场", f"{cn}辖区小区"]
    acct = add(c, "media_account", D(4, 3), f"{cn}微信公众号", id=f"{c}-gzh", platform="微信公众号",
               account_name=f"{cn}之家（示例）", filed_on=D(4, rng.randint(4, 10)))
    add(c, "service_point", D(4, 3), f"{cn}“我帮你”志愿服务点", kind="我帮你志愿服务点", location=loc[0])
    add(c, "red_station", D(4, 3), f"{cn}红色驿站", services=["休息", "阅读", "饮水", "手机充电", "紧急医疗处理", "上网"],
        location=loc[0])
    add(c, "lecture_plan", day(4, 10, 20), f"{cn}2023年理论宣讲计划")
    add(c, "volunteer_service_list", day(4, 10, 25), f"{cn}2023年“急难愁盼”志愿服务清单")
    add(c, "brand_project", day(6), f"“{cn[:2]}邻里帮”志愿服务品牌项目", summary="围绕助老、助残、助学培育的社区志愿服务品牌。")
    for focus, m in zip(["环境卫生", "公共秩序", "文明行为", "公益广告"], sorted(rng.sample(list(MONTHS), 4)), strict=True):
        add(c, "civilized_city", day(m), f"文明城市巩固提升{focus}专项行动", focus=focus, location=loc[3],
            participants=rng.randint(10, 40))
    for theme, m in youth:
        add(c, "youth_education", day(m), f"未成年人思想道德建设“{theme}”主题活动", theme=theme, location=loc[1],
            participants=rng.randint(20, 60))
    # cyber security week 2023: 9-11 … 9-17
    d = day(9, 11, 17)
    if c == SHORT["no_anti_fraud"][0]:
        add(c, "cyber_security_publicity", d, "网络安全宣传周进社区活动", anti_fraud=False, location=loc[2])
        add(c, "cyber_security_publicity", day(10, 9, 20), "进基层防诈骗宣传活动", anti_fraud=True, location=loc[2])
    elif c == "hexi":
        add(c, "cyber_security_publicity", d, "网络安全宣传周“反诈进万家”活动", location=loc[2],
            **{"防诈骗宣传": "是"})  # the Chinese alias of anti_fraud, with 是/否
    else:
        add(c, "cyber_security_publicity", d, "网络安全宣传周“反诈进万家”活动", anti_fraud=True, location=loc[2])
    for typ, titles in TALLY.items():
        for m in rng.sample(list(MONTHS), rng.randint(1, 2)):
            add(c, typ, day(m), rng.choice(titles), location=rng.choice(loc), participants=rng.randint(20, 80),
                **({"channel": rng.choice(["宣传栏", "宣传展板", "微信群"])} if typ == "theme_publicity" else {}))
    posts = [(m, False) for m in rng.sample([4, 5, 7, 8, 10, 11], 2)]
    if c == SHORT["bad_review"][0]:
        posts.append((SHORT["bad_review"][1], True))
    for m, bad in posts:
        d = day(m)
        add(c, "media_post", d, f"【{cn[:2]}动态】{READING[m]}圆满举行", account=acct,
            published_at=at(d), author=f"{p}-pub", proofreader=f"{p}-proof",
            reviewer=f"{p}-pub" if bad else f"{p}-sec", evidence=[f"https://example.org/{c}/post-2023{m:02d}"])
    for m in sorted(set(rng.sample(list(MONTHS), 2)) | ({SHORT["slow_response"][1]} if c == SHORT["slow_response"][0] else set())):
        t = at(day(m))
        late = c == SHORT["slow_response"][0] and m == SHORT["slow_response"][1]
        add(c, "opinion_incident", t.date(), rng.choice(["小区停车秩序网络留言回复处置", "供暖问题网络反映回复处置"]),
            reported_at=t, responded_at=t + dt.timedelta(minutes=7 if late else rng.randint(2, 4)),
            liaison=f"{p}-liaison", summary="联络员发现网络留言后及时回复，并联系相关部门处置，不记录群众个人信息。")
    for m in rng.sample(list(MONTHS), 2):
        d = day(m)
        add(c, "news_submission", d, f"{cn}开展{rng.choice(VS[rng.choice(list(VS))][0])}", reviewer=f"{p}-sec",
            submitted_at=at(d, 15, 18))
    if c in ("dongyuan", "beiguan"):
        add(c, "model_application", day(6), "申报“阅读推广人”先进典型", category="阅读推广人")
    add(c, "lecture", day(VENUE[c][0]), f"习近平新时代中国特色社会主义思想进{VENUE[c][1]}宣讲",
        venue=VENUE[c][1], form="集中宣讲", speaker=f"{cn}宣讲员", participants=rng.randint(25, 60))

    needs = {}  # month of resolution -> need id (linked from that month's volunteer service)
    months = rng.sample(range(4, 12), 3)
    if c == SHORT["no_app_order"][0]:
        months[0] = SHORT["no_app_order"][1]
    for m in sorted(set(months)):
        got = day(m, 1, 20)
        by_phone = (c, m) == SHORT["no_app_order"]
        done = got + dt.timedelta(days=40 if by_phone else rng.randint(2, 12))
        nid = add(c, "resident_need", got, rng.choice(NEEDS), received_on=got, status="已办结", resolved_on=done,
                  app_order=None if by_phone else app_order(c, got),
                  summary="通过网格员收集，由社区工作人员电话联系物业办理，未经北疆新时代APP派单。" if by_phone
                  else "通过网格员收集，经北疆新时代APP派单办理。")
        needs.setdefault(done.month, (nid, done))
    if c == SHORT["open_need"][0]:
        add(c, "resident_need", D(12, 20), "冬季清雪需求", received_on=D(12, 20), status="已派单",
            app_order=app_order(c, D(12, 20)),
            summary="已通过北疆新时代APP派单，志愿者队伍待天气好转后集中清雪。")

    for m in MONTHS:
        add(c, "volunteer_plan", day(m, 1, 5), f"{cn}{m}月份新时代文明实践志愿服务方案", month=f"2023-{m:02d}")
        n = 7 if (c, m) == SHORT["few_services"] else 8
        fest = [(f, d) for f, d in FESTIVALS.items() if d.month == m]
        pool = rng.sample([(t, x) for t, (xs, _) in VS.items() for x in xs], n)  # no title twice a month
        for i, dd in enumerate(sorted(rng.sample(range(1, 29), n))):
            (theme, title), d, festival = pool[i], D(m, dd), None
            if i == 0 and fest and rng.random() < 0.6:
                festival, fd = fest[0]
                d, theme, title = fd + dt.timedelta(days=rng.randint(-3, 0)), "我们的节日", FEST[festival][0]
                fest = []
            need = needs.get(m) if i == n - 1 else None
            if need:
                d = max(d, need[1])
            v = rng.randint(6, 30)
            hours = v * rng.choice([1.5, 2, 2.5, 3])
            add(c, "volunteer_service", d, title, theme=theme, category=VS.get(theme, ([], "公益类"))[1],
                festival=festival, volunteers=v, service_hours=int(hours) if float(hours).is_integer() else hours,
                need=need[0] if need else None, location=rng.choice(loc), participants=rng.randint(20, 120),
                app_order=f"BJ-2023-{d:%m%d}-{rng.randint(1, 30):02d}" if rng.random() < 0.7 else None,
                evidence=ev(c, d, "volunteer", rng.randint(1, 2)))
        for festival, fd in fest:  # the festival not marked on a volunteer service: a cultural event
            d = fd + dt.timedelta(days=rng.randint(-3, 0))
            add(c, "cultural_event", d, FEST[festival][1], festival=festival, form=FEST[festival][2], location=loc[2],
                participants=rng.randint(40, 150), evidence=ev(c, d, "culture"))
        if (c, m) != SHORT["waived_reading"]:
            d = D(4, 23) if m == 4 else day(m)
            add(c, "reading_activity", d, READING[m], location=f"{cn}书屋", participants=rng.randint(15, 50),
                evidence=ev(c, d, "reading"))
        late = (c, m) == SHORT["late_nomination"]
        sub = D(m, 9) if late else day(m, 1, 7)
        add(c, "good_person_nomination", sub, f"{m}月份“通辽好人”典型事迹材料报送",
            category=rng.choice(["助人为乐", "见义勇为", "诚实守信", "敬业奉献", "孝老爱亲"]),
            nominee=f"{rng.choice(SURNAMES)}某某（示例）", submitted_on=sub)
        d = day(m)
        add(f"{c}-b1", "party_day", d, PARTY_DAY[m], location=loc[0], participants=rng.randint(12, 35),
            evidence=ev(f"{c}-b1", d, "party-day"))
    add(c, "cultural_event", day(7), "“舞动北疆”社区广场舞大赛", form="广场舞大赛", location=loc[2],
        participants=rng.randint(60, 200))


def app_order(c, got):
    """A 北疆新时代APP order number, derived from the community and the day (no randomness)."""
    return f"BJ-2023-{got:%m%d}-{COMMUNITIES[c][0].upper()}"


# ---------------------------------------------------------------- added with the 2023 plan's later rules
def additions():
    """Records for duties the plan checks since its rules were read more closely: quarterly
    study themes (1.2), shared lecture halls (3.4), practice points and a practice base
    (12.8, 12.9), a resident need collected every month (12.11) and activities on public
    holidays (16.1).  Generated after every other record, so those keep their content."""
    u = "dianchang"
    for q, (d, theme) in zip((2, 3, 4), [(D(4, 4), STUDY[0][1]), (D(7, 4), STUDY[4][1]), (D(10, 9), STUDY[8][1])],
                             strict=True):
        add(u, "study_theme", d, f"党工委理论中心组2023年第{'一二三四'[q - 1]}季度学习主题", theme=theme,
            quarter=f"2023-Q{q}", organizer="电厂街道党工委")
    add(u, "service_point", D(4, 3), "电厂街道新时代文明实践基地（辖区中学）", kind="新时代文明实践基地",
        location="辖区中学")
    for c, (_p, cn) in COMMUNITIES.items():
        add(c, "lecture_hall", D(4, 3), f"{cn}共享式讲堂", open_to_public=True, location=f"{cn}党群服务中心",
            summary="面向辖区居民和驻区单位开放，每月发布讲堂课程表。")
        add(c, "service_point", D(4, 3), f"{cn}新时代文明实践点", kind="新时代文明实践点", location=f"{cn}新时代文明实践站")
        for festival, fd, title, form in HOLIDAYS:
            d = fd + dt.timedelta(days=rng.randint(-3, 0))
            add(c, "cultural_event", d, title, festival=festival, form=form, location=f"{cn}文化广场",
                participants=rng.randint(40, 150), evidence=ev(c, d, "culture"))
        collected = {rec["received_on"].month for rec in FILES.values() if rec["unit"] == c and "received_on" in rec}
        for m in MONTHS:
            if m not in collected:
                got = day(m, 1, 20)
                add(c, "resident_need", got, rng.choice(NEEDS), received_on=got, status="已办结",
                    resolved_on=got + dt.timedelta(days=rng.randint(2, 8)), app_order=app_order(c, got),
                    summary="通过网格员收集，经北疆新时代APP派单办理。")


def main():
    shutil.rmtree(RECORDS, ignore_errors=True)
    subdistrict()
    themes = list(YOUTH.items())
    for i, (c, (p, cn)) in enumerate(COMMUNITIES.items()):
        community(c, p, cn, [t for j, t in enumerate(themes) if j % len(COMMUNITIES) == i])
    additions()
    for path, rec in sorted(FILES.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(rec), encoding="utf-8")
    tally = Counter(next(k for k in SHORTNAME if rec["type"] in (k, TYPE_NAMES[k])) for rec in FILES.values())
    for type_id, n in sorted(tally.items(), key=lambda kv: -kv[1]):
        print(f"{n:4d}  {type_id}  {TYPE_NAMES[type_id]}")
    print(f"{len(FILES):4d}  files written under {RECORDS.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
