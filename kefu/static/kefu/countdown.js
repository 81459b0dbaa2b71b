// Live SLA clocks (kefu/static/kefu/countdown.js): every clock on the page counts down each second, "12m left" → "breached by 3m".
// No framework, no inline script, CSP-safe. Clocks swapped in later by htmx are picked up on the next tick.
//
// The page provides (rendered by {% sla_clock %}, kefu/sla/templates/sla/_clock.html):
//   <span class="sla-clock sla-ok" data-sla-clock data-sla-state="ok|warning|breached|paused"
//         data-sla-due-ms="1764500000000"      the deadline, epoch milliseconds
//         data-sla-warn-ms="1764499000000"     when the warning starts (may be empty)
//         data-sla-now-ms="1764490000000"      the server's clock when it rendered (corrects a skewed PC clock)
//         data-sla-texts='{"left": "{time} left", "breached": "breached by {time}", "days": "{d}d {h}h",
//                          "hours": "{h}h {m}m", "minutes": "{m}m", "seconds": "{s}s"}'>  translated by the server
//     <span data-sla-text>12m left</span></span>
// A paused clock (waiting on the customer) does not move.
(function () {
  "use strict";

  var STATES = ["ok", "warning", "breached"];

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  // The same rounding as kefu.sla.rules.short_duration: under a minute in seconds, then whole minutes up.
  function duration(texts, seconds) {
    if (seconds < 60) return fill(texts.seconds, { s: seconds });
    var minutes = Math.ceil(seconds / 60);
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    if (d) return fill(texts.days, { d: d, h: h });
    if (h) return fill(texts.hours, { h: h, m: m });
    return fill(texts.minutes, { m: Math.max(m, 1) });
  }

  function number(clock, name) {
    var value = parseInt(clock.getAttribute(name), 10);
    return isNaN(value) ? null : value;
  }

  function prepare(clock) {
    if (clock.kefuSla) return clock.kefuSla;
    var texts = {};
    try { texts = JSON.parse(clock.getAttribute("data-sla-texts") || "{}"); } catch (e) { texts = {}; }
    var serverNow = number(clock, "data-sla-now-ms");
    clock.kefuSla = {
      due: number(clock, "data-sla-due-ms"),
      warn: number(clock, "data-sla-warn-ms"),
      skew: serverNow === null ? 0 : serverNow - Date.now(),
      texts: texts,
      label: clock.querySelector("[data-sla-text]")
    };
    return clock.kefuSla;
  }

  function update(clock) {
    if (clock.getAttribute("data-sla-state") === "paused") return;
    var info = prepare(clock);
    if (info.due === null || !info.label || !info.texts.left) return;
    var now = Date.now() + info.skew;
    var state, text;
    if (now >= info.due) {
      state = "breached";
      text = fill(info.texts.breached, { time: duration(info.texts, Math.max(1, Math.floor((now - info.due) / 1000))) });
    } else {
      state = info.warn !== null && now >= info.warn ? "warning" : "ok";
      text = fill(info.texts.left, { time: duration(info.texts, Math.floor((info.due - now) / 1000)) });
    }
    if (info.label.textContent !== text) info.label.textContent = text;
    if (clock.getAttribute("data-sla-state") !== state) {
      STATES.forEach(function (name) { clock.classList.remove("sla-" + name); });
      clock.classList.add("sla-" + state);
      clock.setAttribute("data-sla-state", state);
    }
  }

  function tick() {
    var clocks = document.querySelectorAll("[data-sla-clock]");
    for (var i = 0; i < clocks.length; i++) update(clocks[i]);
  }

  tick();
  window.setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
})();
