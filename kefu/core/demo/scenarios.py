"""Conversation templates for demo and seeded tickets, per category, in Chinese and English."""

from typing import NamedTuple


class Scenario(NamedTuple):
    """One believable conversation; placeholders: {name} {agent} {product} {order} {days} {amount}
    {courier} {tracking} (English scenarios use the English product and courier names)."""

    subject: str
    opening: str
    reply: str
    follow_up: str
    resolution: str
    note: str


SCENARIOS_ZH: dict[str, list[Scenario]] = {
    "inquiry": [
        Scenario(
            "咨询{product}的保修政策",
            "你好，我想问一下{product}的保修期是多久？如果在保修期内出现故障，是上门维修还是需要寄回？",
            "{name}您好，{product}整机保修一年、核心部件保修两年。保修期内非人为故障免费维修，可以选择寄修或到就近门店送修，"
            "寄修往返运费由我们承担。",
            "明白了，那纸质发票丢了还能保修吗？",
            "可以的，凭订单号 {order} 就能查到购买记录，不需要纸质发票。还有其他可以帮您的吗？",
            "客户关注保修与发票，已告知电子凭证可用。",
        ),
        Scenario(
            "申请开具增值税专用发票",
            "我们公司在官网采购了{product}，订单号 {order}，需要开增值税专用发票，请问怎么申请？",
            "{name}您好，请在订单详情页点击“申请发票”，选择“增值税专用发票”并填写公司名称、税号、开户行及账号，"
            "提交后 3 个工作日内开具。",
            "已经提交了，请帮忙看看信息对不对。",
            "已核对，开票信息无误，专票将随下一批邮寄，预计 5 个工作日内送达。",
            "企业客户开专票，信息已核对，已通知财务加急。",
        ),
        Scenario(
            "会员积分怎么使用？",
            "我账户里有 {amount} 积分，买{product}的时候能抵扣吗？怎么用？",
            "{name}您好，积分在结算页可以直接抵扣，100 积分抵 1 元，单笔最多抵扣订单金额的 20%。",
            "好的，积分有有效期吗？",
            "积分自获得之日起 12 个月内有效，您当前积分最早一批将在 {days} 天后到期，建议尽快使用。",
            "积分规则咨询，已解答。",
        ),
    ],
    "complaint": [
        Scenario(
            "投诉：客服电话一直无人接听",
            "我已经连续三天打你们客服电话都没人接，订单 {order} 的问题到现在都没人处理，太失望了！",
            "{name}您好，非常抱歉让您久等了，这是我们的失职。我是客服{agent}，您的问题由我全程跟进，今天内一定给您答复。",
            "希望这次真的能解决，不要再推来推去了。",
            "您的问题已加急处理完毕，同时为您补偿了 50 元优惠券，已发放到账户。再次向您致歉！",
            "客户情绪激动，已报主管，补偿券已审批。建议排查该时段热线排班。",
        ),
        Scenario(
            "产品质量投诉：{product}用了{days}天就坏了",
            "买的{product}才用了{days}天就无法开机了，订单号 {order}。这么贵的东西质量这么差，我要求退货退款！",
            "{name}您好，给您带来这么糟糕的体验非常抱歉。麻烦您提供一下故障照片或视频，我们会优先为您安排质检和退货。",
            "照片已经上传了，请尽快处理。",
            "质检确认为产品质量问题，已为您办理退货，退款 {amount} 元将在 3 个工作日内原路退回。",
            "同批次已有类似反馈，已同步质量部门。",
        ),
        Scenario(
            "商品与宣传不符",
            "页面上写{product}续航 30 天，实际用不到 10 天，这不是虚假宣传吗？",
            "{name}您好，感谢您的反馈。续航受使用模式影响较大，我们先帮您排查一下设置，请问您是否开启了常亮或高频同步？",
            "都是默认设置，没改过。",
            "经技术同事确认是固件问题导致耗电异常，最新固件已修复。我们同时为您提供 7 天无理由退货，您可以自行选择。",
            "涉及宣传合规，已抄送市场部核查页面描述。",
        ),
    ],
    "order": [
        Scenario(
            "订单{order}为什么还没发货？",
            "我{days}天前下的单，订单号 {order}，到现在还显示待发货，什么时候能发？",
            "{name}您好，经查询您的订单因{product}库存调配延迟，预计明天发出，发货后会短信通知您运单号。",
            "好的，麻烦尽快，着急用。",
            "您的订单已由{courier}发出，运单号 {tracking}，预计 2 天内送达，请注意查收。",
            "仓库缺货导致延迟，已催仓库优先发货。",
        ),
        Scenario(
            "下单后想修改收货地址",
            "订单 {order} 的收货地址填错了，能帮我改一下吗？新地址是上海市浦东新区张江路 88 号。",
            "{name}您好，订单尚未出库，可以修改。已为您把收货地址改为：上海市浦东新区张江路 88 号，请确认。",
            "确认，谢谢！",
            "地址已修改成功，订单会按新地址配送。",
            "出库前改址，已同步仓库。",
        ),
        Scenario(
            "物流{days}天没有更新",
            "订单 {order} 的物流信息已经{days}天没有更新了，是不是丢件了？",
            "{name}您好，我们已联系{courier}核实，运单号 {tracking} 目前在中转站滞留，正在催促派送。",
            "今天还是没动静。",
            "快递确认包裹破损无法派送，已为您重新补发，新运单号 {tracking}，补发不收取任何费用。",
            "快递滞留转补发，已向快递公司发起理赔。",
        ),
    ],
    "technical": [
        Scenario(
            "APP 登录失败，提示验证码错误",
            "用手机号登录 APP 一直提示验证码错误，换了网络也不行，已经试了好几次了。",
            "{name}您好，请先确认 APP 已更新到最新版本，清除缓存后重新获取验证码试试。",
            "更新了还是不行。",
            "后台发现您的账号因多次尝试被临时锁定，已为您解除，现在可以正常登录了。",
            "登录风控误锁，已反馈技术组排查阈值。",
        ),
        Scenario(
            "{product}无法连接家里的 Wi-Fi",
            "{product}一直连不上家里的 Wi-Fi，路由器是双频的，密码确认没错。",
            "{name}您好，{product}目前只支持 2.4GHz 频段，请在路由器设置中开启 2.4GHz 并使用独立名称，再重新配网。",
            "按你说的设置了，还是提示配网失败。",
            "远程排查发现设备固件版本过旧，已为您推送升级，升级后配网成功。",
            "固件 1.2.x 配网兼容性问题，已记录到缺陷单。",
        ),
        Scenario(
            "{product}固件升级失败，一直卡在 99%",
            "{product}升级固件的时候卡在 99% 不动了，现在设备也用不了，怎么办？",
            "{name}您好，请不要断电。长按电源键 10 秒强制重启后，设备会自动回滚到上一版本。",
            "重启了，能用了，但是还要升级吗？",
            "服务器端的升级包已修复，您现在重新升级即可。如再遇到问题请随时联系我们。",
            "升级包校验问题，技术组已修复并重新发布。",
        ),
    ],
    "after_sales": [
        Scenario(
            "退款申请一周了还没到账",
            "我{days}天前申请了订单 {order} 的退款，金额 {amount} 元，状态一直是处理中，什么时候能退回？",
            "{name}您好，已为您查询，退款已审核通过，因银行处理需要 3–5 个工作日，请耐心等待。",
            "已经超过 5 个工作日了，还是没收到。",
            "已联系财务加急处理，退款 {amount} 元已原路退回，银行流水号已发送到您的手机，请查收。",
            "退款卡在支付通道，财务已手工重推。",
        ),
        Scenario(
            "收到的{product}有划痕，申请换货",
            "刚收到{product}，外壳上有明显划痕，订单号 {order}，我要换一台新的。",
            "{name}您好，非常抱歉。请您上传划痕照片，我们审核后会安排快递上门取件并同步发出新机。",
            "照片已经传了。",
            "换货已安排，新机已由{courier}发出，运单号 {tracking}，旧机请交给上门取件的快递员。",
            "外观瑕疵换货，已反馈仓库加强出库检查。",
        ),
        Scenario(
            "寄修的{product}什么时候寄回？",
            "上个月寄修的{product}到现在还没寄回来，维修单号 RX{order}，麻烦查一下进度。",
            "{name}您好，您的设备已维修完成，正在做出厂测试，预计 2 天内寄回。",
            "好的，到时候请发个运单号给我。",
            "设备已寄回，{courier}运单号 {tracking}。维修后享受 90 天保修。",
            "维修周期超时，已提醒维修中心。",
        ),
    ],
    "suggestion": [
        Scenario(
            "建议 APP 增加夜间模式",
            "晚上用 APP 太刺眼了，建议增加一个夜间模式。",
            "{name}您好，感谢您的宝贵建议！我们已转达给产品团队评估。",
            "期待早点上线。",
            "好消息：夜间模式已在最新版本上线，更新 APP 即可在设置中开启。",
            "用户建议，已录入需求池。",
        ),
        Scenario(
            "建议下单时可以选择送货时间",
            "上班时间家里没人，希望下单时可以选择周末送货。",
            "{name}您好，感谢建议！目前可以在订单备注中写明送货时间，快递会尽量安排。我们也会评估增加预约配送功能。",
            "好的，先用备注试试。",
            "预约配送功能已列入下季度计划，上线后会第一时间通知您。",
            "预约配送需求，第 5 位客户提出。",
        ),
    ],
}

SCENARIOS_EN: dict[str, list[Scenario]] = {
    "inquiry": [
        Scenario(
            "Do you ship the {product} to Hong Kong?",
            "Hello, I live in Hong Kong. Can I order the {product} from your online store, and how long does "
            "delivery take?",
            "Hi {name}, yes, we ship to Hong Kong. Delivery usually takes 3-5 business days with {courier}.",
            "Great. Are there any import duties?",
            "No duties apply for Hong Kong. Shipping is free for orders over HK$300. Anything else I can help "
            "with?",
            "Cross-border shipping question, answered.",
        ),
    ],
    "complaint": [
        Scenario(
            "Very disappointed with the {product}",
            "I bought the {product} (order {order}) and it stopped working after {days} days. This is not "
            "acceptable for the price.",
            "Hi {name}, I am very sorry about this. Could you send us a photo or short video of the problem? We "
            "will arrange a replacement right away.",
            "Video attached. Please hurry.",
            "Thank you. A replacement has been shipped with {courier}, tracking number {tracking}. We also added "
            "a voucher to your account as an apology.",
            "Defect confirmed from the video; replacement approved by supervisor.",
        ),
    ],
    "order": [
        Scenario(
            "Order {order} has not arrived yet",
            "Hi, I placed order {order} {days} days ago and the tracking has not changed since. Where is my "
            "parcel?",
            "Hi {name}, I checked with {courier}: the parcel is held at a sorting centre. I have asked them to "
            "prioritise it.",
            "Still nothing today.",
            "The parcel was damaged in transit, so we sent a new one free of charge. New tracking number: "
            "{tracking}.",
            "Lost in transit; claim filed with the courier.",
        ),
    ],
    "technical": [
        Scenario(
            "Cannot log in to my account",
            "I cannot log in to the app. It keeps saying the verification code is wrong.",
            "Hi {name}, please update the app to the latest version, clear its cache and request a new code.",
            "I did that and it still fails.",
            "Your account had been locked after several attempts. I have unlocked it; you can log in again now.",
            "Risk control lock; asked tech support to review the threshold.",
        ),
    ],
    "after_sales": [
        Scenario(
            "Refund status for order {order}",
            "I returned the {product} from order {order} two weeks ago. When will I get my refund of "
            "{amount} yuan?",
            "Hi {name}, the return has been received and the refund approved. Banks take 3-5 business days.",
            "It has been more than five business days now.",
            "Finance pushed the refund again; {amount} yuan is back on your original payment method.",
            "Refund stuck at the payment gateway; re-sent manually.",
        ),
    ],
    "suggestion": [
        Scenario(
            "Feature request: English voice prompts",
            "The {product} only speaks Chinese. Could you add English voice prompts?",
            "Hi {name}, thank you for the suggestion! I have passed it on to our product team.",
            "Thanks, looking forward to it.",
            "Good news: English voice prompts are in the latest firmware. Update the device to switch language.",
            "Feature request logged.",
        ),
    ],
}

# A second message from a customer nobody has answered yet.
NUDGES_ZH: list[str] = [
    "请问有人处理吗？",
    "怎么还没有回复？麻烦尽快。",
    "补充一下，订单是上周下的。",
    "在吗？",
]
NUDGES_EN: list[str] = [
    "Is anyone looking at this?",
    "Any update, please?",
    "Adding: I ordered it last week.",
]
# An internal note while a ticket is on hold.
HOLD_NOTES_ZH: list[str] = [
    "等待仓库回复库存情况。",
    "已提交维修中心，等待检测结果。",
    "等待财务确认退款流水。",
]
HOLD_NOTES_EN: list[str] = ["Waiting for the warehouse.", "Waiting for the repair centre's diagnosis."]
