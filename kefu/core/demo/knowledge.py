"""Demo knowledge base: help-center articles (some translated, some internal) and FAQ entries for the bot.

Unlike the ticket history, this goes through `kefu.knowledge.services` (one small write per item, indexed for
search at once), acting as the demo trainer. Idempotent: a category is found by its slug, an article by its
title and language, an FAQ entry by its first question, so a second run creates nothing.
"""

from __future__ import annotations

import struct
import zlib
from typing import NamedTuple

from django.core.files.base import ContentFile

from kefu.knowledge import services
from kefu.knowledge.models import Article, FaqQuestion, KbCategory, Language, Visibility

ZH, EN = Language.ZH, Language.EN
KNOWLEDGE_AUTHOR = "trainer1"  # the demo staff member who writes and publishes the knowledge base

# (slug, 中文, English)
KB_CATEGORIES: list[tuple[str, str, str]] = [
    ("orders-shipping", "订单与物流", "Orders & shipping"),
    ("invoices-payment", "发票与支付", "Invoices & payment"),
    ("returns-warranty", "退换货与保修", "Returns & warranty"),
    ("product-setup", "产品使用", "Using your product"),
    ("account", "账户与安全", "Account & security"),
]


class ArticleSpec(NamedTuple):
    category: str
    title: str
    body: str
    internal: bool = False
    english: tuple[str, str] | None = None  # (title, body) of the linked English translation


ARTICLES: list[ArticleSpec] = [
    ArticleSpec(
        "invoices-payment",
        "如何申请增值税专用发票",
        "<p>企业客户可以为官网订单申请<strong>增值税专用发票</strong>，个人客户可申请增值税普通发票（电子）。</p>"
        "<h3>申请步骤</h3><ol>"
        "<li>登录官网，进入“我的订单”，打开需要开票的订单。</li>"
        "<li>点击“申请发票”，发票类型选择“增值税专用发票”。</li>"
        "<li>填写单位名称、纳税人识别号（税号）、注册地址、电话、开户行及账号。</li>"
        "<li>提交后 3 个工作日内开具，纸质专票通过顺丰寄出，电子专票发送到预留邮箱。</li></ol>"
        "<h3>注意事项</h3><ul>"
        "<li>订单确认收货后 180 天内可以申请。</li>"
        "<li>开票信息提交后如需修改，请在开具前联系客服；已开具的专票需退回后重开。</li>"
        "<li>发生退货时，需要先退回或作废对应发票。</li></ul>",
        english=(
            "How to request a special VAT invoice (fapiao)",
            "<p>Business customers can request a <strong>special VAT invoice</strong> (增值税专用发票) for orders "
            "placed on our website; individuals receive a standard electronic VAT invoice.</p>"
            "<h3>Steps</h3><ol>"
            "<li>Sign in and open the order under “My orders”.</li>"
            "<li>Click “Request invoice” and choose “Special VAT invoice”.</li>"
            "<li>Enter the company name, taxpayer ID, registered address, phone, bank and account number.</li>"
            "<li>The invoice is issued within 3 working days: paper invoices go out by SF Express, electronic "
            "ones to your e-mail address.</li></ol>"
            "<p>You can request an invoice up to 180 days after delivery. If you return the goods, the invoice "
            "must be returned or voided first.</p>",
        ),
    ),
    ArticleSpec(
        "invoices-payment",
        "电子发票在哪里下载？开错了怎么办",
        "<p>电子普通发票会在订单签收后 24 小时内自动开具。</p><ol>"
        "<li>在“我的订单 → 订单详情 → 发票”中点击“下载 PDF”。</li>"
        "<li>也可以在开票成功的短信或邮件中点击链接下载。</li></ol>"
        "<p>抬头或税号填错：在订单详情中点击“换开发票”，修改信息后系统会作废原发票并重新开具，每个订单可换开一次。"
        "需要从普通发票换成增值税专用发票，请联系在线客服处理。</p>",
        english=(
            "Where to download an electronic invoice, and how to fix a wrong one",
            "<p>Electronic invoices are issued automatically within 24 hours of delivery. Download the PDF "
            "under “My orders → Order details → Invoice”, or from the link in the confirmation e-mail.</p>"
            "<p>Wrong company name or taxpayer ID? Click “Reissue invoice” in the order details, correct the "
            "details and we void the old invoice and issue a new one (once per order). To switch to a special "
            "VAT invoice, contact our online support.</p>",
        ),
    ),
    ArticleSpec(
        "invoices-payment",
        "支持哪些支付方式？支付失败怎么办",
        "<p>官网支持微信支付、支付宝、银联卡和企业对公转账，部分商品支持花呗分期（3/6/12 期）。</p>"
        "<h3>支付失败常见原因</h3><ul>"
        "<li>银行卡单笔或单日限额不足：请更换支付方式或联系发卡行。</li>"
        "<li>订单超过 30 分钟未支付已自动取消：请重新下单。</li>"
        "<li>显示扣款成功但订单仍为“待支付”：通常 10 分钟内自动同步；超过 2 小时请提供支付截图联系客服，"
        "重复扣款会在 1–3 个工作日内原路退回。</li></ul>",
    ),
    ArticleSpec(
        "orders-shipping",
        "发货时间与物流查询",
        "<p>现货商品在付款后 24 小时内发货（大促期间 48 小时内），默认由顺丰速运或京东物流配送。</p><ol>"
        "<li>在“我的订单”中查看物流单号和实时轨迹。</li>"
        "<li>物流信息超过 48 小时未更新，可以在订单详情中点击“催件”，或联系客服核实。</li>"
        "<li>偏远地区（新疆、西藏等）通常需要 5–7 天。</li></ol>"
        "<p>签收前请当面检查外包装，如有破损可以拒收，我们会重新发货。</p>",
        english=(
            "Shipping times and order tracking",
            "<p>Items in stock ship within 24 hours of payment (48 hours during sales), by SF Express or JD "
            "Logistics.</p><ol><li>Find the tracking number and live status under “My orders”.</li>"
            "<li>If tracking has not moved for 48 hours, click “Chase delivery” or contact us.</li>"
            "<li>Remote regions usually take 5–7 days.</li></ol>"
            "<p>Check the parcel when it arrives; if it is damaged, refuse it and we ship a new one.</p>",
        ),
    ),
    ArticleSpec(
        "orders-shipping",
        "下单后如何修改收货地址或取消订单",
        "<p><strong>未发货</strong>的订单可以在“订单详情”中点击“修改地址”，每个订单可修改一次；"
        "也可以直接取消订单，款项 1–3 个工作日原路退回。</p>"
        "<p><strong>已发货</strong>的订单无法在线修改地址，请尽快联系客服，我们会尝试联系快递拦截改派"
        "（顺丰可改派，其他快递以实际结果为准）。拦截失败时可以拒收，退款在仓库收到退件后处理。</p>",
        english=(
            "Changing the delivery address or cancelling an order",
            "<p>Orders that have <strong>not shipped</strong> yet: click “Change address” in the order details "
            "(once per order), or cancel the order; the refund reaches your account in 1–3 working days.</p>"
            "<p>Orders that have <strong>shipped</strong> cannot be changed online: contact us quickly and we ask "
            "the courier to redirect the parcel. If that fails, refuse the delivery and we refund once the "
            "parcel is back in our warehouse.</p>",
        ),
    ),
    ArticleSpec(
        "returns-warranty",
        "七天无理由退货与十五天换货政策",
        "<p>自签收次日起 <strong>7 天内</strong>，商品完好、配件齐全的可申请无理由退货；"
        "<strong>15 天内</strong>出现性能故障可申请换货。</p><h3>申请方式</h3><ol>"
        "<li>在“我的订单”中点击“申请售后”，选择退货或换货并上传照片。</li>"
        "<li>审核通过后预约快递上门取件（质量问题运费由我们承担）。</li>"
        "<li>仓库签收后 48 小时内完成检测，退款 1–3 个工作日原路退回。</li></ol>"
        "<p>已激活的智能门锁、已拆封的电动牙刷刷头等个人卫生用品不支持无理由退货。</p>",
        english=(
            "7-day returns and 15-day exchanges",
            "<p>Within <strong>7 days</strong> of delivery you can return an item in its original condition "
            "with all accessories, for any reason. Within <strong>15 days</strong>, a faulty item can be "
            "exchanged.</p><ol><li>Open the order and click “After-sales”, choose return or exchange and add "
            "photos.</li><li>Once approved, book a free pick-up (we pay shipping for faulty items).</li>"
            "<li>We inspect within 48 hours of receipt and refund in 1–3 working days.</li></ol>"
            "<p>Activated smart locks and opened toothbrush heads cannot be returned without a fault.</p>",
        ),
    ),
    ArticleSpec(
        "returns-warranty",
        "产品保修政策与送修流程",
        "<p>所有产品享受 <strong>1 年整机保修</strong>，扫地机器人 R7 电池、空气净化器 P2 电机享受 2 年保修。"
        "保修凭订单号即可，不需要纸质发票。</p><h3>送修流程</h3><ol>"
        "<li>联系客服或在线提交售后申请，描述故障并上传照片或视频。</li>"
        "<li>寄送到维修中心（保修期内运费由我们承担）。</li>"
        "<li>维修中心检测后 5 个工作日内修复寄回，无法修复的更换同型号新品。</li></ol>"
        "<p>人为损坏、进液、私自拆机不在保修范围内，可以付费维修。</p>",
    ),
    ArticleSpec(
        "returns-warranty",
        "退款多久到账？",
        "<p>退款审核通过后按原支付方式退回：</p><ul>"
        "<li>微信支付、支付宝：1–3 个工作日；</li><li>银行卡：3–7 个工作日，以银行入账为准；</li>"
        "<li>花呗分期：退回分期额度，已还款部分退回原账户。</li></ul>"
        "<p>超过上述时间仍未到账，请提供订单号联系客服，我们会提供退款流水号供您向银行查询。</p>",
    ),
    ArticleSpec(
        "product-setup",
        "无线降噪耳机 A3 如何配对连接",
        "<ol><li>将两只耳机放回充电盒，打开盒盖，长按充电盒按键 3 秒，指示灯白灯闪烁即进入配对模式。</li>"
        "<li>打开手机蓝牙，选择“Kefu A3”连接。</li>"
        "<li>安装“Kefu 生活”App，可以切换降噪/通透模式并升级固件。</li></ol>"
        "<h3>只有一只耳机有声音</h3><p>把耳机放回充电盒，长按按键 10 秒直到红白灯交替闪烁（恢复出厂设置），"
        "在手机蓝牙中“忽略此设备”后重新配对。</p>",
        english=(
            "Pairing the A3 noise-cancelling earbuds",
            "<ol><li>Put both earbuds in the case, open the lid and hold the case button for 3 seconds until "
            "the light flashes white.</li><li>Turn on Bluetooth on your phone and choose “Kefu A3”.</li>"
            "<li>Install the Kefu Life app to switch noise cancelling and update the firmware.</li></ol>"
            "<p><strong>Only one earbud plays?</strong> Put them back in the case, hold the button for 10 "
            "seconds until the light alternates red and white (factory reset), forget the device on your "
            "phone and pair again.</p>",
        ),
    ),
    ArticleSpec(
        "product-setup",
        "无线路由器 AX3000 首次设置与网速慢排查",
        "<h3>首次设置</h3><ol><li>用网线连接光猫和路由器的 WAN 口（蓝色），接通电源。</li>"
        "<li>手机连接路由器底部标签上的 Wi-Fi，浏览器会自动打开设置页（或访问 192.168.31.1）。</li>"
        "<li>选择上网方式（宽带拨号需输入运营商账号密码），设置 Wi-Fi 名称和管理密码。</li></ol>"
        "<h3>网速慢或经常掉线</h3><ul><li>在管理页面升级到最新固件。</li>"
        "<li>开启“双频合一”，或让远处设备连接 2.4 GHz。</li>"
        "<li>长按 Reset 孔 5 秒可恢复出厂设置。</li></ul>",
    ),
    ArticleSpec(
        "product-setup",
        "蓝牙音箱 S8 连接、双音箱立体声与充电",
        "<p>长按电源键 2 秒开机，蓝牙指示灯快闪时在手机中选择“Kefu S8”连接。</p>"
        "<p><strong>双音箱立体声</strong>：两台 S8 都开机后，同时按住两台音箱的“+”和蓝牙键 3 秒，"
        "听到提示音即组成左右声道。</p>"
        "<p>请使用 5V/2A 以上的充电器和原装 Type-C 线，充满约 3 小时，续航约 20 小时。"
        "音箱无法开机时先充电 30 分钟再试。</p>",
    ),
    ArticleSpec(
        "account",
        "忘记密码或手机号换了怎么办",
        "<p><strong>忘记密码</strong>：在登录页点击“忘记密码”，通过手机验证码或邮箱重置。</p>"
        "<p><strong>收不到验证码</strong>：确认手机号正确、没有被拦截软件屏蔽，60 秒后可重新获取；"
        "同一手机号每天最多获取 10 次。</p>"
        "<p><strong>手机号已停用</strong>：登录后在“账户设置 → 安全”中更换绑定手机；无法登录时请联系客服，"
        "核验身份（订单号、收货信息）后为您更换。</p>",
        english=(
            "Forgotten password or a new phone number",
            "<p><strong>Forgotten password</strong>: click “Forgot password” on the sign-in page and reset it "
            "with a code sent to your phone or e-mail.</p><p><strong>No code?</strong> Check the number, any "
            "SMS blocker, and wait 60 seconds before asking again (10 codes a day at most).</p>"
            "<p><strong>Number no longer in use</strong>: change it under “Account settings → Security”, or "
            "contact us and we verify your identity with an order number.</p>",
        ),
    ),
    ArticleSpec(
        "returns-warranty",
        "【内部】退款审批流程与权限",
        "<p>仅限客服内部使用，请勿转发给客户。</p><ol>"
        "<li>500 元以下、七天无理由：一线客服可直接在订单系统中同意退款。</li>"
        "<li>500–2000 元或超出七天：提交给组长审批，备注故障描述和检测结论。</li>"
        "<li>2000 元以上、VIP/SVIP 客户或涉及投诉升级：由主管审批，并在工单中 @ 财务组。</li>"
        "<li>财务每个工作日 10:00 和 16:00 两批处理退款；在工单中记录退款流水号后再回复客户。</li></ol>"
        "<p>不得承诺具体到账时间，统一说明“1–3 个工作日原路退回”。</p>",
        internal=True,
    ),
    ArticleSpec(
        "invoices-payment",
        "【内部】增值税专用发票开具与红冲操作",
        "<p>仅限客服内部使用。</p><ul>"
        "<li>专票资料核对：单位名称与税号必须与营业执照一致，开户行账号缺失时先向客户补全再提交财务。</li>"
        "<li>已开专票需要退货：客户已认证抵扣的，需对方开具《红字发票信息表》后财务红冲；未认证的请客户寄回原票。</li>"
        "<li>财务开票系统每月 25 日后关账，之后提交的申请顺延到次月初开具，请提前告知客户。</li></ul>",
        internal=True,
    ),
    ArticleSpec(
        "orders-shipping",
        "【内部】物流异常与丢件理赔处理",
        "<p>仅限客服内部使用。</p><ol>"
        "<li>物流 72 小时无更新：在快递商家后台发起查件，同时在工单中添加“物流”标签并设为挂起。</li>"
        "<li>快递确认丢件：当天为客户补发，无需等待理赔结果；理赔由物流专员跟进。</li>"
        "<li>客户签收后反馈少件：请客户提供外包装及面单照片，24 小时内核对仓库出库称重记录。</li></ol>",
        internal=True,
    ),
]


# (category, language, answer, questions)
FAQS: list[tuple[str, str, str, list[str]]] = [
    (
        "invoices-payment",
        ZH,
        "在“我的订单”中打开订单，点击“申请发票”，选择发票类型（普通发票或增值税专用发票）并填写抬头和税号，"
        "3 个工作日内开具。电子发票会发送到您的邮箱。",
        ["怎么开发票", "如何申请发票", "订单可以开发票吗", "发票在哪里申请", "我要开票"],
    ),
    (
        "invoices-payment",
        ZH,
        "企业客户可以开增值税专用发票：申请发票时选择“增值税专用发票”，填写单位名称、税号、地址电话、开户行及账号。"
        "纸质专票 3 个工作日内顺丰寄出。",
        ["能开增值税专用发票吗", "怎么开专票", "公司采购需要专用发票", "增值税专票怎么申请"],
    ),
    (
        "invoices-payment",
        ZH,
        "发票抬头或税号填错了，可以在订单详情中点击“换开发票”，修改后系统作废原票重新开具（每个订单一次）。",
        ["发票抬头写错了怎么办", "税号填错了能改吗", "发票开错了", "怎么换开发票"],
    ),
    (
        "invoices-payment",
        ZH,
        "电子发票在签收后 24 小时内开具，可以在“我的订单 → 订单详情 → 发票”中下载 PDF。",
        ["电子发票在哪里下载", "发票怎么还没收到", "发票什么时候开", "下载发票"],
    ),
    (
        "invoices-payment",
        ZH,
        "支持微信支付、支付宝、银联卡、企业对公转账，部分商品支持花呗分期。",
        ["支持哪些支付方式", "可以用花呗吗", "能分期付款吗", "可以对公转账吗"],
    ),
    (
        "invoices-payment",
        ZH,
        "显示扣款但订单仍待支付，通常 10 分钟内自动同步。重复扣款会在 1–3 个工作日内原路退回；"
        "超过 2 小时未同步请提供支付截图联系客服。",
        ["付款成功了订单还显示未支付", "重复扣款了怎么办", "钱扣了订单没变", "支付失败但是扣钱了"],
    ),
    (
        "orders-shipping",
        ZH,
        "现货商品付款后 24 小时内发货（大促期间 48 小时），由顺丰或京东物流配送，一般 1–3 天送达。",
        ["什么时候发货", "多久能到", "下单后几天发货", "发什么快递"],
    ),
    (
        "orders-shipping",
        ZH,
        "在“我的订单”中可以查看物流单号和实时轨迹。物流 48 小时没有更新，可以点击“催件”或联系客服。",
        ["怎么查物流", "快递到哪了", "物流一直不更新", "我的包裹在哪里", "查询快递单号"],
    ),
    (
        "orders-shipping",
        ZH,
        "未发货的订单可以在订单详情中点击“修改地址”（限一次）；已发货的请尽快联系人工客服尝试拦截改派。",
        ["怎么修改收货地址", "地址填错了", "下单后能改地址吗", "收货地址写错了怎么办"],
    ),
    (
        "orders-shipping",
        ZH,
        "未发货的订单可以在订单详情中直接取消，款项 1–3 个工作日原路退回；已发货的订单可以拒收后退款。",
        ["怎么取消订单", "不想要了能取消吗", "订单取消后多久退款", "取消订单"],
    ),
    (
        "orders-shipping",
        ZH,
        "包裹外包装破损或商品少件，请在签收时拒收或拍照，24 小时内联系客服，我们核实后为您补发。",
        ["收到的货少了", "包裹破损了怎么办", "快递显示签收但我没收到", "少发了配件"],
    ),
    (
        "returns-warranty",
        ZH,
        "签收次日起 7 天内、商品完好配件齐全可无理由退货，15 天内有质量问题可换货。在“我的订单”中点击“申请售后”即可。",
        ["怎么退货", "我想退货", "七天无理由退货", "可以退换货吗", "不喜欢可以退吗"],
    ),
    (
        "returns-warranty",
        ZH,
        "15 天内出现性能故障可以换新：在“申请售后”中选择“换货”并上传故障照片，审核后快递免费上门取件。",
        ["怎么换货", "收到的产品有问题能换吗", "换新流程", "质量问题换货"],
    ),
    (
        "returns-warranty",
        ZH,
        "退款审核通过后：微信、支付宝 1–3 个工作日，银行卡 3–7 个工作日原路退回。",
        ["退款多久到账", "退款什么时候到", "钱怎么还没退回来", "退款到哪里"],
    ),
    (
        "returns-warranty",
        ZH,
        "所有产品整机保修 1 年，扫地机器人 R7 电池和空气净化器 P2 电机保修 2 年。凭订单号保修，不需要纸质发票。",
        ["保修多久", "保修期是多长", "发票丢了还能保修吗", "过了保修期怎么办"],
    ),
    (
        "returns-warranty",
        ZH,
        "在线提交售后申请并描述故障，寄到维修中心（保修期内免运费），检测后 5 个工作日内修好寄回。",
        ["怎么送修", "坏了去哪里修", "维修要多久", "怎么申请维修"],
    ),
    (
        "product-setup",
        ZH,
        "耳机放入充电盒并打开盒盖，长按盒子按键 3 秒至白灯闪烁，在手机蓝牙中选择“Kefu A3”。",
        ["耳机怎么配对", "A3 耳机连不上手机", "耳机怎么连手机", "降噪耳机怎么连接蓝牙", "耳机配对模式"],
    ),
    (
        "product-setup",
        ZH,
        "耳机放回充电盒，长按按键 10 秒至红白灯交替闪烁恢复出厂设置，在手机上忽略设备后重新配对。",
        ["耳机只有一边有声音", "一只耳机没声音", "耳机左右不同步", "耳机怎么恢复出厂设置"],
    ),
    (
        "product-setup",
        ZH,
        "网线连接光猫和路由器蓝色 WAN 口，手机连接底部标签上的 Wi-Fi，访问 192.168.31.1 按提示设置上网方式和密码。",
        ["路由器怎么设置", "AX3000 怎么安装", "路由器管理地址是多少", "新买的路由器怎么上网"],
    ),
    (
        "product-setup",
        ZH,
        "请先在管理页升级固件，开启双频合一，远处设备连接 2.4 GHz；仍不稳定可长按 Reset 孔 5 秒恢复出厂设置。",
        ["路由器网速慢", "WiFi 经常掉线", "路由器信号不好", "路由器怎么恢复出厂"],
    ),
    (
        "product-setup",
        ZH,
        "两台 S8 开机后，同时按住两台的“+”和蓝牙键 3 秒，听到提示音即组成立体声。",
        ["两个音箱怎么连在一起", "音箱立体声怎么设置", "S8 音箱怎么配对", "蓝牙音箱连接不上"],
    ),
    (
        "account",
        ZH,
        "在登录页点击“忘记密码”，用手机验证码或邮箱重置密码。",
        ["忘记密码了", "怎么重置密码", "密码找回", "登录不上账号"],
    ),
    (
        "account",
        ZH,
        "请确认手机号正确、没有拦截软件，60 秒后可以重新获取，每天最多 10 次。",
        ["收不到验证码", "验证码一直不来", "短信验证码没收到"],
    ),
    (
        "invoices-payment",
        EN,
        "Open the order under “My orders”, click “Request invoice”, choose the invoice type (standard or special "
        "VAT invoice) and enter the company name and taxpayer ID. It is issued within 3 working days.",
        [
            "How do I get an invoice?",
            "Can I have an invoice for my order",
            "I need a VAT invoice",
            "where do I request an invoice",
        ],
    ),
    (
        "orders-shipping",
        EN,
        "Find the tracking number and live status under “My orders”. If tracking has not moved for 48 hours, "
        "click “Chase delivery” or contact us.",
        ["Where is my order?", "How can I track my parcel", "my tracking has not updated", "track my order"],
    ),
    (
        "orders-shipping",
        EN,
        "Items in stock ship within 24 hours of payment (48 hours during sales) and usually arrive in 1–3 days.",
        ["When will my order ship?", "How long does delivery take", "shipping time", "when will it arrive"],
    ),
    (
        "orders-shipping",
        EN,
        "If the order has not shipped, click “Change address” in the order details (once per order). If it has "
        "shipped, contact us quickly and we ask the courier to redirect it.",
        [
            "How do I change my delivery address?",
            "I entered the wrong address",
            "can I update the shipping address",
            "change address after ordering",
        ],
    ),
    (
        "returns-warranty",
        EN,
        "You can return an item within 7 days of delivery for any reason, or exchange a faulty one within 15 "
        "days: open the order and click “After-sales”.",
        [
            "How do I return an item?",
            "What is your return policy",
            "can I exchange a faulty product",
            "I want a refund",
        ],
    ),
    (
        "returns-warranty",
        EN,
        "Refunds go back to the original payment method: 1–3 working days for WeChat Pay and Alipay, 3–7 for "
        "bank cards.",
        ["When will I get my refund?", "How long does a refund take", "refund not received yet"],
    ),
    (
        "returns-warranty",
        EN,
        "Every product has a 1-year warranty (2 years for the R7 battery and the P2 motor). Your order number "
        "is enough: no paper invoice needed.",
        [
            "How long is the warranty?",
            "is my product still under warranty",
            "warranty period",
            "how do I get it repaired",
        ],
    ),
    (
        "product-setup",
        EN,
        "Put both earbuds in the case, open the lid and hold the case button for 3 seconds until the light "
        "flashes white, then choose “Kefu A3” in your phone's Bluetooth settings.",
        [
            "How do I pair my earbuds?",
            "A3 earbuds won't connect",
            "pairing the headphones",
            "earbuds bluetooth pairing",
        ],
    ),
    (
        "account",
        EN,
        "Click “Forgot password” on the sign-in page and reset it with a code sent to your phone or e-mail.",
        ["I forgot my password", "How do I reset my password", "can't sign in to my account"],
    ),
]


def ensure_knowledge(actor) -> dict[str, int]:
    """Create whatever demo knowledge content is missing; returns how many articles / FAQ entries were added."""
    categories = {
        slug: KbCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "position": position}
        )[0]
        for position, (slug, name, name_en) in enumerate(KB_CATEGORIES)
    }
    existing = set(Article.objects.values_list("language", "title"))
    articles = 0
    for spec in ARTICLES:
        original = None
        if (ZH, spec.title) not in existing:
            original = _article(actor, spec.title, spec.body, ZH, categories[spec.category], spec.internal)
            articles += 1
        if spec.english and (EN, spec.english[0]) not in existing:
            original = original or Article.objects.filter(language=ZH, title=spec.title).first()
            title, body = spec.english
            _article(
                actor, title, body, EN, categories[spec.category], spec.internal, translation_of=original
            )
            articles += 1
    if (ZH, ILLUSTRATED_TITLE) not in existing:
        _illustrated_article(actor, categories["orders-shipping"])
        articles += 1
    asked = set(FaqQuestion.objects.values_list("text", flat=True))
    faqs = 0
    for category, language, answer, questions in FAQS:
        if questions[0] in asked:
            continue
        services.create_faq_entry(
            actor=actor,
            answer=answer,
            questions=questions,
            language=language,
            category=categories[category],
            is_published=True,
        )
        faqs += 1
    return {"articles": articles, "faq_entries": faqs}


def _article(actor, title, body, language, category, internal, *, translation_of=None) -> Article:
    article = services.create_article(
        actor=actor,
        title=title,
        body=body,
        language=language,
        category=category,
        visibility=Visibility.INTERNAL if internal else Visibility.PUBLIC,
        translation_of=translation_of,
    )
    return services.publish_article(actor=actor, article=article)


# --- an article with an image (uploaded as an editor would, then inserted into the text) -------------

ILLUSTRATED_TITLE = "在哪里找到订单号（图解）"


def _illustrated_article(actor, category) -> Article:
    article = services.create_article(actor=actor, title=ILLUSTRATED_TITLE, language=ZH, category=category)
    upload = ContentFile(order_page_png(), name="订单号位置.png")
    [image] = services.add_article_attachments(actor=actor, article=article, files=[upload])
    body = (
        "<p>订单号是一串 16 位数字，咨询客服或申请售后时都需要提供。</p>"
        "<ol><li>登录官网，点击右上角“我的订单”。</li><li>打开要查询的订单，订单号在详情页顶部（下图红框处）。</li></ol>"
        f'<p><img src="{image.url}" alt="订单详情页中订单号的位置" width="480" height="240"></p>'
        "<p>订单确认短信和邮件中也附有订单号。</p>"
    )
    services.update_article(actor=actor, article=article, title=article.title, body=body)
    return services.publish_article(actor=actor, article=article)


def png(width: int, height: int, pixel) -> bytes:
    """A truecolour PNG whose pixel (x, y) is the RGB tuple `pixel(x, y)` (pure Python, no imaging library)."""
    raw = b"".join(
        b"\x00" + bytes(channel for x in range(width) for channel in pixel(x, y)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def order_page_png() -> bytes:
    """A sketch of an order page: a blue top bar, grey lines of text, the order-number line framed in red."""

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        if y < 36:
            return (29, 78, 216)
        if (20 <= x <= 300 and y in (58, 59, 92, 93)) or (x in (20, 21, 299, 300) and 58 <= y <= 93):
            return (220, 38, 38)
        for top, length in ((68, 250), (108, 400), (132, 360), (156, 420), (180, 300), (204, 380)):
            if top <= y < top + 14 and 30 <= x < 30 + length:
                return (31, 41, 55) if top == 68 else (209, 213, 219)
        return (255, 255, 255)

    return png(480, 240, pixel)
