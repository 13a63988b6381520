<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>App</name>
    <message>
        <source>This data folder is in use</source>
        <translation>此数据目录正在被使用</translation>
    </message>
    <message>
        <source>The journal cannot be written</source>
        <translation>无法写入日志</translation>
    </message>
    <message>
        <source>The show cannot be opened</source>
        <translation>无法打开此场直播</translation>
    </message>
    <message>
        <source>Resume the show?</source>
        <translation>恢复直播？</translation>
    </message>
    <message>
        <source>The show «{title}» (started {started}) was not ended — Control Room was closed or killed while it was on air.

Resume it where the journal says it was: segment and timers, listings, prices and running offers?</source>
        <translation>直播「{title}」（开播于 {started}）没有正常结束——中控台在直播中被关闭或崩溃。

按日志恢复到当时的状态吗：环节与计时、上架、价格和进行中的限时优惠？</translation>
    </message>
    <message>
        <source>Resume the show</source>
        <translation>恢复直播</translation>
    </message>
    <message>
        <source>Start a new show</source>
        <translation>新建直播</translation>
    </message>
    <message>
        <source>Resuming the show</source>
        <translation>正在恢复直播</translation>
    </message>
    <message>
        <source>Rebuilding «{title}» from the journal…</source>
        <translation>正在从日志重建「{title}」…</translation>
    </message>
</context>
<context>
    <name>Comments</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>评论</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Questions</source>
        <translation>提问</translation>
    </message>
    <message>
        <source>Complaints</source>
        <translation>投诉</translation>
    </message>
    <message>
        <source>To cue screen</source>
        <translation>推到提词屏</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>置顶</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>已回答</translation>
    </message>
    <message>
        <source>Off the cue screen</source>
        <translation>撤下提词屏</translation>
    </message>
    <message>
        <source>* not named: the product being explained when it was posted</source>
        <translation>* 未点名商品：按发出时正在讲解的商品计</translation>
    </message>
    <message>
        <source>{n} characters sent, {shown} shown</source>
        <translation>原文 {n} 字，显示 {shown} 字</translation>
    </message>
    <message>
        <source>read as {kind} because of “{term}”</source>
        <translation>因“{term}”判为{kind}</translation>
    </message>
</context>
<context>
    <name>CommentsPanel</name>
    <message>
        <source>Comments: {what}</source>
        <translation>评论：{what}</translation>
    </message>
    <message>
        <source>This platform gives no live comments: read them in its own live console.</source>
        <translation>该平台不提供实时评论：请在平台自己的直播中控台查看。</translation>
    </message>
    <message>
        <source>Every product</source>
        <translation>全部商品</translation>
    </message>
    <message>
        <source>On the cue screen: Viewer asks: {text}</source>
        <translation>提词屏上：观众问：{text}</translation>
    </message>
    <message>
        <source>{n}/min · {q} questions · {c} complaints</source>
        <translation>{n} 条/分钟 · 提问 {q} · 投诉 {c}</translation>
    </message>
    <message>
        <source>Lucky bag {prize} × {n} · {left} left · {entries} entries</source>
        <translation>福袋 {prize} × {n} · 剩余 {left} · {entries} 人参与</translation>
    </message>
    <message>
        <source>Select a comment first</source>
        <translation>请先选中一条评论</translation>
    </message>
    <message>
        <source>Not done: {why}</source>
        <translation>未完成：{why}</translation>
    </message>
</context>
<context>
    <name>ConsoleDialogs</name>
    <message>
        <source>markup: the price goes UP</source>
        <translation>加价：价格上涨</translation>
    </message>
    <message>
        <source>Whole shop</source>
        <translation>全店</translation>
    </message>
    <message>
        <source>List</source>
        <translation>划线价</translation>
    </message>
    <message>
        <source>Live now</source>
        <translation>当前直播价</translation>
    </message>
    <message>
        <source>Net now</source>
        <translation>当前到手价</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变动</translation>
    </message>
    <message>
        <source>Net price after every discount</source>
        <translation>叠加全部优惠后到手价</translation>
    </message>
    <message>
        <source>Off list price</source>
        <translation>相对划线价</translation>
    </message>
    <message>
        <source>Margin left over the floor</source>
        <translation>高于底价的余量</translation>
    </message>
    <message>
        <source>No interlock trips.</source>
        <translation>未触发任何拦截规则。</translation>
    </message>
    <message>
        <source>Change price 改价</source>
        <translation>改价</translation>
    </message>
    <message>
        <source>Flash offer 秒杀</source>
        <translation>秒杀</translation>
    </message>
    <message>
        <source>New live price (yuan)</source>
        <translation>新直播价（元）</translation>
    </message>
    <message>
        <source>Flash price (yuan)</source>
        <translation>秒杀价（元）</translation>
    </message>
    <message>
        <source>Minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>Quantity (0 = stock)</source>
        <translation>秒杀数量（0 = 按库存）</translation>
    </message>
    <message>
        <source>Not an amount in yuan, e.g. 59 or 59.90</source>
        <translation>不是有效的金额（元），例如 59 或 59.90</translation>
    </message>
    <message>
        <source>Type the price in yuan, e.g. 59 or 59.90</source>
        <translation>请输入价格（元），例如 59 或 59.90</translation>
    </message>
    <message>
        <source>Issue coupon 发券</source>
        <translation>发券</translation>
    </message>
    <message>
        <source>Shop-wide (every product)</source>
        <translation>全店通用（所有商品）</translation>
    </message>
    <message>
        <source>Minimum spend (yuan, 0 = none)</source>
        <translation>使用门槛（元，0 = 无门槛）</translation>
    </message>
    <message>
        <source>Amount off (yuan)</source>
        <translation>优惠金额（元）</translation>
    </message>
    <message>
        <source>Total quantity (0 = unlimited)</source>
        <translation>发放总量（0 = 不限）</translation>
    </message>
    <message>
        <source>Type the amounts in yuan, e.g. 199 and 20</source>
        <translation>请输入金额（元），例如 199 和 20</translation>
    </message>
    <message>
        <source>Shown stock 仅剩 N 件</source>
        <translation>展示库存（仅剩 N 件）</translation>
    </message>
    <message>
        <source>Show as left</source>
        <translation>显示剩余</translation>
    </message>
    <message>
        <source>Real stock at the shop: {n}. Viewers see the number above.</source>
        <translation>店铺实际库存：{n}。观众看到的是上面的数字。</translation>
    </message>
</context>
<context>
    <name>ConsolePanel</name>
    <message>
        <source>Now</source>
        <translation>讲解</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>List</source>
        <translation>划线价</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>直播价</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>到手价</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>Offer</source>
        <translation>秒杀</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>改价</translation>
    </message>
    <message>
        <source>Flash offer</source>
        <translation>秒杀</translation>
    </message>
    <message>
        <source>Coupon</source>
        <translation>发券</translation>
    </message>
    <message>
        <source>Explain</source>
        <translation>讲解</translation>
    </message>
    <message>
        <source>Shown stock</source>
        <translation>展示库存</translation>
    </message>
    <message>
        <source>Undo price</source>
        <translation>撤销改价</translation>
    </message>
    <message>
        <source>List/unlist</source>
        <translation>上架/下架</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>核对后解锁</translation>
    </message>
    <message>
        <source>Console: {what}</source>
        <translation>中控：{what}</translation>
    </message>
    <message>
        <source>Console room not available</source>
        <translation>中控台不可用</translation>
    </message>
    <message>
        <source>The journal cannot be written: nothing is sent to the shop until it can.</source>
        <translation>日志无法写入：在恢复之前不会向店铺发送任何操作。</translation>
    </message>
    <message>
        <source>Explaining</source>
        <translation>讲解中</translation>
    </message>
    <message>
        <source>Being explained: the host&apos;s cue screen shows it</source>
        <translation>讲解中：主播提词屏显示的就是这个商品</translation>
    </message>
    <message>
        <source>This segment</source>
        <translation>本环节</translation>
    </message>
    <message>
        <source>Planned for the current segment</source>
        <translation>当前环节计划讲解的商品</translation>
    </message>
    <message>
        <source>not known whether the last action applied</source>
        <translation>不确定上一次操作是否生效</translation>
    </message>
    <message>
        <source>the shop may not show what was sent</source>
        <translation>店铺显示的可能不是下发的内容</translation>
    </message>
    <message>
        <source>LOCKED</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>Locked: {why}. Check it at the shop, then unlock (Ctrl+U).</source>
        <translation>已锁定：{why}。请在店铺后台核对后解锁（Ctrl+U）。</translation>
    </message>
    <message>
        <source>Listed</source>
        <translation>已上架</translation>
    </message>
    <message>
        <source>Unlisted</source>
        <translation>已下架</translation>
    </message>
    <message>
        <source>Off sale: viewers cannot buy it</source>
        <translation>已下架：观众买不到</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Flash offer running</source>
        <translation>秒杀进行中</translation>
    </message>
    <message>
        <source>What a viewer pays after every coupon and tier</source>
        <translation>观众叠加所有优惠券和阶梯价后实付的单价</translation>
    </message>
    <message>
        <source>Shown / real stock</source>
        <translation>展示库存 / 实际库存</translation>
    </message>
    <message>
        <source>Refused: the console did not send it (hover for why)</source>
        <translation>已拒绝：中控没有发出（鼠标悬停查看原因）</translation>
    </message>
    <message>
        <source>Select a product first</source>
        <translation>请先选择商品</translation>
    </message>
    <message>
        <source>No price change to undo</source>
        <translation>没有可撤销的改价</translation>
    </message>
    <message>
        <source>{product} is not locked</source>
        <translation>{product} 没有被锁定</translation>
    </message>
    <message>
        <source>Unlock {sku}</source>
        <translation>解锁 {sku}</translation>
    </message>
    <message>
        <source>{product} is locked: the shop may not show what was sent.

Did you check it in the shop&apos;s back office? Unlocking takes what the shop shows now as the truth.</source>
        <translation>{product} 已被锁定：店铺显示的可能不是下发的内容。

你已经在店铺后台核对过了吗？解锁后以店铺当前显示的状态为准。</translation>
    </message>
</context>
<context>
    <name>CueScreen</name>
    <message>
        <source>Cue screen</source>
        <translation>提词屏</translation>
    </message>
    <message>
        <source>ON BACKUP</source>
        <translation>备用线路直播中</translation>
    </message>
    <message>
        <source>PAUSED</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>SHOW ENDED</source>
        <translation>直播结束</translation>
    </message>
    <message>
        <source>STANDBY</source>
        <translation>待命</translation>
    </message>
    <message>
        <source>No rundown loaded</source>
        <translation>未加载直播脚本</translation>
    </message>
    <message>
        <source>OVERTIME</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>WRAP UP NOW</source>
        <translation>立刻收尾</translation>
    </message>
    <message>
        <source>WRAP UP SOON</source>
        <translation>准备收尾</translation>
    </message>
    <message>
        <source>TIME LEFT</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source>NEXT</source>
        <translation>下一段</translation>
    </message>
    <message>
        <source>STALE – NO UPDATES</source>
        <translation>画面停滞 – 无更新</translation>
    </message>
    <message>
        <source>last update {s} s ago — check the control room</source>
        <translation>上次更新 {s} 秒前 — 请联系中控</translation>
    </message>
    <message>
        <source>No product being explained</source>
        <translation>当前没有讲解商品</translation>
    </message>
    <message>
        <source>ON HOLD — do not sell, wait for the control room</source>
        <translation>暂停销售 — 先别卖，等中控指示</translation>
    </message>
    <message>
        <source>OFF SALE — viewers cannot buy it now</source>
        <translation>已下架 — 观众现在买不到</translation>
    </message>
    <message>
        <source>SOLD OUT</source>
        <translation>已售罄</translation>
    </message>
    <message>
        <source>Only {n} left</source>
        <translation>仅剩 {n} 件</translation>
    </message>
    <message>
        <source>In stock: {n}</source>
        <translation>库存 {n} 件</translation>
    </message>
    <message>
        <source>Offer price paused, {t} left</source>
        <translation>限时价已暂停，剩余 {t}</translation>
    </message>
    <message>
        <source>Offer price ends in {t}</source>
        <translation>限时价 {t} 后恢复原价</translation>
    </message>
    <message>
        <source>Lucky bag「{passphrase}」{t}</source>
        <translation>福袋「{passphrase}」{t}</translation>
    </message>
    <message>
        <source>After coupons {price}</source>
        <translation>券后到手 {price}</translation>
    </message>
    <message>
        <source>follow + comment</source>
        <translation>关注+评论</translation>
    </message>
    <message>
        <source>comment</source>
        <translation>评论</translation>
    </message>
    <message>
        <source>Lucky bag「{passphrase}」{cond} · {prize}</source>
        <translation>福袋「{passphrase}」{cond} · {prize}</translation>
    </message>
    <message>
        <source>Viewer asks: {text}</source>
        <translation>观众问：{text}</translation>
    </message>
    <message>
        <source>SOLD OUT → {product}: {talk}</source>
        <translation>已售罄 → 改推 {product}：{talk}</translation>
    </message>
</context>
<context>
    <name>EventFeed</name>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Select an event to see everything it recorded.</source>
        <translation>选中一条事件，这里显示它记录的全部内容。</translation>
    </message>
    <message>
        <source>{n} events</source>
        <translation>{n} 条事件</translation>
    </message>
</context>
<context>
    <name>EventWords</name>
    <message>
        <source>Alert acknowledged</source>
        <translation>告警已确认</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>Price plan imported</source>
        <translation>价格计划已导入</translation>
    </message>
    <message>
        <source>Shop brought in line with the journal</source>
        <translation>店铺已按日志对齐</translation>
    </message>
    <message>
        <source>Console restored from the journal</source>
        <translation>中控已按日志恢复</translation>
    </message>
    <message>
        <source>Supervisor PIN changed</source>
        <translation>主管 PIN 已修改</translation>
    </message>
    <message>
        <source>Alert cleared</source>
        <translation>告警解除</translation>
    </message>
    <message>
        <source>Run of show loaded</source>
        <translation>直播脚本已加载</translation>
    </message>
    <message>
        <source>Run of show ended</source>
        <translation>直播脚本结束</translation>
    </message>
    <message>
        <source>Timer paused</source>
        <translation>计时暂停</translation>
    </message>
    <message>
        <source>Timer resumed</source>
        <translation>计时继续</translation>
    </message>
    <message>
        <source>Message to the host cleared</source>
        <translation>已清除给主播的消息</translation>
    </message>
    <message>
        <source>Show created</source>
        <translation>新建直播</translation>
    </message>
    <message>
        <source>Show started (on air)</source>
        <translation>开播</translation>
    </message>
    <message>
        <source>Show ended</source>
        <translation>下播</translation>
    </message>
    <message>
        <source>Show resumed</source>
        <translation>直播已恢复</translation>
    </message>
    <message>
        <source>File made private</source>
        <translation>文件已设为私有</translation>
    </message>
    <message>
        <source>Stream guard started</source>
        <translation>推流守护已启动</translation>
    </message>
    <message>
        <source>Stream guard stopped</source>
        <translation>推流守护已停止</translation>
    </message>
    <message>
        <source>Stream guard armed (primary live)</source>
        <translation>推流守护就绪（主路已推流）</translation>
    </message>
    <message>
        <source>Stream guard disarmed (primary stopped)</source>
        <translation>推流守护解除（主路已停止）</translation>
    </message>
    <message>
        <source>Stream figures back</source>
        <translation>推流数据已恢复</translation>
    </message>
    <message>
        <source>Command to OBS</source>
        <translation>发给 OBS 的指令</translation>
    </message>
    <message>
        <source>Comments of the minute counted</source>
        <translation>本分钟评论已统计</translation>
    </message>
    <message>
        <source>Lucky bag entries recorded</source>
        <translation>福袋参与者已记录</translation>
    </message>
    <message>
        <source>Viewer&apos;s question taken off the cue screen</source>
        <translation>观众提问已撤下提词屏</translation>
    </message>
    <message>
        <source>Comment unpinned</source>
        <translation>评论取消置顶</translation>
    </message>
    <message>
        <source>Stock read back</source>
        <translation>库存已回读</translation>
    </message>
    <message>
        <source>The platform&apos;s counters fell back: figures carried on</source>
        <translation>平台计数回落：数据已接续</translation>
    </message>
    <message>
        <source>Simulated room opened</source>
        <translation>模拟直播间已开启</translation>
    </message>
    <message>
        <source>Simulated room input</source>
        <translation>模拟直播间输入</translation>
    </message>
    <message>
        <source>list</source>
        <translation>上架</translation>
    </message>
    <message>
        <source>unlist</source>
        <translation>下架</translation>
    </message>
    <message>
        <source>price</source>
        <translation>改价</translation>
    </message>
    <message>
        <source>stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>shown stock</source>
        <translation>展示库存</translation>
    </message>
    <message>
        <source>pin</source>
        <translation>讲解置顶</translation>
    </message>
    <message>
        <source>coupon issued</source>
        <translation>发券</translation>
    </message>
    <message>
        <source>coupon stopped</source>
        <translation>停券</translation>
    </message>
    <message>
        <source>flash offer started</source>
        <translation>秒杀开始</translation>
    </message>
    <message>
        <source>flash offer stopped</source>
        <translation>秒杀结束</translation>
    </message>
    <message>
        <source>segment</source>
        <translation>环节</translation>
    </message>
    <message>
        <source>on or off air</source>
        <translation>开播或断播</translation>
    </message>
    <message>
        <source>countdown started</source>
        <translation>倒计时开始</translation>
    </message>
    <message>
        <source>countdown stopped</source>
        <translation>倒计时结束</translation>
    </message>
    <message>
        <source>lucky bag started</source>
        <translation>福袋开始</translation>
    </message>
    <message>
        <source>lucky bag ended</source>
        <translation>福袋结束</translation>
    </message>
    <message>
        <source>complaint wave</source>
        <translation>投诉潮</translation>
    </message>
    <message>
        <source>a buyer&apos;s order</source>
        <translation>买家下单</translation>
    </message>
    <message>
        <source>audience on or off</source>
        <translation>观众开启或关闭</translation>
    </message>
    <message>
        <source>wrong PIN</source>
        <translation>PIN 错误</translation>
    </message>
    <message>
        <source>the supervisor&apos;s name is required</source>
        <translation>必须填写主管姓名</translation>
    </message>
    <message>
        <source>time is up</source>
        <translation>时间到</translation>
    </message>
    <message>
        <source>by the operator</source>
        <translation>中控手动</translation>
    </message>
    <message>
        <source>stream failed over</source>
        <translation>推流已切到备用</translation>
    </message>
    <message>
        <source>stream back on primary</source>
        <translation>推流已切回主路</translation>
    </message>
    <message>
        <source>circuit breaker: orders too fast</source>
        <translation>熔断：下单过快</translation>
    </message>
    <message>
        <source>circuit breaker: sold below the floor</source>
        <translation>熔断：成交价低于底价</translation>
    </message>
    <message>
        <source>circuit breaker: offer sold over its quantity</source>
        <translation>熔断：秒杀超卖</translation>
    </message>
    <message>
        <source>offer quantity sold</source>
        <translation>秒杀数量已售完</translation>
    </message>
    <message>
        <source>brought in line with the journal</source>
        <translation>按日志对齐</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>the show ended</source>
        <translation>已下播</translation>
    </message>
    <message>
        <source>applied</source>
        <translation>已生效</translation>
    </message>
    <message>
        <source>ends the flash offer</source>
        <translation>同时结束秒杀</translation>
    </message>
    <message>
        <source>Flash offer ended: {product}, back to {price} yuan</source>
        <translation>秒杀结束：{product}，恢复为 {price} 元</translation>
    </message>
    <message>
        <source>Flash offer paused: {product}, {left} left</source>
        <translation>秒杀暂停：{product}，剩余 {left}</translation>
    </message>
    <message>
        <source>Flash offer resumed: {product}, {left} left</source>
        <translation>秒杀继续：{product}，剩余 {left}</translation>
    </message>
    <message>
        <source>Explaining {product} (讲解中)</source>
        <translation>讲解 {product}（讲解中）</translation>
    </message>
    <message>
        <source>Stopped explaining</source>
        <translation>停止讲解</translation>
    </message>
    <message>
        <source>Lucky bag {bag} drawn: {n} winner(s) of {eligible} eligible ({entries} entries)</source>
        <translation>福袋 {bag} 已开奖：{eligible} 名符合条件者中抽出 {n} 人（{entries} 人参与）</translation>
    </message>
    <message>
        <source>Lucky bag {bag} ended without a draw ({reason})</source>
        <translation>福袋 {bag} 结束，未开奖（{reason}）</translation>
    </message>
    <message>
        <source>Stock of {product} read back: {n}</source>
        <translation>{product} 库存回读：{n}</translation>
    </message>
    <message>
        <source>Viewer&apos;s comment to the cue screen: “{text}”</source>
        <translation>观众评论推到提词屏：“{text}”</translation>
    </message>
    <message>
        <source>Comment pinned: “{text}”</source>
        <translation>评论置顶：“{text}”</translation>
    </message>
    <message>
        <source>Answered on air: “{text}”</source>
        <translation>已在直播中回答：“{text}”</translation>
    </message>
    <message>
        <source>the shop shows something else: product locked</source>
        <translation>店铺回读不一致：商品已锁定</translation>
    </message>
    <message>
        <source>mismatch</source>
        <translation>回读不一致</translation>
    </message>
    <message>
        <source>Locked {product}</source>
        <translation>锁定 {product}</translation>
    </message>
    <message>
        <source>until someone checks it</source>
        <translation>待人工核对</translation>
    </message>
    <message>
        <source>Unlocked {product}</source>
        <translation>解锁 {product}</translation>
    </message>
    <message>
        <source>Price plan imported: {n} products</source>
        <translation>已导入价格计划：{n} 个商品</translation>
    </message>
    <message>
        <source>Shop brought in line with the journal: {product}</source>
        <translation>店铺已按日志对齐：{product}</translation>
    </message>
    <message>
        <source>Console restored from the journal: {n} products, {offers} running offers, {locked} locked</source>
        <translation>中控已按日志恢复：{n} 个商品，{offers} 个进行中的秒杀，{locked} 个锁定</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>not known whether it applied: product locked</source>
        <translation>不确定是否生效：商品已锁定</translation>
    </message>
    <message>
        <source>uncertain</source>
        <translation>待确认</translation>
    </message>
    <message>
        <source>Price plan could not be imported</source>
        <translation>价格计划无法导入</translation>
    </message>
    <message>
        <source>Run of show&apos;s countdown offers checked: {n}</source>
        <translation>已检查直播脚本中的限时优惠：{n} 个</translation>
    </message>
    <message>
        <source>{n} blocked</source>
        <translation>{n} 个被拦截</translation>
    </message>
    <message>
        <source>Read the shop: {n} products</source>
        <translation>读取店铺：{n} 个商品</translation>
    </message>
    <message>
        <source>Gift value of {product}: {value}</source>
        <translation>{product} 的赠品价值：{value}</translation>
    </message>
    <message>
        <source>Bundle items&apos; value of {product}: {value}</source>
        <translation>{product} 的组合单品合计：{value}</translation>
    </message>
    <message>
        <source>Supervisor overrides locked after wrong PINs</source>
        <translation>PIN 多次输错，主管放行已被锁定</translation>
    </message>
    <message>
        <source>blocked</source>
        <translation>已拦截</translation>
    </message>
    <message>
        <source>to confirm</source>
        <translation>待确认</translation>
    </message>
    <message>
        <source>Confirmed after a second look: {rules}</source>
        <translation>复核后确认：{rules}</translation>
    </message>
    <message>
        <source>Ticket cancelled ({rules})</source>
        <translation>已取消（{rules}）</translation>
    </message>
    <message>
        <source>SUPERVISOR OVERRIDE: {rules} — reason: {reason}</source>
        <translation>主管放行：{rules} — 理由：{reason}</translation>
    </message>
    <message>
        <source>let through</source>
        <translation>已放行</translation>
    </message>
    <message>
        <source>Supervisor override refused: {why}</source>
        <translation>主管放行被拒：{why}</translation>
    </message>
    <message>
        <source>taken off sale</source>
        <translation>已下架</translation>
    </message>
    <message>
        <source>offer stopped</source>
        <translation>秒杀已停止</translation>
    </message>
    <message>
        <source>price put back</source>
        <translation>已恢复原价</translation>
    </message>
    <message>
        <source>sales paused</source>
        <translation>已暂停销售</translation>
    </message>
    <message>
        <source>still on sale</source>
        <translation>仍在售</translation>
    </message>
    <message>
        <source>Alert: {title}</source>
        <translation>告警：{title}</translation>
    </message>
    <message>
        <source>Segment {cue} {title} ({kind})</source>
        <translation>进入环节 {cue} {title}（{kind}）</translation>
    </message>
    <message>
        <source>Run of show started: {cue} {title}</source>
        <translation>直播脚本开始：{cue} {title}</translation>
    </message>
    <message>
        <source>Segment time {delta}</source>
        <translation>环节时间 {delta}</translation>
    </message>
    <message>
        <source>Segment {cue} ran over its time</source>
        <translation>环节 {cue} 超时</translation>
    </message>
    <message>
        <source>Countdown offer from the run of show: {product}</source>
        <translation>脚本限时优惠开始：{product}</translation>
    </message>
    <message>
        <source>Countdown offer from the run of show ended: {product}</source>
        <translation>脚本限时优惠结束：{product}</translation>
    </message>
    <message>
        <source>Countdown offer from the run of show failed: {product}</source>
        <translation>脚本限时优惠失败：{product}</translation>
    </message>
    <message>
        <source>Message to the host ({style}): {text}</source>
        <translation>给主播的消息（{style}）：{text}</translation>
    </message>
    <message>
        <source>Quit asked while on air</source>
        <translation>直播中请求退出</translation>
    </message>
    <message>
        <source>quit</source>
        <translation>已退出</translation>
    </message>
    <message>
        <source>stayed</source>
        <translation>继续留在中控</translation>
    </message>
    <message>
        <source>Show created: {title}</source>
        <translation>新建直播：{title}</translation>
    </message>
    <message>
        <source>Made private (others could read it): {path}, {was} → {now}</source>
        <translation>已设为仅本人可读（此前其他用户也能读取）：{path}，{was} → {now}</translation>
    </message>
    <message>
        <source>Stream switched to the backup ({method})</source>
        <translation>推流已切到备用（{method}）</translation>
    </message>
    <message>
        <source>in {ms} ms</source>
        <translation>用时 {ms} 毫秒</translation>
    </message>
    <message>
        <source>FAILOVER FAILED: the backup did not go live ({method})</source>
        <translation>切换备用失败：备用没有推上去（{method}）</translation>
    </message>
    <message>
        <source>restart</source>
        <translation>重启</translation>
    </message>
    <message>
        <source>correction</source>
        <translation>更正</translation>
    </message>
    <message>
        <source>Simulated room could not be restored: it starts again from zero</source>
        <translation>模拟直播间无法恢复：从零重新开始</translation>
    </message>
    <message>
        <source>input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>nothing changed at the shop</source>
        <translation>店铺未作任何改动</translation>
    </message>
    <message>
        <source>Stream back on the primary</source>
        <translation>推流已切回主路</translation>
    </message>
    <message>
        <source>RETURN TO PRIMARY FAILED: back on the backup</source>
        <translation>切回主路失败：已回到备用</translation>
    </message>
    <message>
        <source>Switching the stream to the backup</source>
        <translation>正在把推流切到备用</translation>
    </message>
    <message>
        <source>Switching the stream back to the primary</source>
        <translation>正在把推流切回主路</translation>
    </message>
    <message>
        <source>Stream FAILED and no failover applies</source>
        <translation>推流故障，且没有可用的切换方案</translation>
    </message>
    <message>
        <source>Primary FAILED: manual hold is on, not switching</source>
        <translation>主路故障：手动锁定中，不会自动切换</translation>
    </message>
    <message>
        <source>{instance}: {level}</source>
        <translation>{instance}：{level}</translation>
    </message>
    <message>
        <source>{instance} went on air again while {on_air} is live: stopped it</source>
        <translation>{instance} 在 {on_air} 直播时又推上来了：已停止</translation>
    </message>
    <message>
        <source>TWO ENCODERS ON AIR: {instance} could not be stopped — stop it in OBS</source>
        <translation>两台推流机同时在推：{instance} 无法停止 — 请在 OBS 里停止</translation>
    </message>
    <message>
        <source>{instance}: stream figures missing</source>
        <translation>{instance}：推流数据缺失</translation>
    </message>
    <message>
        <source>Fail over by hand</source>
        <translation>手动切到备用</translation>
    </message>
    <message>
        <source>Return by hand</source>
        <translation>手动切回主路</translation>
    </message>
    <message>
        <source>Manual hold on</source>
        <translation>开启手动锁定</translation>
    </message>
    <message>
        <source>Manual hold off</source>
        <translation>关闭手动锁定</translation>
    </message>
</context>
<context>
    <name>Feed</name>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Verdicts</source>
        <translation>拦截判定</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>Stream</source>
        <translation>推流</translation>
    </message>
    <message>
        <source>Simulated room</source>
        <translation>模拟直播间</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>What</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
</context>
<context>
    <name>KpiTile</name>
    <message>
        <source>target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>too early</source>
        <translation>数据不足</translation>
    </message>
    <message>
        <source>on track</source>
        <translation>达标中</translation>
    </message>
    <message>
        <source>behind</source>
        <translation>落后</translation>
    </message>
    <message>
        <source>end ≈ {pct}</source>
        <translation>预计收官 ≈ {pct}</translation>
    </message>
    <message>
        <source>{pct} of target</source>
        <translation>目标完成 {pct}</translation>
    </message>
</context>
<context>
    <name>LuckyBagDialog</name>
    <message>
        <source>Start a lucky bag</source>
        <translation>发福袋</translation>
    </message>
    <message>
        <source>Prize</source>
        <translation>奖品</translation>
    </message>
    <message>
        <source>Countdown: minutes</source>
        <translation>倒计时：分钟</translation>
    </message>
    <message>
        <source>and seconds</source>
        <translation>和秒</translation>
    </message>
    <message>
        <source>Passphrase to comment (口令)</source>
        <translation>评论口令</translation>
    </message>
    <message>
        <source>Viewers must follow (关注)</source>
        <translation>需关注主播</translation>
    </message>
    <message>
        <source>Winners</source>
        <translation>中奖人数</translation>
    </message>
    <message>
        <source>e.g. 丝绒口红正装一支</source>
        <translation>例如：丝绒口红正装一支</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Run of show</source>
        <translation>直播脚本</translation>
    </message>
    <message>
        <source>Live metrics</source>
        <translation>实时数据</translation>
    </message>
    <message>
        <source>Stream health</source>
        <translation>推流健康</translation>
    </message>
    <message>
        <source>Event feed</source>
        <translation>事件流</translation>
    </message>
    <message>
        <source>Comments</source>
        <translation>评论</translation>
    </message>
    <message>
        <source>This panel is not available in this build.</source>
        <translation>此版本中该面板不可用。</translation>
    </message>
    <message>
        <source>This panel failed to start: {err}</source>
        <translation>该面板启动失败：{err}</translation>
    </message>
    <message>
        <source>Reset layout</source>
        <translation>恢复默认布局</translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation>直播(&amp;S)</translation>
    </message>
    <message>
        <source>New show from the sample</source>
        <translation>从示例新建直播</translation>
    </message>
    <message>
        <source>Start show (go live)</source>
        <translation>开播</translation>
    </message>
    <message>
        <source>End show</source>
        <translation>下播</translation>
    </message>
    <message>
        <source>Reopen a session…</source>
        <translation>重新打开场次…</translation>
    </message>
    <message>
        <source>Export journal…</source>
        <translation>导出日志…</translation>
    </message>
    <message>
        <source>Post-show recap…</source>
        <translation>直播复盘…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Host&apos;s cue screen on/off</source>
        <translation>主播提词屏 开/关</translation>
    </message>
    <message>
        <source>&amp;Room</source>
        <translation>直播间(&amp;R)</translation>
    </message>
    <message>
        <source>Start a lucky bag…</source>
        <translation>发福袋…</translation>
    </message>
    <message>
        <source>End the lucky bag now (draw)</source>
        <translation>立即结束福袋（开奖）</translation>
    </message>
    <message>
        <source>Cancel the lucky bag (no draw)</source>
        <translation>取消福袋（不开奖）</translation>
    </message>
    <message>
        <source>Switch to the substitute</source>
        <translation>切换到替换商品</translation>
    </message>
    <message>
        <source>Sold-out line off the cue screen</source>
        <translation>撤下提词屏上的售罄替换提示</translation>
    </message>
    <message>
        <source>S&amp;tream</source>
        <translation>推流(&amp;T)</translation>
    </message>
    <message>
        <source>S&amp;ettings</source>
        <translation>设置(&amp;E)</translation>
    </message>
    <message>
        <source>Set supervisor PIN…</source>
        <translation>设置主管 PIN…</translation>
    </message>
    <message>
        <source>Open the data folder</source>
        <translation>打开数据文件夹</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>How to run a show</source>
        <translation>直播操作指南</translation>
    </message>
    <message>
        <source>Where the data lives</source>
        <translation>数据存放位置</translation>
    </message>
    <message>
        <source>About Control Room</source>
        <translation>关于中控台</translation>
    </message>
    <message>
        <source>The show is on air</source>
        <translation>正在直播</translation>
    </message>
    <message>
        <source>The show is on air. Quit Control Room anyway?

The stream and the shop carry on without the console, its interlocks and its alerts until you start it again (it offers to resume the show).</source>
        <translation>正在直播。仍要退出中控台吗？

推流和店铺会继续运行，但在重新打开中控台之前没有中控、拦截规则和告警（重新打开时会提示恢复本场直播）。</translation>
    </message>
    <message>
        <source>Quit while on air</source>
        <translation>直播中退出</translation>
    </message>
    <message>
        <source>Stay</source>
        <translation>留下</translation>
    </message>
    <message>
        <source>Control Room</source>
        <translation>中控台</translation>
    </message>
    <message>
        <source>The current show is still on air. Start a new show anyway? The current one stays open in the journal and can be reopened.</source>
        <translation>当前直播仍在进行。仍要新建直播吗？当前场次会保留在日志中，可以重新打开。</translation>
    </message>
    <message>
        <source>End the show now? Timers stop and the session is closed in the journal.</source>
        <translation>现在下播吗？计时将停止，本场在日志中关闭。</translation>
    </message>
    <message>
        <source>Reopen a session</source>
        <translation>重新打开场次</translation>
    </message>
    <message>
        <source>open</source>
        <translation>未结束</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>not started</source>
        <translation>未开播</translation>
    </message>
    <message>
        <source>No lucky bag is running</source>
        <translation>当前没有进行中的福袋</translation>
    </message>
    <message>
        <source>No substitute to switch to: the price plan names none for this product</source>
        <translation>没有可替换的商品：价格计划未给该商品指定替换款</translation>
    </message>
    <message>
        <source>Export journal</source>
        <translation>导出日志</translation>
    </message>
    <message>
        <source>This show</source>
        <translation>本场</translation>
    </message>
    <message>
        <source>All sessions</source>
        <translation>全部场次</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>场次</translation>
    </message>
    <message>
        <source>Export to folder</source>
        <translation>导出到文件夹</translation>
    </message>
    <message>
        <source>Exporting the journal…</source>
        <translation>正在导出日志…</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Exported to {out}</source>
        <translation>已导出到 {out}</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>The show has ended. Make the recap now?</source>
        <translation>直播已结束。现在生成复盘吗？</translation>
    </message>
    <message>
        <source>Recap</source>
        <translation>复盘</translation>
    </message>
    <message>
        <source>The recap is not available in this build.</source>
        <translation>此版本中复盘不可用。</translation>
    </message>
    <message>
        <source>Write the recap to folder</source>
        <translation>复盘输出到文件夹</translation>
    </message>
    <message>
        <source>Cue screen</source>
        <translation>提词屏</translation>
    </message>
    <message>
        <source>The cue screen is not available in this build.</source>
        <translation>此版本中提词屏不可用。</translation>
    </message>
    <message>
        <source>One monitor: the cue screen covers the console — F11 brings the console back.</source>
        <translation>只有一个显示器：提词屏会盖住中控台 — 按 F11 回到中控台。</translation>
    </message>
    <message>
        <source>Supervisor PIN saved (only its salted hash is stored).</source>
        <translation>主管 PIN 已保存（只保存加盐哈希）。</translation>
    </message>
    <message>
        <source>Single keys act on the product selected in the console. Esc cancels a ticket; Enter confirms only where a confirmation is allowed; a blocked ticket needs the supervisor&apos;s PIN.</source>
        <translation>单键操作作用于中控台里选中的商品。Esc 取消确认单；只有允许确认时 Enter 才会确认；被拦截的操作需要主管 PIN。</translation>
    </message>
    <message>
        <source>Check the run of show (left) and the products (middle): list, live and net price, stock.</source>
        <translation>开播前检查直播脚本（左）和商品（中）：划线价、直播价、到手价和库存。</translation>
    </message>
    <message>
        <source>Press Start show (Ctrl+Shift+S) when you go live: the run of show starts its first segment.</source>
        <translation>开播时按「开播」（Ctrl+Shift+S）：直播脚本从第一个环节开始计时。</translation>
    </message>
    <message>
        <source>Open the host&apos;s cue screen with F11 (on the second monitor when there is one).</source>
        <translation>按 F11 打开主播提词屏（有第二个显示器时显示在第二个显示器上）。</translation>
    </message>
    <message>
        <source>Select a product and press E to explain it (讲解中): the cue screen shows that product.</source>
        <translation>选中商品按 E 开始讲解（讲解中）：提词屏显示的就是这个商品。</translation>
    </message>
    <message>
        <source>P changes a price, O starts a flash offer, C issues a coupon: each dialog shows the net price, the change and the margin before anything is sent.</source>
        <translation>P 改价，O 秒杀，C 发券：每个对话框在发出之前都会显示到手价、变动幅度和利润余量。</translation>
    </message>
    <message>
        <source>Red banners are safety events: read what to do, then Acknowledge.</source>
        <translation>红色横幅是安全事件：看清处理办法，然后点「确认」。</translation>
    </message>
    <message>
        <source>F9 fails the stream over to the backup, F10 returns to the primary.</source>
        <translation>F9 把推流切到备用，F10 切回主路。</translation>
    </message>
    <message>
        <source>End show (Ctrl+Shift+E) stops the run of show and closes the session; the recap follows.</source>
        <translation>下播（Ctrl+Shift+E）停止直播脚本并结束本场，随后可以生成复盘。</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <source>Journal (every action, SQLite)</source>
        <translation>日志（所有操作，SQLite）</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Stream guard</source>
        <translation>推流守护</translation>
    </message>
    <message>
        <source>Window layout and language</source>
        <translation>窗口布局和语言</translation>
    </message>
    <message>
        <source>Show folder</source>
        <translation>节目文件夹</translation>
    </message>
    <message>
        <source>Export the journal or make the recap from the Show menu. Nothing leaves this computer except calls to the shop and the alert webhooks you set up.</source>
        <translation>可在「直播」菜单导出日志或生成复盘。除了对店铺的调用和你配置的告警 Webhook，数据不会离开这台电脑。</translation>
    </message>
    <message>
        <source>Control Room {version}&lt;br&gt;Journal: {path}</source>
        <translation>中控台 {version}&lt;br&gt;日志：{path}</translation>
    </message>
</context>
<context>
    <name>MessageDialog</name>
    <message>
        <source>Message to the host</source>
        <translation>给主播的消息</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Style</source>
        <translation>样式</translation>
    </message>
</context>
<context>
    <name>MetricsPanel</name>
    <message>
        <source>Online viewers</source>
        <translation>在线人数</translation>
    </message>
    <message>
        <source>Unique viewers (UV)</source>
        <translation>场观（观看人数）</translation>
    </message>
    <message>
        <source>GMV (¥)</source>
        <translation>GMV（元）</translation>
    </message>
    <message>
        <source>Conversion rate (%)</source>
        <translation>转化率（%）</translation>
    </message>
    <message>
        <source>Interaction rate (%)</source>
        <translation>互动率（%）</translation>
    </message>
    <message>
        <source>UV value (¥)</source>
        <translation>UV价值（元）</translation>
    </message>
    <message>
        <source>GPM (¥)</source>
        <translation>GPM（元）</translation>
    </message>
    <message>
        <source>Follow rate (%)</source>
        <translation>转粉率（%）</translation>
    </message>
    <message>
        <source>GMV</source>
        <translation>GMV</translation>
    </message>
    <message>
        <source>Conversion rate</source>
        <translation>转化率</translation>
    </message>
    <message>
        <source>UV value</source>
        <translation>UV价值</translation>
    </message>
    <message>
        <source>GPM</source>
        <translation>GPM</translation>
    </message>
    <message>
        <source>Interaction rate</source>
        <translation>互动率</translation>
    </message>
    <message>
        <source>Follow rate</source>
        <translation>转粉率</translation>
    </message>
    <message>
        <source>Add-to-cart rate</source>
        <translation>加购率</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Paid GMV</source>
        <translation>已支付 GMV</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>订单数</translation>
    </message>
    <message>
        <source>Product CTR</source>
        <translation>商品点击率</translation>
    </message>
    <message>
        <source>Click→order</source>
        <translation>点击-成交转化率</translation>
    </message>
    <message>
        <source>Segment</source>
        <translation>环节</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>UV</source>
        <translation>场观</translation>
    </message>
    <message>
        <source>Peak online</source>
        <translation>最高在线</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>处理建议</translation>
    </message>
    <message>
        <source>Metrics are not available (the metrics room is not loaded).</source>
        <translation>数据看板不可用（未加载数据模块）。</translation>
    </message>
    <message>
        <source>{chart}: no data yet</source>
        <translation>{chart}：暂无数据</translation>
    </message>
    <message>
        <source>Colour: this show · grey: previous show · lines: blue segment, amber price change, red alert, pink failover</source>
        <translation>彩色：本场 · 灰色：上一场 · 竖线：蓝=环节切换，黄=改价，红=告警，粉=备用推流切换</translation>
    </message>
    <message>
        <source>Follow live</source>
        <translation>跟随实时</translation>
    </message>
    <message>
        <source>Zoom with the mouse</source>
        <translation>允许鼠标缩放</translation>
    </message>
    <message>
        <source>Rank by</source>
        <translation>排序</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Whole show so far; each step shows its conversion from the step above.</source>
        <translation>本场累计；每一步显示相对上一步的转化率。</translation>
    </message>
    <message>
        <source>Trends</source>
        <translation>趋势</translation>
    </message>
    <message>
        <source>SKU ranking</source>
        <translation>商品排行</translation>
    </message>
    <message>
        <source>Funnel</source>
        <translation>转化漏斗</translation>
    </message>
    <message>
        <source>Segments</source>
        <translation>脚本环节</translation>
    </message>
    <message>
        <source>paid</source>
        <translation>支付</translation>
    </message>
    <message>
        <source>click→order</source>
        <translation>点击-成交</translation>
    </message>
    <message>
        <source>Last sample {time} · show time {elapsed}</source>
        <translation>最新数据 {time} · 开播 {elapsed}</translation>
    </message>
    <message>
        <source>low</source>
        <translation>偏低</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>open</source>
        <translation>未确认</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Supervisor PIN</source>
        <translation>主管 PIN</translation>
    </message>
    <message>
        <source>Current PIN</source>
        <translation>当前 PIN</translation>
    </message>
    <message>
        <source>New PIN</source>
        <translation>新 PIN</translation>
    </message>
    <message>
        <source>New PIN again</source>
        <translation>再次输入新 PIN</translation>
    </message>
    <message>
        <source>The current PIN is wrong.</source>
        <translation>当前 PIN 不正确。</translation>
    </message>
    <message>
        <source>The PIN must be at least {n} digits.</source>
        <translation>PIN 至少 {n} 位数字。</translation>
    </message>
    <message>
        <source>The two new PINs differ.</source>
        <translation>两次输入的新 PIN 不一致。</translation>
    </message>
</context>
<context>
    <name>Recap</name>
    <message>
        <source>Making the recap…</source>
        <translation>正在生成复盘…</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Recap failed</source>
        <translation>复盘失败</translation>
    </message>
    <message>
        <source>Recap written</source>
        <translation>复盘已生成</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
</context>
<context>
    <name>RundownPanel</name>
    <message>
        <source>Cue</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Planned</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Start/pause</source>
        <translation>开始/暂停</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一段</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一段</translation>
    </message>
    <message>
        <source>-1 min</source>
        <translation>-1 分钟</translation>
    </message>
    <message>
        <source>+1 min</source>
        <translation>+1 分钟</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>发消息</translation>
    </message>
    <message>
        <source>Clear msg</source>
        <translation>清除消息</translation>
    </message>
    <message>
        <source>Cue screen</source>
        <translation>提词屏</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>文件…</translation>
    </message>
    <message>
        <source>{m} min without a price anchor ({span})</source>
        <translation>{m} 分钟没有价格锚点（{span}）</translation>
    </message>
    <message>
        <source>{m} min without an interaction trigger ({span})</source>
        <translation>{m} 分钟没有互动（{span}）</translation>
    </message>
    <message>
        <source>the show runs {m} min over its slot</source>
        <translation>直播超出时段 {m} 分钟</translation>
    </message>
    <message>
        <source>Double-click: go to this cue</source>
        <translation>双击：跳到这一段</translation>
    </message>
    <message>
        <source>Run of show: {what}</source>
        <translation>直播脚本：{what}</translation>
    </message>
    <message>
        <source>Import a run of show…</source>
        <translation>导入直播脚本…</translation>
    </message>
    <message>
        <source>Export the run of show…</source>
        <translation>导出直播脚本…</translation>
    </message>
    <message>
        <source>Control API: {url}</source>
        <translation>控制接口：{url}</translation>
    </message>
    <message>
        <source>No rundown loaded</source>
        <translation>未加载直播脚本</translation>
    </message>
    <message>
        <source>Run of show</source>
        <translation>直播脚本</translation>
    </message>
    <message>
        <source>Import a run of show</source>
        <translation>导入直播脚本</translation>
    </message>
    <message>
        <source>Run of show (*.csv *.xlsx)</source>
        <translation>直播脚本 (*.csv *.xlsx)</translation>
    </message>
    <message>
        <source>Rundown import failed</source>
        <translation>直播脚本导入失败</translation>
    </message>
    <message>
        <source>Rundown imported with warnings</source>
        <translation>直播脚本已导入（有警告）</translation>
    </message>
    <message>
        <source>Export the run of show</source>
        <translation>导出直播脚本</translation>
    </message>
    <message>
        <source>Now: {cue} · {title} ({kind})</source>
        <translation>当前：{cue} · {title}（{kind}）</translation>
    </message>
    <message>
        <source>OVERTIME</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>ends {t}</source>
        <translation>预计 {t} 结束</translation>
    </message>
    <message>
        <source>(plan {t})</source>
        <translation>（计划 {t}）</translation>
    </message>
    <message>
        <source>NEXT: {cue} {title} {length}</source>
        <translation>下一段：{cue} {title} {length}</translation>
    </message>
    <message>
        <source>Cadence OK</source>
        <translation>节奏正常</translation>
    </message>
</context>
<context>
    <name>SafetyBanners</name>
    <message>
        <source>What to do:</source>
        <translation>处理办法：</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>+{n} more safety events: acknowledge these first, or see Live metrics → Alerts</source>
        <translation>还有 {n} 条安全事件：先确认上面这些，或在「实时数据 → 告警」中查看</translation>
    </message>
</context>
<context>
    <name>StatusStrip</name>
    <message>
        <source>JOURNAL ERROR</source>
        <translation>日志错误</translation>
    </message>
    <message>
        <source>Journal OK</source>
        <translation>日志正常</translation>
    </message>
    <message>
        <source>NO SHOW</source>
        <translation>无直播</translation>
    </message>
    <message>
        <source>ENDED</source>
        <translation>已下播</translation>
    </message>
    <message>
        <source>READY</source>
        <translation>待开播</translation>
    </message>
    <message>
        <source>ON AIR</source>
        <translation>直播中</translation>
    </message>
    <message>
        <source>STARTED · NOT STREAMING</source>
        <translation>已开播 · 未推流</translation>
    </message>
    <message>
        <source>Segment —</source>
        <translation>环节 —</translation>
    </message>
    <message>
        <source>Run of show ended</source>
        <translation>直播脚本已结束</translation>
    </message>
    <message>
        <source>HOLD</source>
        <translation>手动锁定</translation>
    </message>
    <message>
        <source>Stream: {state}</source>
        <translation>推流：{state}</translation>
    </message>
    <message>
        <source>No alerts</source>
        <translation>无告警</translation>
    </message>
    <message>
        <source>{n} alerts</source>
        <translation>{n} 条告警</translation>
    </message>
    <message>
        <source>1 alert</source>
        <translation>1 条告警</translation>
    </message>
    <message>
        <source>Worst: {severity}</source>
        <translation>最高级别：{severity}</translation>
    </message>
</context>
<context>
    <name>StreamActions</name>
    <message>
        <source>Switch the live stream to the backup now (F9)</source>
        <translation>立即把直播推流切到备用（F9）</translation>
    </message>
    <message>
        <source>F9 Fail over</source>
        <translation>F9 切到备用</translation>
    </message>
    <message>
        <source>F10 Return</source>
        <translation>F10 切回主路</translation>
    </message>
    <message>
        <source>Put the primary stream back on air (F10)</source>
        <translation>把主路推流切回直播（F10）</translation>
    </message>
    <message>
        <source>Fail over now</source>
        <translation>立即切到备用</translation>
    </message>
    <message>
        <source>Switch the live stream to the backup now ({method})? Offers pause and the host sees ON BACKUP.</source>
        <translation>现在把直播切到备用（{method}）？倒计时优惠将暂停，主播提词屏显示「备用直播中」。</translation>
    </message>
    <message>
        <source>Return to primary</source>
        <translation>切回主路</translation>
    </message>
    <message>
        <source>Put the primary back on air now? Check that its picture and ingest are healthy first.</source>
        <translation>现在切回主路？请先确认主路画面和推流正常。</translation>
    </message>
</context>
<context>
    <name>StreamPanel</name>
    <message>
        <source>FAIL OVER NOW</source>
        <translation>立即切到备用</translation>
    </message>
    <message>
        <source>RETURN TO PRIMARY</source>
        <translation>切回主路</translation>
    </message>
    <message>
        <source>Manual hold (no automatic switch)</source>
        <translation>手动锁定（不自动切换）</translation>
    </message>
    <message>
        <source>{chart}: no data yet</source>
        <translation>{chart}：暂无数据</translation>
    </message>
    <message>
        <source>Bitrate (kbps)</source>
        <translation>码率 (kbps)</translation>
    </message>
    <message>
        <source>Congestion</source>
        <translation>拥塞</translation>
    </message>
    <message>
        <source>HOLD</source>
        <translation>手动锁定</translation>
    </message>
    <message>
        <source>Method: {method}</source>
        <translation>切换方式：{method}</translation>
    </message>
    <message>
        <source>Stream guard is not configured. Put a guard.toml in the data folder (example: resources/guard.example.toml), or set [guard] config in settings.toml.</source>
        <translation>推流守护未配置。请在数据目录放置 guard.toml（示例：resources/guard.example.toml），或在 settings.toml 中设置 [guard] config。</translation>
    </message>
    <message>
        <source>Talk track while on backup: {text}</source>
        <translation>备用期间话术：{text}</translation>
    </message>
    <message>
        <source>no data: {error}</source>
        <translation>无数据：{error}</translation>
    </message>
    <message>
        <source>no frame yet</source>
        <translation>尚未收到画面</translation>
    </message>
    <message>
        <source>no frames for {s} s</source>
        <translation>{s} 秒无画面</translation>
    </message>
    <message>
        <source>frames arriving</source>
        <translation>画面正常</translation>
    </message>
    <message>
        <source>restarts {n}</source>
        <translation>重启 {n} 次</translation>
    </message>
    <message>
        <source>Viewer probe</source>
        <translation>观众端拉流检测</translation>
    </message>
    <message>
        <source>ON AIR</source>
        <translation>直播中</translation>
    </message>
    <message>
        <source>Switching: {target} · {s} s</source>
        <translation>切换中：{target} · {s} 秒</translation>
    </message>
    <message>
        <source>No switch yet in this session.</source>
        <translation>本场尚未切换。</translation>
    </message>
    <message>
        <source>to backup</source>
        <translation>切到备用</translation>
    </message>
    <message>
        <source>to primary</source>
        <translation>切回主路</translation>
    </message>
    <message>
        <source>by hand</source>
        <translation>手动</translation>
    </message>
    <message>
        <source>Last switch: {when} {direction} · {method} · detection to switch {ms} ms</source>
        <translation>上次切换：{when} {direction} · {method} · 从发现到切换 {ms} 毫秒</translation>
    </message>
</context>
<context>
    <name>TicketDialog</name>
    <message>
        <source>Confirm action</source>
        <translation>确认操作</translation>
    </message>
    <message>
        <source>Live / net now</source>
        <translation>当前直播价 / 到手价</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变动</translation>
    </message>
    <message>
        <source>Net price after every discount</source>
        <translation>叠加全部优惠后到手价</translation>
    </message>
    <message>
        <source>Off list price</source>
        <translation>相对划线价</translation>
    </message>
    <message>
        <source>Margin left over the floor</source>
        <translation>高于底价的余量</translation>
    </message>
    <message>
        <source>No interlock trips.</source>
        <translation>未触发任何拦截规则。</translation>
    </message>
    <message>
        <source>Supervisor override: name, PIN and a reason (journaled)</source>
        <translation>主管放行：姓名、PIN 与理由（记入日志）</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Override</source>
        <translation>放行</translation>
    </message>
    <message>
        <source>Confirm (Enter)</source>
        <translation>确认 (Enter)</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>+{pct} ABOVE the list price</source>
        <translation>比划线价高 +{pct}（加价）</translation>
    </message>
    <message>
        <source>{pct} off</source>
        <translation>低 {pct}</translation>
    </message>
    <message>
        <source>on time</source>
        <translation>准时</translation>
    </message>
    <message>
        <source>{t} behind</source>
        <translation>落后 {t}</translation>
    </message>
    <message>
        <source>{t} ahead</source>
        <translation>提前 {t}</translation>
    </message>
    <message>
        <source>Standby (not streaming)</source>
        <translation>待机（未推流）</translation>
    </message>
    <message>
        <source>On primary</source>
        <translation>主路直播中</translation>
    </message>
    <message>
        <source>Failing over…</source>
        <translation>正在切到备用…</translation>
    </message>
    <message>
        <source>ON BACKUP</source>
        <translation>备用直播中</translation>
    </message>
    <message>
        <source>Returning to primary…</source>
        <translation>正在切回主路…</translation>
    </message>
    <message>
        <source>Stream guard not configured</source>
        <translation>推流守护未配置</translation>
    </message>
    <message>
        <source>Waiting for the show to start</source>
        <translation>等待开播</translation>
    </message>
    <message>
        <source>HEALTHY</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>DEGRADED</source>
        <translation>降级</translation>
    </message>
    <message>
        <source>FAILED</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>UNKNOWN</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>IDLE</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>推流</translation>
    </message>
    <message>
        <source>Bitrate</source>
        <translation>码率</translation>
    </message>
    <message>
        <source>Congestion</source>
        <translation>拥塞</translation>
    </message>
    <message>
        <source>Dropped frames</source>
        <translation>丢帧</translation>
    </message>
    <message>
        <source>Render</source>
        <translation>渲染</translation>
    </message>
    <message>
        <source>Picture</source>
        <translation>画面</translation>
    </message>
    <message>
        <source>Viewer probe</source>
        <translation>观众端拉流检测</translation>
    </message>
    <message>
        <source>backup encoder</source>
        <translation>备用推流机</translation>
    </message>
    <message>
        <source>backup ingest</source>
        <translation>备用推流地址</translation>
    </message>
    <message>
        <source>backup scene</source>
        <translation>备用场景</translation>
    </message>
    <message>
        <source>manual</source>
        <translation>手动</translation>
    </message>
    <message>
        <source>primary</source>
        <translation>主路</translation>
    </message>
    <message>
        <source>backup</source>
        <translation>备路</translation>
    </message>
    <message>
        <source>not started</source>
        <translation>未开始</translation>
    </message>
    <message>
        <source>running</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>normal</source>
        <translation>普通</translation>
    </message>
    <message>
        <source>blink</source>
        <translation>闪烁</translation>
    </message>
    <message>
        <source>blackout</source>
        <translation>黑屏</translation>
    </message>
    <message>
        <source>opening</source>
        <translation>开场</translation>
    </message>
    <message>
        <source>product</source>
        <translation>讲解</translation>
    </message>
    <message>
        <source>interaction</source>
        <translation>互动</translation>
    </message>
    <message>
        <source>giveaway</source>
        <translation>福利</translation>
    </message>
    <message>
        <source>Q&amp;A</source>
        <translation>答疑</translation>
    </message>
    <message>
        <source>closing</source>
        <translation>收尾</translation>
    </message>
    <message>
        <source>buffer</source>
        <translation>机动</translation>
    </message>
    <message>
        <source>impressions</source>
        <translation>曝光</translation>
    </message>
    <message>
        <source>room entries</source>
        <translation>进入直播间</translation>
    </message>
    <message>
        <source>product clicks</source>
        <translation>商品点击</translation>
    </message>
    <message>
        <source>add to cart</source>
        <translation>加购</translation>
    </message>
    <message>
        <source>orders</source>
        <translation>下单</translation>
    </message>
    <message>
        <source>paid</source>
        <translation>支付</translation>
    </message>
    <message>
        <source>info</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>critical</source>
        <translation>严重</translation>
    </message>
    <message>
        <source>operator</source>
        <translation>中控</translation>
    </message>
    <message>
        <source>system</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>sample show</source>
        <translation>示例节目</translation>
    </message>
    <message>
        <source>breaker</source>
        <translation>熔断器</translation>
    </message>
    <message>
        <source>stream guard</source>
        <translation>推流守护</translation>
    </message>
    <message>
        <source>run of show</source>
        <translation>直播脚本</translation>
    </message>
    <message>
        <source>metrics</source>
        <translation>数据看板</translation>
    </message>
    <message>
        <source>console</source>
        <translation>中控台</translation>
    </message>
    <message>
        <source>supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <source>control API</source>
        <translation>控制接口</translation>
    </message>
    <message>
        <source>host</source>
        <translation>主播</translation>
    </message>
    <message>
        <source>comment room</source>
        <translation>评论区</translation>
    </message>
    <message>
        <source>rehearsal</source>
        <translation>预案演练</translation>
    </message>
    <message>
        <source>simulated room</source>
        <translation>模拟直播间</translation>
    </message>
    <message>
        <source>a value could not be read: {field}</source>
        <translation>有数值无法读取：{field}</translation>
    </message>
    <message>
        <source>net price {net} after every discount is not above zero</source>
        <translation>叠加全部优惠后到手价 {net} 不大于零</translation>
    </message>
    <message>
        <source>net price {net} is below the floor {floor} by {gap}</source>
        <translation>到手价 {net} 低于底价 {floor}，差 {gap}</translation>
    </message>
    <message>
        <source>price {price} is above the list price {list}</source>
        <translation>价格 {price} 高于划线价 {list}</translation>
    </message>
    <message>
        <source>{pct} off list ({net} against {list}): deeper than {limit} %</source>
        <translation>比划线价低 {pct}（{net}，划线价 {list}）：超过 {limit} % 的折扣上限</translation>
    </message>
    <message>
        <source>{pct} off list ({net} against {list}): {limit} % or more off needs a second look</source>
        <translation>比划线价低 {pct}（{net}，划线价 {list}）：折扣达到 {limit} % 需要再确认</translation>
    </message>
    <message>
        <source>new price {new} is ≈{f}× above the current {old}: a shifted decimal point or 元/分 mix-up?</source>
        <translation>新价格 {new} 约是当前价 {old} 的 {f} 倍：小数点错位或把元/分弄混了？</translation>
    </message>
    <message>
        <source>new price {new} is ≈{f}× below the current {old}: a shifted decimal point or 元/分 mix-up?</source>
        <translation>新价格 {new} 只有当前价 {old} 的约 1/{f}：小数点错位或把元/分弄混了？</translation>
    </message>
    <message>
        <source>one step moves the price {pct} ({old} → {new}); the band is ±{band} %</source>
        <translation>一次改价变动 {pct}（{old} → {new}），允许范围为 ±{band} %</translation>
    </message>
    <message>
        <source>a coupon of {amount} off with no minimum spend and no quantity cap</source>
        <translation>优惠券减 {amount}，既无使用门槛也无数量上限</translation>
    </message>
    <message>
        <source>coupon {amount} off is at least its minimum spend {threshold}: the item becomes free</source>
        <translation>优惠券减 {amount}，不低于使用门槛 {threshold}：商品等于白送</translation>
    </message>
    <message>
        <source>listing with no stock ({stock})</source>
        <translation>上架时没有库存（{stock}）</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>offer quantity {qty} is above stock {stock}</source>
        <translation>秒杀数量 {qty} 超过库存 {stock}</translation>
    </message>
    <message>
        <source>{n} price tiers: more than 3 confuse viewers and stack into mistakes</source>
        <translation>{n} 档阶梯价：超过 3 档会让观众困惑并叠加出错</translation>
    </message>
    <message>
        <source>bundle at {price} is {share} of its items&apos; sum {items} (should be below 85 %)</source>
        <translation>组合价 {price} 是单品合计 {items} 的 {share}（应低于 85 %）</translation>
    </message>
    <message>
        <source>gift worth {gift} is {share} of the item&apos;s {price} (expected 15–25 %)</source>
        <translation>赠品价值 {gift} 是商品价格 {price} 的 {share}（应在 15–25 % 之间）</translation>
    </message>
    <message>
        <source>banned absolute terms: {terms}</source>
        <translation>违禁极限词：{terms}</translation>
    </message>
    <message>
        <source>the same SKU twice with different prices</source>
        <translation>同一 SKU 出现两次且价格不同</translation>
    </message>
    <message>
        <source>the product is locked until someone checks it at the shop and unlocks it</source>
        <translation>商品已锁定，需要有人在店铺后台核对并解锁</translation>
    </message>
    <message>
        <source>its row in the price plan is blocked: fix the plan and import it again</source>
        <translation>价格计划中该商品的行被拦截：修正计划后重新导入</translation>
    </message>
    <message>
        <source>the journal cannot be written: nothing is sent until it can</source>
        <translation>日志无法写入：恢复之前不会发送任何操作</translation>
    </message>
    <message>
        <source>no floor price or cost is known for it: the net price cannot be checked against a floor</source>
        <translation>没有该商品的底价或成本：无法核对到手价是否低于底价</translation>
    </message>
    <message>
        <source>a lucky bag is still running: end it first</source>
        <translation>还有福袋在进行：请先结束它</translation>
    </message>
    <message>
        <source>price</source>
        <translation>价格</translation>
    </message>
    <message>
        <source>list price</source>
        <translation>划线价</translation>
    </message>
    <message>
        <source>live price</source>
        <translation>直播价</translation>
    </message>
    <message>
        <source>cost</source>
        <translation>成本</translation>
    </message>
    <message>
        <source>floor price</source>
        <translation>底价</translation>
    </message>
    <message>
        <source>stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>flash price</source>
        <translation>秒杀价</translation>
    </message>
    <message>
        <source>offer quantity</source>
        <translation>秒杀数量</translation>
    </message>
    <message>
        <source>flash offer</source>
        <translation>秒杀</translation>
    </message>
    <message>
        <source>per-buyer limit</source>
        <translation>每人限购</translation>
    </message>
    <message>
        <source>coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <source>coupon quantity</source>
        <translation>券数量</translation>
    </message>
    <message>
        <source>shown stock</source>
        <translation>展示库存</translation>
    </message>
    <message>
        <source>prize</source>
        <translation>奖品</translation>
    </message>
    <message>
        <source>passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <source>countdown</source>
        <translation>倒计时</translation>
    </message>
    <message>
        <source>winners</source>
        <translation>中奖人数</translation>
    </message>
    <message>
        <source>substitute</source>
        <translation>替换商品</translation>
    </message>
    <message>
        <source>unreadable value</source>
        <translation>数值无法读取</translation>
    </message>
    <message>
        <source>net price zero or less</source>
        <translation>到手价不大于零</translation>
    </message>
    <message>
        <source>below the floor price</source>
        <translation>低于底价</translation>
    </message>
    <message>
        <source>above the list price</source>
        <translation>高于划线价</translation>
    </message>
    <message>
        <source>discount too deep</source>
        <translation>折扣过深</translation>
    </message>
    <message>
        <source>deep discount</source>
        <translation>大额折扣</translation>
    </message>
    <message>
        <source>≈10× price change</source>
        <translation>改价约 10 倍</translation>
    </message>
    <message>
        <source>price step too large</source>
        <translation>单次改价幅度过大</translation>
    </message>
    <message>
        <source>coupon without minimum or cap</source>
        <translation>优惠券无门槛无上限</translation>
    </message>
    <message>
        <source>coupon makes the item free</source>
        <translation>优惠券让商品白送</translation>
    </message>
    <message>
        <source>no stock</source>
        <translation>无库存</translation>
    </message>
    <message>
        <source>offer quantity above stock</source>
        <translation>秒杀数量超过库存</translation>
    </message>
    <message>
        <source>duplicate SKU</source>
        <translation>SKU 重复</translation>
    </message>
    <message>
        <source>product locked</source>
        <translation>商品已锁定</translation>
    </message>
    <message>
        <source>blocked in the price plan</source>
        <translation>价格计划中被拦截</translation>
    </message>
    <message>
        <source>journal cannot be written</source>
        <translation>日志无法写入</translation>
    </message>
    <message>
        <source>no floor known</source>
        <translation>没有底价</translation>
    </message>
    <message>
        <source>too many price tiers</source>
        <translation>阶梯价过多</translation>
    </message>
    <message>
        <source>bundle discount too small</source>
        <translation>组合优惠过小</translation>
    </message>
    <message>
        <source>gift value out of range</source>
        <translation>赠品价值不合理</translation>
    </message>
    <message>
        <source>banned terms</source>
        <translation>违禁词</translation>
    </message>
    <message>
        <source>a lucky bag is running</source>
        <translation>福袋进行中</translation>
    </message>
    <message>
        <source>ALLOWED</source>
        <translation>允许</translation>
    </message>
    <message>
        <source>CONFIRM</source>
        <translation>需确认</translation>
    </message>
    <message>
        <source>BLOCKED</source>
        <translation>已拦截</translation>
    </message>
    <message>
        <source>List</source>
        <translation>上架</translation>
    </message>
    <message>
        <source>Unlist</source>
        <translation>下架</translation>
    </message>
    <message>
        <source>Change price</source>
        <translation>改价</translation>
    </message>
    <message>
        <source>Revert price</source>
        <translation>撤销改价</translation>
    </message>
    <message>
        <source>Start flash offer</source>
        <translation>开始秒杀</translation>
    </message>
    <message>
        <source>Stop flash offer</source>
        <translation>结束秒杀</translation>
    </message>
    <message>
        <source>Issue coupon</source>
        <translation>发券</translation>
    </message>
    <message>
        <source>Stop coupon</source>
        <translation>停券</translation>
    </message>
    <message>
        <source>Explain</source>
        <translation>讲解</translation>
    </message>
    <message>
        <source>Show stock</source>
        <translation>展示库存</translation>
    </message>
    <message>
        <source>Restore price</source>
        <translation>恢复价格</translation>
    </message>
    <message>
        <source>Set gift value</source>
        <translation>设置赠品价值</translation>
    </message>
    <message>
        <source>Set bundle value</source>
        <translation>设置组合价值</translation>
    </message>
    <message>
        <source>Start lucky bag</source>
        <translation>发福袋</translation>
    </message>
    <message>
        <source>Draw lucky bag</source>
        <translation>福袋开奖</translation>
    </message>
    <message>
        <source>Switch to the substitute</source>
        <translation>切换替换商品</translation>
    </message>
    <message>
        <source>yuan</source>
        <translation>元</translation>
    </message>
    <message>
        <source>{n} units</source>
        <translation>{n} 件</translation>
    </message>
    <message>
        <source>shop-wide</source>
        <translation>全店</translation>
    </message>
    <message>
        <source>Stop explaining</source>
        <translation>停止讲解</translation>
    </message>
    <message>
        <source>only {n} left</source>
        <translation>仅剩 {n} 件</translation>
    </message>
    <message>
        <source>{amount} off over {threshold}</source>
        <translation>满 {threshold} 减 {amount}</translation>
    </message>
    <message>
        <source>{amount} off, no minimum</source>
        <translation>无门槛减 {amount}</translation>
    </message>
    <message>
        <source>{n} coupons</source>
        <translation>{n} 张</translation>
    </message>
    <message>
        <source>follow + comment</source>
        <translation>关注+评论</translation>
    </message>
    <message>
        <source>comment</source>
        <translation>评论</translation>
    </message>
    <message>
        <source>Sold-out line off</source>
        <translation>撤下售罄替换提示</translation>
    </message>
    <message>
        <source>size</source>
        <translation>尺码</translation>
    </message>
    <message>
        <source>shade</source>
        <translation>色号</translation>
    </message>
    <message>
        <source>shipping</source>
        <translation>发货</translation>
    </message>
    <message>
        <source>after-sales</source>
        <translation>售后</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <source>slow shipping</source>
        <translation>发货慢</translation>
    </message>
    <message>
        <source>fakes</source>
        <translation>假货</translation>
    </message>
    <message>
        <source>refunds</source>
        <translation>退款</translation>
    </message>
    <message>
        <source>a price rise</source>
        <translation>涨价</translation>
    </message>
    <message>
        <source>question</source>
        <translation>提问</translation>
    </message>
    <message>
        <source>complaint</source>
        <translation>投诉</translation>
    </message>
    <message>
        <source>praise</source>
        <translation>好评</translation>
    </message>
    <message>
        <source>spam</source>
        <translation>广告</translation>
    </message>
    <message>
        <source>lucky bag entry</source>
        <translation>福袋参与</translation>
    </message>
    <message>
        <source>chat</source>
        <translation>闲聊</translation>
    </message>
    <message>
        <source>Conversion {rate} over the last {m} min (below {min})</source>
        <translation>近 {m} 分钟转化率 {rate}（低于 {min}）</translation>
    </message>
    <message>
        <source>GMV dropped {pct} in the last {m} min ({now} vs {before})</source>
        <translation>近 {m} 分钟 GMV 下降 {pct}（{now}，此前 {before}）</translation>
    </message>
    <message>
        <source>GMV jumped {pct} in the last {m} min ({now} vs {before})</source>
        <translation>近 {m} 分钟 GMV 上涨 {pct}（{now}，此前 {before}）</translation>
    </message>
    <message>
        <source>{product}: add-to-cart {rate} (below {min})</source>
        <translation>{product}：加购率 {rate}（低于 {min}）</translation>
    </message>
    <message>
        <source>Viewers down {pct} in {m} min ({peak} → {now})</source>
        <translation>{m} 分钟内在线人数下降 {pct}（{peak} → {now}）</translation>
    </message>
    <message>
        <source>UV value {value} below the category figure {category}</source>
        <translation>UV价值 {value} 低于类目水平 {category}</translation>
    </message>
    <message>
        <source>CIRCUIT BREAKER on {product}: {orders} orders in {s} s, more than {allowed} allowed</source>
        <translation>熔断 {product}：{s} 秒内 {orders} 单，超过允许的 {allowed} 单</translation>
    </message>
    <message>
        <source>CIRCUIT BREAKER on {product}: sold at {price}, below the floor {floor}</source>
        <translation>熔断 {product}：成交价 {price} 低于底价 {floor}</translation>
    </message>
    <message>
        <source>CIRCUIT BREAKER on {product}: the offer sold {sold}, more than its {quantity}</source>
        <translation>熔断 {product}：秒杀卖出 {sold} 件，超过设定的 {quantity} 件</translation>
    </message>
    <message>
        <source>Supervisor overrides locked after wrong PINs</source>
        <translation>PIN 多次输错，主管放行已被锁定</translation>
    </message>
    <message>
        <source>Price plan not imported: no floors or costs, so nothing can be judged</source>
        <translation>价格计划未导入：没有底价或成本，无法判断</translation>
    </message>
    <message>
        <source>Price plan: some products cannot be listed (see the feed)</source>
        <translation>价格计划：部分商品不能上架（见事件流）</translation>
    </message>
    <message>
        <source>Run of show: some countdown offers would be blocked (see the feed)</source>
        <translation>直播脚本：部分限时优惠会被拦截（见事件流）</translation>
    </message>
    <message>
        <source>READ-BACK MISMATCH on {product}: the shop shows something else; the product is locked</source>
        <translation>回读不一致 {product}：店铺显示的与下发的不同，商品已锁定</translation>
    </message>
    <message>
        <source>TWO ENCODERS ON AIR: the guard could not stop one</source>
        <translation>两台推流机同时在推：推流守护无法停止其中一台</translation>
    </message>
    <message>
        <source>Complaints burst: {n} in {s} s, {x}× the show&apos;s usual — mostly {topic}</source>
        <translation>投诉激增：{s} 秒内 {n} 条，是本场平常的 {x} 倍 — 主要是{topic}</translation>
    </message>
    <message>
        <source>Complaints burst: {n} in {s} s — mostly {topic}</source>
        <translation>投诉激增：{s} 秒内 {n} 条 — 主要是{topic}</translation>
    </message>
    <message>
        <source>Viewers keep asking about {product}: {topic} ({n} viewers in {s} s)</source>
        <translation>观众一直在问 {product}：{topic}（{s} 秒内 {n} 人）</translation>
    </message>
    <message>
        <source>Viewers keep asking: {topic} ({n} viewers in {s} s)</source>
        <translation>观众一直在问：{topic}（{s} 秒内 {n} 人）</translation>
    </message>
    <message>
        <source>{product} SOLD OUT: switch to {substitute} (R)</source>
        <translation>{product} 已售罄：切换到 {substitute}（R）</translation>
    </message>
    <message>
        <source>{product} SOLD OUT</source>
        <translation>{product} 已售罄</translation>
    </message>
    <message>
        <source>{product}: only {n} left</source>
        <translation>{product}：仅剩 {n} 件</translation>
    </message>
    <message>
        <source>Sales were paused on it (its offer ended, its price put back, or taken off sale). Check its price and coupons at the shop before selling it again.</source>
        <translation>已暂停该商品的销售（结束秒杀、恢复原价或下架）。重新销售前请在店铺后台核对价格和优惠券。</translation>
    </message>
    <message>
        <source>It sells far above the planned rate at its own price, with nothing to pause: it stays on sale. Check stock and the plan; take it off sale yourself if this is wrong.</source>
        <translation>按原价成交速度远超计划，且没有可暂停的优惠：商品继续在售。请核对库存与计划；如确有问题，请手动下架。</translation>
    </message>
    <message>
        <source>Use RETURN (F10) to go back to that encoder; two must never publish for one room.</source>
        <translation>要切回那台推流机请用切回（F10）；同一个直播间绝不能两台同时推流。</translation>
    </message>
    <message>
        <source>Stop the second encoder in OBS now; the guard keeps trying.</source>
        <translation>立即在 OBS 里停止第二台推流机；推流守护会继续尝试。</translation>
    </message>
    <message>
        <source>Launch a lucky bag 福袋 to hold viewers: press F.</source>
        <translation>发福袋留住观众：按 F。</translation>
    </message>
    <message>
        <source>Give the standard reply on air, then cut to the assistant&apos;s demo.</source>
        <translation>先用标准话术在直播中回应，再切到助播演示。</translation>
    </message>
    <message>
        <source>Answer it once, for everyone (the comment list: A marks it answered).</source>
        <translation>统一回答一次（评论列表里按 A 标记已回答）。</translation>
    </message>
    <message>
        <source>Press R: the substitute goes on sale and on screen with its talk track.</source>
        <translation>按 R：替换商品上架并讲解，提词屏显示替换话术。</translation>
    </message>
    <message>
        <source>Say it is gone and move to the next product.</source>
        <translation>告诉观众已售罄，转到下一个商品。</translation>
    </message>
    <message>
        <source>Announce 仅剩 N 件; R switches to the substitute when it is gone.</source>
        <translation>播报“仅剩 N 件”；卖完后按 R 切换到替换商品。</translation>
    </message>
    <message>
        <source>not connected yet</source>
        <translation>尚未连接</translation>
    </message>
    <message>
        <source>answering</source>
        <translation>有应答</translation>
    </message>
    <message>
        <source>frozen: no answer {0} s</source>
        <translation>卡死：{0} 秒无应答</translation>
    </message>
    <message>
        <source>lost {0} s</source>
        <translation>断开 {0} 秒</translation>
    </message>
    <message>
        <source>reconnecting {0} s</source>
        <translation>重连中 {0} 秒</translation>
    </message>
    <message>
        <source>reconnecting</source>
        <translation>重连中</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>live</source>
        <translation>推流中</translation>
    </message>
    <message>
        <source>standby</source>
        <translation>待机</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>无数据</translation>
    </message>
    <message>
        <source>measuring</source>
        <translation>测量中</translation>
    </message>
    <message>
        <source>no bytes for {0} s</source>
        <translation>{0} 秒无数据流出</translation>
    </message>
    <message>
        <source>low {0} kbps</source>
        <translation>偏低 {0} kbps</translation>
    </message>
    <message>
        <source>{0} kbps</source>
        <translation>{0} kbps</translation>
    </message>
    <message>
        <source>{0} % dropped</source>
        <translation>丢帧 {0} %</translation>
    </message>
    <message>
        <source>{0} % lagged</source>
        <translation>渲染滞后 {0} %</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>no screenshot</source>
        <translation>无截图</translation>
    </message>
    <message>
        <source>black for {0} s</source>
        <translation>黑屏 {0} 秒</translation>
    </message>
    <message>
        <source>frozen for {0} s</source>
        <translation>画面静止 {0} 秒</translation>
    </message>
    <message>
        <source>black</source>
        <translation>黑屏</translation>
    </message>
    <message>
        <source>moving</source>
        <translation>画面正常</translation>
    </message>
    <message>
        <source>still</source>
        <translation>画面静止</translation>
    </message>
    <message>
        <source>no probe yet</source>
        <translation>尚无拉流检测</translation>
    </message>
    <message>
        <source>no frame yet</source>
        <translation>尚未收到画面</translation>
    </message>
    <message>
        <source>no frames for {0} s</source>
        <translation>{0} 秒无画面</translation>
    </message>
    <message>
        <source>frames arriving</source>
        <translation>画面正常</translation>
    </message>
    <message>
        <source>{signal}: {state}</source>
        <translation>{signal}：{state}</translation>
    </message>
    <message>
        <source>{product}: not known whether the last action applied; the product is locked</source>
        <translation>{product}：不确定上一次操作是否生效，商品已锁定</translation>
    </message>
    <message>
        <source>Console action failed: {what}</source>
        <translation>中控操作失败：{what}</translation>
    </message>
    <message>
        <source>Countdown offer for {product} failed ({action})</source>
        <translation>{product} 的限时优惠失败（{action}）</translation>
    </message>
    <message>
        <source>ON BACKUP: the stream failed over ({ms} ms)</source>
        <translation>备用直播中：推流已切到备用（{ms} 毫秒）</translation>
    </message>
    <message>
        <source>FAILOVER FAILED: the backup did not go live</source>
        <translation>切换备用失败：备用没有推上去</translation>
    </message>
    <message>
        <source>Back on the primary stream</source>
        <translation>已切回主路推流</translation>
    </message>
    <message>
        <source>RETURN TO PRIMARY FAILED: back on the backup</source>
        <translation>切回主路失败：已回到备用</translation>
    </message>
    <message>
        <source>Stream FAILED and no failover applies</source>
        <translation>推流故障，且没有可用的切换方案</translation>
    </message>
    <message>
        <source>Primary FAILED: manual hold is on, not switching</source>
        <translation>主路故障：手动锁定中，不会自动切换</translation>
    </message>
    <message>
        <source>Stream figures missing (UNKNOWN)</source>
        <translation>推流数据缺失（未知）</translation>
    </message>
    <message>
        <source>A second encoder went live and was stopped</source>
        <translation>第二台推流机被意外推上直播，已停止</translation>
    </message>
    <message>
        <source>JOURNAL ERROR: actions cannot be recorded</source>
        <translation>日志错误：操作无法记录</translation>
    </message>
    <message>
        <source>Push a price anchor or a coupon, restate the selling point.</source>
        <translation>抛出价格锚点或发券，重讲卖点。</translation>
    </message>
    <message>
        <source>Check stock, price and the product on screen.</source>
        <translation>检查库存、价格和画面里的商品。</translation>
    </message>
    <message>
        <source>Keep the current product on; check stock.</source>
        <translation>继续讲当前商品；注意库存。</translation>
    </message>
    <message>
        <source>Demo the product again, show the offer, or switch products.</source>
        <translation>再演示一次商品，亮出优惠，或者换品。</translation>
    </message>
    <message>
        <source>Raise the average order: bundles, add-ons, a hero product.</source>
        <translation>提高客单价：组合装、加购品、主推爆款。</translation>
    </message>
    <message>
        <source>Look at the product in the shop&apos;s back office, then unlock it in the console (Ctrl+U).</source>
        <translation>在店铺后台查看该商品，核对后在中控台解锁（Ctrl+U）。</translation>
    </message>
    <message>
        <source>Wait for the read-back, or look at the product in the shop&apos;s back office, then unlock it.</source>
        <translation>等待回读结果，或在店铺后台查看该商品后解锁。</translation>
    </message>
    <message>
        <source>The offer was stopped. Check the quantity and stock at the shop before selling on.</source>
        <translation>秒杀已停止。继续销售前请在店铺核对数量和库存。</translation>
    </message>
    <message>
        <source>Wait until the lock ends; a supervisor checks who typed the PIN.</source>
        <translation>等待锁定结束；请主管核实是谁输入了 PIN。</translation>
    </message>
    <message>
        <source>Fix products.csv (floor or cost for every product) and import it again; until then blocked products stay off sale.</source>
        <translation>修正 products.csv（每个商品都要有底价或成本）后重新导入；在此之前被拦截的商品保持下架。</translation>
    </message>
    <message>
        <source>Fix those rows in products.csv and import the plan again.</source>
        <translation>修正 products.csv 里的这些行后重新导入价格计划。</translation>
    </message>
    <message>
        <source>Fix the offer prices in the run of show before the segment starts, or run them by hand.</source>
        <translation>在环节开始前修正直播脚本里的优惠价格，或手动执行。</translation>
    </message>
    <message>
        <source>Nothing changed at the shop. Try again, or do it in the shop&apos;s back office.</source>
        <translation>店铺没有任何改动。请重试，或直接在店铺后台操作。</translation>
    </message>
    <message>
        <source>Start or stop the offer by hand in the console (O).</source>
        <translation>在中控台手动开始或结束秒杀（O）。</translation>
    </message>
    <message>
        <source>The host uses the stall talk track. Fix the primary, then return (F10).</source>
        <translation>主播使用救场话术。修好主路后切回（F10）。</translation>
    </message>
    <message>
        <source>Viewers may see nothing. Check both encoders in OBS, start the backup by hand if you must, and try F9 again.</source>
        <translation>观众可能什么都看不到。检查 OBS 里的两台推流机，必要时手动启动备用，然后再按 F9。</translation>
    </message>
    <message>
        <source>Stay on the backup. Check the primary encoder before returning again (F10).</source>
        <translation>先留在备用。检查主路推流机后再切回（F10）。</translation>
    </message>
    <message>
        <source>No automatic switch fits this fault: fix it in OBS by hand.</source>
        <translation>这种故障没有可用的自动切换：请在 OBS 里手动处理。</translation>
    </message>
    <message>
        <source>Manual hold is on: fail over yourself (F9) or release the hold.</source>
        <translation>手动锁定已开启：自己切换（F9）或解除锁定。</translation>
    </message>
    <message>
        <source>Look at OBS: the guard cannot see all of its figures.</source>
        <translation>检查 OBS：推流守护拿不到全部数据。</translation>
    </message>
    <message>
        <source>Nothing is sent to the shop until the journal can be written. Free disk space or fix the data folder&apos;s permissions.</source>
        <translation>在日志恢复写入之前，不会向店铺发送任何操作。请清理磁盘空间或修复数据文件夹的权限。</translation>
    </message>
    <message>
        <source>Primary FAILED: {names}</source>
        <translation>主路故障：{names}</translation>
    </message>
    <message>
        <source>{state} · FAILED: {names}</source>
        <translation>{state} · 故障：{names}</translation>
    </message>
</context>
</TS>
