"""Word lists and text templates for the demo data: configuration, staff, customers and conversations.

Everything here is plain data (no ORM). Chinese first, English where the product is bilingual.
Addresses use reserved example domains so a reply typed in the demo can never reach a real person.
"""

from typing import NamedTuple

DEMO_PASSWORD = "kefu-demo-2026"  # noqa: S105 - public demo login, printed on purpose

# --- Configuration ---------------------------------------------------------------------------------

# (code, 中文, English)
CATEGORIES: list[tuple[str, str, str]] = [
    ("inquiry", "咨询", "Inquiry"),
    ("complaint", "投诉", "Complaint"),
    ("order", "订单", "Order"),
    ("technical", "技术支持", "Technical support"),
    ("after_sales", "售后", "After-sales"),
    ("suggestion", "建议", "Suggestion"),
]

# How often each category occurs among demo tickets.
CATEGORY_WEIGHTS: dict[str, int] = {
    "inquiry": 24,
    "order": 25,
    "after_sales": 18,
    "technical": 15,
    "complaint": 11,
    "suggestion": 7,
}

# (code, 中文, English, rank, colour, is_default)
PRIORITIES: list[tuple[str, str, str, int, str, bool]] = [
    ("low", "低", "Low", 10, "#64748b", False),
    ("normal", "普通", "Normal", 20, "#2563eb", True),
    ("high", "高", "High", 30, "#f59e0b", False),
    ("urgent", "紧急", "Urgent", 40, "#dc2626", False),
]

TAGS: list[str] = [
    "退款",
    "换货",
    "物流",
    "发票",
    "质量问题",
    "VIP",
    "催单",
    "重复来电",
    "登录问题",
    "支付",
    "表扬",
    "升级投诉",
    "billing",
    "shipping",
    "bug",
]

# Tags that fit a category; a ticket gets zero to two of them.
CATEGORY_TAGS: dict[str, list[str]] = {
    "inquiry": ["发票", "支付", "billing"],
    "complaint": ["升级投诉", "质量问题", "重复来电"],
    "order": ["物流", "催单", "shipping"],
    "technical": ["登录问题", "bug"],
    "after_sales": ["退款", "换货", "质量问题", "billing"],
    "suggestion": ["表扬"],
}


class Product(NamedTuple):
    model: str
    zh: str
    en: str


PRODUCTS: list[Product] = [
    Product("KF-R7", "智能扫地机器人 R7", "R7 robot vacuum"),
    Product("KF-A3", "无线降噪耳机 A3", "A3 noise-cancelling earbuds"),
    Product("KF-W5", "智能手表 W5", "W5 smart watch"),
    Product("KF-P2", "空气净化器 P2", "P2 air purifier"),
    Product("KF-T1", "声波电动牙刷 T1", "T1 sonic toothbrush"),
    Product("KF-L9", "智能门锁 L9", "L9 smart door lock"),
    Product("KF-S8", "蓝牙音箱 S8", "S8 Bluetooth speaker"),
    Product("KF-AX3000", "无线路由器 AX3000", "AX3000 Wi-Fi router"),
]

# (key, 中文, English, kind, choices, customer_visible)
CUSTOM_FIELDS: list[tuple[str, str, str, str, list[str], bool]] = [
    ("order_number", "订单号", "Order number", "text", [], True),
    ("product_model", "产品型号", "Product model", "choice", [p.model for p in PRODUCTS], True),
    ("purchase_date", "购买日期", "Purchase date", "date", [], False),
]

COURIERS: list[tuple[str, str]] = [
    ("顺丰速运", "SF Express"),
    ("京东物流", "JD Logistics"),
    ("中通快递", "ZTO Express"),
]

# --- Teams and staff -------------------------------------------------------------------------------


class TeamSpec(NamedTuple):
    name: str
    name_en: str
    description: str
    lead: str
    members: list[str]
    is_default: bool = False


TEAMS: list[TeamSpec] = [
    TeamSpec(
        "接线组",
        "Front line",
        "第一线接待：电话、在线、邮件的首次响应。",
        "supervisor",
        ["agent1", "agent2", "agent3", "agent4", "senior1"],
        is_default=True,
    ),
    TeamSpec(
        "问题处理组",
        "Problem handling",
        "处理需要跟进的售后与订单问题。",
        "senior1",
        ["senior1", "agent2", "agent3"],
    ),
    TeamSpec(
        "技术支持组",
        "Tech support",
        "设备故障、账号登录、APP 与固件问题。",
        "techlead",
        ["techlead", "tech1"],
    ),
    TeamSpec(
        "客户关系组",
        "Customer relations",
        "VIP 与大客户的专属服务。",
        "supervisor",
        ["supervisor", "senior1", "agent1"],
    ),
    TeamSpec(
        "投诉处理组",
        "Complaints",
        "投诉受理、升级与回访。",
        "supervisor",
        ["supervisor", "senior1", "agent4"],
    ),
]

# Which team a category is routed to.
CATEGORY_TEAM: dict[str, str] = {
    "inquiry": "接线组",
    "order": "接线组",
    "suggestion": "接线组",
    "after_sales": "问题处理组",
    "technical": "技术支持组",
    "complaint": "投诉处理组",
}
VIP_TEAM = "客户关系组"


class StaffSpec(NamedTuple):
    username: str
    role: str
    last_name: str
    first_name: str
    display_name: str
    level: str
    hired_days_ago: int
    skills: dict
    presence: str
    language: str = "zh-hans"


_ZH = ["zh-hans"]
_ZH_EN = ["zh-hans", "en"]

STAFF: list[StaffSpec] = [
    StaffSpec("admin", "admin", "赵", "磊", "赵磊", "L3", 1900, {"languages": _ZH_EN}, "offline"),
    StaffSpec(
        "supervisor",
        "supervisor",
        "王",
        "芳",
        "王芳",
        "L3",
        1500,
        {"categories": ["complaint", "after_sales"], "languages": _ZH_EN, "channels": ["phone", "email"]},
        "online",
    ),
    StaffSpec(
        "agent1",
        "agent",
        "张",
        "伟",
        "张伟",
        "L1",
        420,
        {"categories": ["inquiry", "order"], "languages": _ZH, "channels": ["chat", "wechat", "phone"]},
        "online",
    ),
    StaffSpec(
        "agent2",
        "agent",
        "刘",
        "洋",
        "刘洋",
        "L1",
        300,
        {"categories": ["order", "after_sales"], "languages": _ZH, "channels": ["chat", "email"]},
        "online",
    ),
    StaffSpec(
        "agent3",
        "agent",
        "陈",
        "静",
        "陈静",
        "L1",
        75,
        {"categories": ["inquiry"], "languages": _ZH, "channels": ["chat", "wechat"]},
        "away",
    ),
    StaffSpec(
        "agent4",
        "agent",
        "Chen",
        "Emily",
        "Emily Chen",
        "L1",
        130,
        {
            "categories": ["inquiry", "complaint"],
            "languages": ["en", "zh-hans"],
            "channels": ["email", "chat"],
        },
        "online",
        "en",
    ),
    StaffSpec(
        "senior1",
        "senior_agent",
        "杨",
        "帆",
        "杨帆",
        "L2",
        1100,
        {
            "categories": ["after_sales", "complaint", "order"],
            "languages": _ZH_EN,
            "channels": ["phone", "email", "chat"],
        },
        "online",
    ),
    StaffSpec(
        "tech1",
        "tech_support",
        "黄",
        "俊",
        "黄俊",
        "L2",
        600,
        {"categories": ["technical"], "languages": _ZH, "channels": ["email", "chat"]},
        "online",
    ),
    StaffSpec(
        "techlead",
        "tech_support_supervisor",
        "周",
        "敏",
        "周敏",
        "L3",
        1300,
        {"categories": ["technical"], "languages": _ZH_EN, "channels": ["email", "phone"]},
        "away",
    ),
    StaffSpec("qa1", "qa_inspector", "吴", "婷", "吴婷", "L2", 800, {"languages": _ZH}, "offline"),
    StaffSpec(
        "analyst1",
        "analyst",
        "Liu",
        "David",
        "David Liu",
        "L2",
        540,
        {"languages": ["en", "zh-hans"]},
        "offline",
        "en",
    ),
    StaffSpec("trainer1", "trainer", "孙", "丽", "孙丽", "L3", 1000, {"languages": _ZH}, "offline"),
]

PORTAL_USERNAME = "customer1"
PORTAL_EMAIL = "customer1@example.com"
PORTAL_NAME = "林晓雨"
PORTAL_PHONE = "13900001234"

# --- Macros ----------------------------------------------------------------------------------------

_SIGN_ZH = "\n\n客服 {{ agent.name }}"
_SIGN_EN = "\n\nBest regards,\n{{ agent.name }}"


class MacroSpec(NamedTuple):
    name: str
    body: str
    actions: dict
    owner: str = ""  # a personal macro of this user (not shared) when set


MACROS: list[MacroSpec] = [
    MacroSpec(
        "致歉并受理",
        "{{ customer.name }}您好，非常抱歉给您带来不便。您的问题已登记（工单号 #{{ ticket.number }}），"
        "我们会在 24 小时内给您答复。" + _SIGN_ZH,
        {"status": "open"},
    ),
    MacroSpec(
        "请提供订单号",
        "{{ customer.name }}您好，为了尽快帮您查询，请提供订单号以及收货手机号后四位。"
        "收到后我们会第一时间处理。" + _SIGN_ZH,
        {"status": "pending"},
    ),
    MacroSpec(
        "退款已受理",
        "{{ customer.name }}您好，您的退款申请已受理，款项将在 3–5 个工作日内原路退回，"
        "请留意银行或支付宝通知。工单号 #{{ ticket.number }}。" + _SIGN_ZH,
        {"add_tags": ["退款"], "status": "pending"},
    ),
    MacroSpec(
        "物流查询答复",
        "{{ customer.name }}您好，您的包裹已由快递揽收，运输途中可能有 1–2 天延迟，"
        "您可以在订单详情中查看实时物流。如 3 天后仍未更新请再联系我们。" + _SIGN_ZH,
        {"add_tags": ["物流"]},
    ),
    MacroSpec(
        "转技术支持",
        "{{ customer.name }}您好，您的问题需要技术同事进一步排查，已为您转交技术支持组，"
        "稍后会有工程师联系您。" + _SIGN_ZH,
        {"category": "technical", "team": "技术支持组"},
    ),
    MacroSpec(
        "投诉升级",
        "{{ customer.name }}您好，您的反馈我们非常重视，已升级至投诉处理组主管跟进，"
        "今天内会有专人与您联系。" + _SIGN_ZH,
        {"priority": "high", "add_tags": ["升级投诉"]},
    ),
    MacroSpec(
        "问题已解决",
        "{{ customer.name }}您好，您反馈的问题已处理完毕。如还有其他疑问，直接回复本消息即可，"
        "感谢您的耐心！" + _SIGN_ZH,
        {"status": "solved"},
    ),
    MacroSpec(
        "Request more information",
        "Hi {{ customer.name }},\n\nThank you for contacting us about ticket "
        "#{{ ticket.number }}. Could you send us your order number and a photo of the problem? "
        "We will take it from there." + _SIGN_EN,
        {"status": "pending"},
    ),
    MacroSpec(
        "Refund confirmed",
        "Hi {{ customer.name }},\n\nYour refund has been approved and will reach your "
        "original payment method within 3-5 business days." + _SIGN_EN,
        {"add_tags": ["billing"], "status": "solved"},
    ),
    MacroSpec(
        "稍后回电",
        "{{ customer.name }}您好，我稍后会给您回电，请保持电话畅通。" + _SIGN_ZH,
        {},
        owner="agent1",
    ),
]

# --- Customers -------------------------------------------------------------------------------------

# (汉字, pinyin) so Chinese customers get believable ASCII e-mail addresses.
SURNAMES: list[tuple[str, str]] = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("高", "gao"),
    ("林", "lin"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("许", "xu"),
    ("韩", "han"),
    ("冯", "feng"),
    ("邓", "deng"),
    ("曹", "cao"),
]
GIVEN_NAMES: list[tuple[str, str]] = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀英", "xiuying"),
    ("霞", "xia"),
    ("平", "ping"),
    ("晓东", "xiaodong"),
    ("子涵", "zihan"),
    ("浩然", "haoran"),
    ("雨萱", "yuxuan"),
    ("思远", "siyuan"),
    ("欣怡", "xinyi"),
    ("宇轩", "yuxuan"),
    ("梓涵", "zihan"),
    ("建国", "jianguo"),
    ("美玲", "meiling"),
    ("志强", "zhiqiang"),
    ("海燕", "haiyan"),
    ("文博", "wenbo"),
    ("佳琪", "jiaqi"),
    ("俊杰", "junjie"),
]
EN_FIRST: list[str] = [
    "James",
    "Mary",
    "John",
    "Linda",
    "Michael",
    "Sarah",
    "David",
    "Emma",
    "Daniel",
    "Olivia",
    "Thomas",
    "Sophie",
    "Kevin",
    "Grace",
    "Peter",
    "Hannah",
    "Ryan",
    "Chloe",
    "Mark",
    "Lucy",
]
EN_LAST: list[str] = [
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Davies",
    "Evans",
    "Walker",
    "Wright",
    "Thompson",
    "White",
    "Hughes",
    "Green",
    "Hall",
    "Wood",
    "Clarke",
    "Wong",
    "Lee",
    "Ng",
    "Tan",
]
EMAIL_DOMAINS: list[str] = ["example.com", "example.net", "example.org", "mail.example.cn"]
PHONE_PREFIXES: list[str] = [
    "138",
    "139",
    "136",
    "137",
    "135",
    "150",
    "151",
    "158",
    "159",
    "186",
    "187",
    "188",
    "177",
    "180",
    "199",
]
ORGANIZATIONS: list[str] = [
    "上海星辰贸易有限公司",
    "杭州云帆科技有限公司",
    "深圳前海优品电子商务有限公司",
    "北京博远教育咨询有限公司",
    "成都锦程物流有限公司",
    "广州乐家家居有限公司",
    "南京汇通酒店管理有限公司",
    "武汉启明医疗器械有限公司",
    "Acme Trading Ltd.",
    "Northwind Retail (HK) Ltd.",
    "Blue Harbor Hotels Pte. Ltd.",
    "Contoso Electronics",
]
VIP_NOTES: list[str] = [
    "年度采购大客户，优先处理。",
    "企业客户，有专属客户经理。",
    "多次复购的老客户。",
    "Key account: reply within one hour.",
]
CUSTOMER_TAGS: list[list[str]] = [["老客户"], ["企业采购"], ["复购"], ["曾投诉"], ["老客户", "复购"]]
# Region codes for believable (checksum-valid, fictional) resident ID numbers.
ID_REGIONS: list[str] = ["110101", "310104", "440305", "330106", "510107", "420106"]

# --- Quality inspection (质检) ------------------------------------------------------------------------

QUALITY_INSPECTOR = "qa1"
QUALITY_SCORECARD = ("服务质检标准", "Service quality standard")
# (中文, English, what the inspector checks, max points, critical item?): 100 points in all.
QUALITY_CRITERIA: list[tuple[str, str, str, int, bool]] = [
    ("问候与开场白", "Greeting and opening", "规范问候，自报工号或姓名，确认客户身份。", 10, False),
    ("准确理解问题", "Understands the problem", "复述并确认客户诉求，必要时追问细节。", 20, False),
    ("解决方案正确", "Correct solution", "方案符合政策与知识库，步骤完整，一次解决。", 30, False),
    ("礼貌用语", "Courteous language", "使用“您好、请、抱歉、感谢”等礼貌用语，无生硬或推诿表达。", 15, False),
    ("响应及时", "Timely responses", "按 SLA 及时回复，等待时主动告知进展。", 15, False),
    ("致命项：泄露客户隐私", "Critical: leaks customer privacy", "未经核实透露手机号、地址、订单等个人信息：0 分。", 10, True),
]
QUALITY_REVIEWS = 8  # solved demo tickets qa1 has already reviewed
QUALITY_COMMENTS: list[str] = [
    "整体规范，问题一次解决。",
    "开场白可以更热情，其余很好。",
    "解决方案正确，但回复不够及时。",
    "复述客户诉求这一步做得很好。",
]
