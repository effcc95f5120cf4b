"""The default checklist (默认检查清单): 46 items over four criteria, each with its source.

The requirements are written in the project's own words; the sources say where each comes from. Ids
are stable: a city may drop or replace items, but an id never changes meaning.
"""

from __future__ import annotations

from jiceng.assessment._model import CheckItem, Criterion, Severity

__all__ = ["DEFAULT_CHECKLIST", "FAIRNESS_ITEM", "FAIRNESS_ITEM_ID"]

WCAG = "WCAG 2.2"
MIIT = "工信部《移动互联网应用（APP）适老化通用设计规范》《互联网网站适老化通用设计规范》（2021）"
GBT37668 = "GB/T 37668-2019《信息技术 互联网内容无障碍可访问性技术要求与测试方法》"
GB55019 = "GB 55019-2021《建筑与市政工程无障碍通用规范》"
PIPL = "《中华人民共和国个人信息保护法》（2021）"
SPC = "最高人民法院法释〔2021〕15号（审理使用人脸识别技术处理个人信息相关民事案件的规定）"
FACE = "国家网信办、公安部《人脸识别技术应用安全管理办法》（2025）"
GBT35273 = "GB/T 35273-2020《信息安全技术 个人信息安全规范》"
GOV45 = "国办发〔2020〕45号《关于切实解决老年人运用智能技术困难的实施方案》"
FINGERTIP = (
    "中办、国办《关于防治“指尖上的形式主义”的若干意见》（2024）；"
    "国办《政务移动互联网应用程序规范化管理办法》（2026）"
)
ISO9241 = "ISO 9241-210:2019（以人为中心的设计）"
FOUR_FIFTHS = "四五规则 four-fifths rule: 29 CFR 1607.4(D)（美国《雇员甄选程序统一指南》，1978）"

A = Criterion.ACCESSIBILITY
U = Criterion.USABILITY
S = Criterion.SECURITY
E = Criterion.EQUITY
CRITICAL = Severity.CRITICAL
MAJOR = Severity.MAJOR
MINOR = Severity.MINOR


def _item(  # noqa: PLR0917  # a compact table row reads better positionally
    id: str,
    criterion: Criterion,
    severity: Severity,
    requirement: tuple[str, str],
    source: str,
    recommendation: tuple[str, str],
) -> CheckItem:
    return CheckItem(
        id=id,
        criterion=criterion,
        severity=severity,
        requirement=requirement[0],
        requirement_en=requirement[1],
        source=source,
        recommendation=recommendation[0],
        recommendation_en=recommendation[1],
    )


_ACCESSIBILITY = (
    _item(
        "ACC-01",
        A,
        MAJOR,
        (
            "图片、图标、图形验证码等非文本内容都有等效的文字说明，读屏软件能读出。",
            "Images, icons and picture CAPTCHAs have text equivalents that a screen reader can read.",
        ),
        f"{WCAG} SC 1.1.1 (A); {GBT37668}（可感知）",
        (
            "为非文本内容补充替代文本，图形验证码提供文字或语音替代。",
            "Add text alternatives; give picture CAPTCHAs a text or audio alternative.",
        ),
    ),
    _item(
        "ACC-02",
        A,
        MAJOR,
        (
            "正文与背景对比度不低于 4.5:1，大字、图标和控件边界不低于 3:1；颜色不是传达信息的唯一手段。",
            "Body text contrast is at least 4.5:1, large text, icons and control edges at least 3:1; "
            "colour is never the only cue.",
        ),
        f"{WCAG} SC 1.4.1, 1.4.3, 1.4.11 (AA); {MIIT}",
        (
            "调整配色达到对比度要求，错误提示同时用文字或语音表达。",
            "Fix the colours to meet contrast; state errors in words or speech as well as colour.",
        ),
    ),
    _item(
        "ACC-03",
        A,
        MAJOR,
        (
            "文字可放大到 200% 而不丢失内容或功能；在 320 CSS 像素宽度下内容可重排、无需横向滚动。",
            "Text zooms to 200% without losing content or function; content reflows at 320 CSS px "
            "without horizontal scrolling.",
        ),
        f"{WCAG} SC 1.4.4, 1.4.10 (AA)",
        (
            "改用相对单位和流式布局，测试放大和窄屏下的每个页面。",
            "Use relative units and fluid layouts; test every page zoomed and narrow.",
        ),
    ),
    _item(
        "ACC-04",
        A,
        CRITICAL,
        (
            "每一项功能都能用读屏软件完成：控件有可读的名称、角色和状态，与主流辅助技术兼容。",
            "Every function can be completed with a screen reader: controls expose name, role and "
            "state, and work with mainstream assistive technology.",
        ),
        f"{WCAG} SC 4.1.2 (A); {GBT37668}（兼容）",
        (
            "为所有控件补充无障碍属性，并请视障用户用读屏软件走通全部功能。",
            "Add accessibility properties to every control and have blind users walk every function "
            "with a screen reader.",
        ),
    ),
    _item(
        "ACC-05",
        A,
        MAJOR,
        (
            "全部功能可用键盘或外接开关操作；焦点清晰可见，且不被悬浮层遮挡。",
            "Everything works from a keyboard or switch; focus is clearly visible and never hidden "
            "behind overlays.",
        ),
        f"{WCAG} SC 2.1.1 (A), 2.4.7, 2.4.11 (AA); {GBT37668}（可操作）",
        (
            "补齐键盘操作和焦点样式，移除遮挡焦点的悬浮层。",
            "Add keyboard support and focus styles; remove overlays that hide focus.",
        ),
    ),
    _item(
        "ACC-06",
        A,
        MAJOR,
        (
            "可点击目标不小于 24×24 CSS 像素，或与相邻目标留足间距。",
            "Pointer targets are at least 24×24 CSS px, or spaced so that they do not crowd.",
        ),
        f"{WCAG} SC 2.5.8 (AA)",
        (
            "放大按钮和链接的可点击区域，拉开相邻目标的间距。",
            "Enlarge the hit areas of buttons and links and space neighbouring targets apart.",
        ),
    ),
    _item(
        "ACC-07",
        A,
        MINOR,
        (
            "拖动、多指和路径手势都有单指点击的替代方式；不要求三指及以上的手势。",
            "Dragging, multi-finger and path gestures have a single-tap alternative; no gesture needs "
            "three or more fingers.",
        ),
        f"{WCAG} SC 2.5.1 (A), 2.5.7 (AA); {MIIT}",
        ("为每个手势操作提供按钮式的替代。", "Give every gesture a button alternative."),
    ),
    _item(
        "ACC-08",
        A,
        MAJOR,
        (
            "有时间限制的操作（验证码输入、会话超时）可以关闭、调整或延长。",
            "Time limits (code entry, session time-outs) can be turned off, adjusted or extended.",
        ),
        f"{WCAG} SC 2.2.1 (A); {MIIT}",
        (
            "超时前提醒并允许一键延长，非必要不设时限。",
            "Warn before a time-out and allow a one-tap extension; drop limits that are not needed.",
        ),
    ),
    _item(
        "ACC-09",
        A,
        MINOR,
        ("视频和语音指引有字幕或文字稿。", "Video and audio guides have captions or transcripts."),
        f"{WCAG} SC 1.2.2, 1.2.3 (A); {GBT37668}（可感知）",
        ("为音视频内容补充字幕和文字稿。", "Add captions and transcripts to audio and video."),
    ),
    _item(
        "ACC-10",
        A,
        MAJOR,
        (
            "提供语音朗读（读屏或页面朗读）服务，长辈版中同样可用。",
            "Voice reading (screen reader or read-aloud) is available, including in elder mode.",
        ),
        f"{MIIT}; {GBT37668}",
        (
            "接入语音朗读，并在长辈版中提供显著的朗读开关。",
            "Add read-aloud and give elder mode a visible switch for it.",
        ),
    ),
    _item(
        "ACC-11",
        A,
        CRITICAL,
        (
            "实体终端（门禁、自助机）坐轮椅也能够到、看清和操作：按键、屏幕和摄像头都在坐姿可及范围内。",
            "Physical terminals (door panels, kiosks) can be reached, read and operated from a "
            "wheelchair: buttons, screen and camera sit within seated reach.",
        ),
        f"{GB55019}（无障碍设施的可及性）",
        (
            "降低或加装低位操作面板，并让轮椅使用者实地试用。",
            "Lower the panel or add a low-level one, and have wheelchair users try it on site.",
        ),
    ),
    _item(
        "ACC-12",
        A,
        MINOR,
        (
            "页面语言、标题结构和表单标签可被程序识别，输入项说明清楚。",
            "Page language, headings and form labels are programmatically determinable, and inputs "
            "have clear instructions.",
        ),
        f"{WCAG} SC 1.3.1, 3.1.1, 3.3.2 (A); {GBT37668}（可理解）",
        (
            "补齐语言声明、标题层级和表单标签。",
            "Declare the language and add heading structure and form labels.",
        ),
    ),
)

_USABILITY = (
    _item(
        "USA-01",
        U,
        MAJOR,
        (
            "长辈版（适老版）主要文字不小于 18 dp/pt，字号可随系统调整，行距至少 1.3 倍。",
            "Elder-mode main text is at least 18 dp/pt, follows the system font size, with line "
            "spacing of at least 1.3.",
        ),
        MIIT,
        (
            "在长辈版中放大主要文字并支持系统字号。",
            "Enlarge elder-mode text and follow the system font size.",
        ),
    ),
    _item(
        "USA-02",
        U,
        MAJOR,
        (
            "长辈版主要控件的可点击区域不小于 60×60 dp/pt。",
            "Elder-mode main controls have hit areas of at least 60×60 dp/pt.",
        ),
        MIIT,
        (
            "把长辈版主要按钮放大到 60×60 dp 以上。",
            "Enlarge elder-mode main buttons to 60×60 dp or more.",
        ),
    ),
    _item(
        "USA-03",
        U,
        CRITICAL,
        (
            "长辈版中没有广告、弹窗、悬浮窗，也没有诱导下载或诱导付款的按键。",
            "Elder mode shows no ads, pop-ups or floating windows, and no buttons that lure people "
            "into downloads or payments.",
        ),
        MIIT,
        (
            "移除长辈版中的全部广告插件和弹窗。",
            "Remove every ad plug-in and pop-up from elder mode.",
        ),
    ),
    _item(
        "USA-04",
        U,
        MAJOR,
        (
            "长辈版入口容易找到：首页有显著入口或首次进入时提示切换，“设置”中也有“长辈版”。",
            "The elder-mode (长辈版) entry is easy to find: a visible switch on the home screen or a "
            "prompt on first use, and an entry in Settings.",
        ),
        MIIT,
        (
            "在首页和设置中都放置长辈版入口。",
            "Put the elder-mode switch on the home screen and in Settings.",
        ),
    ),
    _item(
        "USA-05",
        U,
        MAJOR,
        (
            "一键直连人工服务（电话或在线人工），长辈版中同样可用。",
            "One tap reaches a human (phone or live agent), including from elder mode.",
        ),
        f"{MIIT}; {GOV45}",
        ("在每个页面提供一键呼叫人工的按钮。", "Add a one-tap call-a-person button to every page."),
    ),
    _item(
        "USA-06",
        U,
        MAJOR,
        (
            "求助方式（电话、人工、帮助页）在每个页面的同一位置出现。",
            "Help (phone, live agent, help page) appears in the same place on every page.",
        ),
        f"{WCAG} SC 3.2.6 (A)",
        ("把求助入口固定在所有页面的同一位置。", "Fix the help entry in one place on every page."),
    ),
    _item(
        "USA-07",
        U,
        MAJOR,
        (
            "登录不靠记忆、抄写或解谜：允许粘贴和密码管理器，或提供不需要认知测试的替代方式。",
            "Signing in needs no memorising, transcribing or puzzles: paste and password managers "
            "work, or there is an alternative without a cognitive test.",
        ),
        f"{WCAG} SC 3.3.8 (AA); {MIIT}（验证码替代）",
        (
            "允许粘贴和自动填充，为拼图类验证提供替代方式。",
            "Allow paste and autofill, and offer an alternative to puzzle checks.",
        ),
    ),
    _item(
        "USA-08",
        U,
        MINOR,
        (
            "同一流程中已填写的信息不要求再次输入。",
            "Information already given in a process is not asked for again.",
        ),
        f"{WCAG} SC 3.3.7 (A)",
        ("自动带出已填信息。", "Pre-fill what the person has already entered."),
    ),
    _item(
        "USA-09",
        U,
        MAJOR,
        (
            "出错时用通俗的文字指出错误并给出改正建议。",
            "Errors are identified in plain words, with a suggestion for fixing them.",
        ),
        f"{WCAG} SC 3.3.1 (A), 3.3.3 (AA); {GBT37668}（可理解）",
        (
            "改写错误提示，说明哪里错了、怎么改。",
            "Rewrite error messages to say what is wrong and how to fix it.",
        ),
    ),
    _item(
        "USA-10",
        U,
        MAJOR,
        (
            "核心事项（报事、预约、查询）步骤少，并经过老年人和残障人士的实际测试。",
            "Core tasks (reporting, booking, checking) take few steps and were tested with older and "
            "disabled people.",
        ),
        f"{ISO9241}; {GOV45}",
        (
            "请老年人和残障人士参与测试并据此简化流程。",
            "Test with older and disabled people and simplify the flow accordingly.",
        ),
    ),
    _item(
        "USA-11",
        U,
        MAJOR,
        (
            "上线后有明确的运维责任人和经费，用户反映的问题有人处理、有时限。",
            "After launch a named owner with a budget maintains the system, and users' problems are "
            "handled within a stated time.",
        ),
        f"{FINGERTIP}（防止“空壳”“僵尸”应用）",
        (
            "明确运维责任单位、人员和经费，公布问题处理时限。",
            "Name the maintaining unit and staff, fund them, and publish a time limit for fixes.",
        ),
    ),
    _item(
        "USA-12",
        U,
        MAJOR,
        (
            "展示给居民的数据注明更新时间，并由专人按公布的周期更新。",
            "Data shown to residents states when it was updated, and a named person updates it on a "
            "published schedule.",
        ),
        f"{FINGERTIP}（加强信息更新）",
        (
            "指定数据更新责任人和周期，页面显示更新时间。",
            "Assign a data owner and schedule, and show the update time on the page.",
        ),
    ),
    _item(
        "USA-13",
        U,
        MINOR,
        (
            "使用情况只用来发现问题、向居民问原因，不给居民或基层设下载量、活跃度指标。",
            "Usage figures are used to find problems and ask residents why, never as download or "
            "activity quotas for residents or grassroots staff.",
        ),
        FINGERTIP,
        (
            "取消下载量、打卡和在线时长考核，改为定期听取使用者意见。",
            "Drop download, check-in and screen-time quotas; ask users for feedback regularly instead.",
        ),
    ),
)

_SECURITY = (
    _item(
        "SEC-01",
        S,
        CRITICAL,
        (
            "采集人脸等生物识别信息前，告知目的和必要性并取得个人单独同意。",
            "Before collecting biometrics such as faces, the purpose and necessity are explained and "
            "separate consent is obtained.",
        ),
        f"{PIPL} 第28、29条; {FACE}",
        (
            "增加单独的生物识别同意步骤，与其他条款分开。",
            "Add a separate biometric consent step, apart from the other terms.",
        ),
    ),
    _item(
        "SEC-02",
        S,
        CRITICAL,
        (
            "个人拒绝提供生物识别或非必要信息，不会因此被拒绝服务。",
            "A person who declines biometrics or non-essential data is not refused service.",
        ),
        f"{PIPL} 第16条; {SPC} 第4条",
        (
            "拒绝同意时转入其他验证方式继续办理。",
            "When consent is declined, continue with another way of verifying.",
        ),
    ),
    _item(
        "SEC-03",
        S,
        MAJOR,
        (
            "人脸信息默认存储在识别设备内，没有单独同意或法律依据不经互联网传出。",
            "Face data stays on the recognition device by default and leaves it over the internet "
            "only with separate consent or a legal basis.",
        ),
        FACE,
        (
            "改为设备端比对，停止向云端上传人脸信息。",
            "Match on the device and stop uploading face data to the cloud.",
        ),
    ),
    _item(
        "SEC-04",
        S,
        MAJOR,
        (
            "生物识别信息与身份信息分开存储，原则上只存特征模板而不存原始图像。",
            "Biometric data is stored apart from identity data, and as templates rather than raw "
            "images wherever possible.",
        ),
        f"{GBT35273}（个人敏感信息的传输和存储）",
        ("拆分存储并删除原始人脸图像。", "Split the stores and delete raw face images."),
    ),
    _item(
        "SEC-05",
        S,
        MAJOR,
        ("个人信息在传输和存储时加密。", "Personal data is encrypted in transit and at rest."),
        f"{GBT35273}; {PIPL} 第51条; {FACE}",
        ("启用传输加密和存储加密。", "Turn on encryption in transit and at rest."),
    ),
    _item(
        "SEC-06",
        S,
        MAJOR,
        (
            "按最小权限控制访问：账号实名、权限按岗位分配并定期复核。",
            "Access follows least privilege: named accounts, role-based rights, reviewed regularly.",
        ),
        f"{GBT35273}; {PIPL} 第51条",
        (
            "清理共享账号，按岗位重新授权并定期复核。",
            "Remove shared accounts, grant rights by role and review them regularly.",
        ),
    ),
    _item(
        "SEC-07",
        S,
        MAJOR,
        (
            "对个人信息的访问和操作留有审计日志，并定期检查。",
            "Access to personal data is logged for audit, and the logs are reviewed.",
        ),
        f"{GBT35273}; {FACE}",
        ("开启审计日志并安排定期检查。", "Turn on audit logging and schedule reviews."),
    ),
    _item(
        "SEC-08",
        S,
        MAJOR,
        (
            "处理敏感个人信息（含人脸）前做过个人信息保护影响评估，并记录处理情况。",
            "A personal-information protection impact assessment was done before processing "
            "sensitive data (including faces), and processing is recorded.",
        ),
        f"{PIPL} 第55、56条; {FACE}",
        ("补做影响评估并按结论整改。", "Carry out the impact assessment and act on it."),
    ),
    _item(
        "SEC-09",
        S,
        MINOR,
        (
            "存储人脸信息达到 10 万人的，按规定向属地网信部门备案。",
            "Holders of face data on 100,000 people or more have filed with the provincial "
            "cyberspace office.",
        ),
        FACE,
        ("完成备案手续。", "Complete the filing."),
    ),
    _item(
        "SEC-10",
        S,
        MAJOR,
        (
            "只收集必要的信息，明确保存期限，目的达成或本人要求时删除。",
            "Only necessary data is collected, retention is limited, and data is deleted when the "
            "purpose ends or the person asks.",
        ),
        f"{PIPL} 第6、19、47条",
        (
            "精简收集项，设定保存期限并提供删除渠道。",
            "Cut the fields collected, set retention limits and offer a way to delete.",
        ),
    ),
    _item(
        "SEC-11",
        S,
        MINOR,
        (
            "隐私告知用通俗语言写成，长辈版中也能读到、读懂。",
            "The privacy notice is in plain language and readable in elder mode too.",
        ),
        f"{PIPL} 第17条; {MIIT}",
        (
            "改写隐私告知，提供大字和朗读版本。",
            "Rewrite the notice in plain words, with large-print and read-aloud versions.",
        ),
    ),
    _item(
        "SEC-12",
        S,
        MAJOR,
        (
            "有个人信息安全事件应急预案，发生泄露时及时补救并通知本人和主管部门。",
            "There is an incident plan, and breaches are remedied and reported to the people "
            "affected and the regulator.",
        ),
        f"{PIPL} 第51、57条; {GBT35273}",
        ("制定应急预案并演练。", "Write an incident plan and rehearse it."),
    ),
)

_EQUITY = (
    _item(
        "EQU-01",
        E,
        CRITICAL,
        (
            "每一项功能都有非数字渠道可办：窗口、电话或工作人员。",
            "A non-digital channel (counter, telephone, staff) serves every function.",
        ),
        f"{GOV45}（坚持传统服务方式与智能化服务创新并行）",
        (
            "为每项功能保留人工窗口、电话或工作人员办理渠道。",
            "Keep a counter, telephone or staff route for every function.",
        ),
    ),
    _item(
        "EQU-02",
        E,
        CRITICAL,
        (
            "人脸识别从来不是唯一的进入或验证方式：刷卡、密码、钥匙或人工核验始终可用。",
            "Face recognition is never the only way in: a card, code, key or a person can always "
            "verify instead.",
        ),
        f"{SPC} 第10条; {FACE}; {PIPL} 第16条",
        (
            "提供非生物识别的替代方式（门卡、密码、钥匙或人工核验）。",
            "Provide a non-biometric alternative (card, code, key or a person).",
        ),
    ),
    _item(
        "EQU-03",
        E,
        CRITICAL,
        (
            "停电、断网或系统故障时仍能进出、仍能办事：有机械钥匙、人工值守或手工登记等兜底。",
            "During a power, network or system outage people can still get in and get served: a "
            "mechanical key, a staffed post or paper records as fallback.",
        ),
        f"{GOV45}（突发事件应急状态下的服务保障）",
        (
            "建立故障兜底方案（机械钥匙、人工值守、手工登记）并定期演练。",
            "Set up an outage fallback (mechanical key, staffed post, paper records) and rehearse it.",
        ),
    ),
    _item(
        "EQU-04",
        E,
        MAJOR,
        (
            "办事不以拥有智能手机为前提：身份证、社保卡或纸质材料同样有效。",
            "No smartphone is required: an ID card, social-security card or paper documents work too.",
        ),
        GOV45,
        ("接受身份证、社保卡和纸质凭证。", "Accept ID cards, social-security cards and paper."),
    ),
    _item(
        "EQU-05",
        E,
        MAJOR,
        (
            "家属、网格员或工作人员可以代办、帮办。",
            "Family members, grid workers or staff can act for a resident or help them through.",
        ),
        GOV45,
        ("建立代办帮办制度并公布。", "Set up and publicise proxy and assisted service."),
    ),
    _item(
        "EQU-06",
        E,
        MAJOR,
        (
            "线下渠道与线上同等对待：不额外收费、不明显更慢、不被降低优先级。",
            "Offline channels get equal treatment: no extra fee, not markedly slower, not "
            "deprioritised.",
        ),
        GOV45,
        (
            "统一线上线下的收费、时限和排序规则。",
            "Align fees, time limits and queueing rules across channels.",
        ),
    ),
    _item(
        "EQU-07",
        E,
        MAJOR,
        (
            "为行动不便、无法到场的居民提供上门服务。",
            "People who cannot travel get service at home.",
        ),
        GOV45,
        (
            "由网格员或社区工作者提供上门办理。",
            "Have grid or community workers serve people at home.",
        ),
    ),
    _item(
        "EQU-08",
        E,
        MAJOR,
        (
            "建设或改版前调查过不能使用数字渠道的居民（如无智能手机者）比例，并为他们规划了办理途径。",
            "Before building or renewing, the share of residents who cannot use digital channels "
            "(e.g. no smartphone) was measured and a route planned for them.",
        ),
        f"{GOV45}; {FINGERTIP}（立项审核）",
        (
            "调查数字排斥人群并为其设计线下办理途径。",
            "Survey who is digitally excluded and design an offline route for them.",
        ),
    ),
    _item(
        "EQU-09",
        E,
        MINOR,
        (
            "涉及缴费时接受现金或其他非数字支付方式。",
            "Where payment is involved, cash or another non-digital means is accepted.",
        ),
        GOV45,
        ("保留现金收费方式。", "Keep accepting cash."),
    ),
)

DEFAULT_CHECKLIST: tuple[CheckItem, ...] = _ACCESSIBILITY + _USABILITY + _SECURITY + _EQUITY
"""The default checklist: 46 items, at least 9 per criterion, in report order."""

FAIRNESS_ITEM_ID = "EQU-FAIRNESS"
"""The id of the computed group-fairness item; no checklist may use it."""

FAIRNESS_ITEM = _item(
    FAIRNESS_ITEM_ID,
    E,
    MAJOR,
    (
        "各群体成功率的影响比（最低/最高）不低于 0.8（四五规则）。",
        "The impact ratio of group success rates (lowest / highest) is at least 0.8 (four-fifths "
        "rule).",
    ),
    FOUR_FIFTHS,
    (
        "查明成功率偏低群体受阻的原因，为其提供替代途径并复测。",
        "Find out why the lowest group fails, give it another way through, and measure again.",
    ),
)
"""The computed item that group outcomes feed (MAJOR, equity). It is not part of any checklist."""
