/* The staff console: plain JavaScript, no build step. Talks to /api/v1 with the staff bearer token. */
(function () {
  "use strict";
  var API = "/api/v1";
  var TOKEN_KEY = "console.access_token";
  var FUNCTIONS = {
    elder_care: "养老服务", infant_care: "婴幼儿托育", child_care: "儿童托管", meal_aid: "社区助餐",
    housekeeping: "家政便民", health: "健康服务", sport: "体育健身", culture: "文化休闲", children_play: "儿童游憩"
  };
  var ROLES = { operator_staff: "运营商", supplier_staff: "服务商", regulator: "监管部门", admin: "平台管理员" };

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  function claims() {
    var t = token();
    if (!t) return null;
    try {
      var part = t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(decodeURIComponent(escape(atob(part))));
    } catch (e) { return null; }
  }

  function toLogin() { sessionStorage.removeItem(TOKEN_KEY); location.href = "index.html"; }

  function api(path, options) {
    options = options || {};
    var headers = Object.assign({ "Accept-Language": "zh-CN" }, options.headers || {});
    if (token()) headers.Authorization = "Bearer " + token();
    return fetch(API + path, Object.assign({}, options, { headers: headers })).then(function (r) {
      if (r.status === 401) { toLogin(); throw new Error("未登录"); }
      if (!r.ok) return r.json().then(function (p) { throw new Error(p.detail || p.title || r.status); });
      return r;
    });
  }

  function getJSON(path) { return api(path).then(function (r) { return r.json(); }); }

  function query(params) {
    var q = Object.keys(params).filter(function (k) { return params[k]; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); }).join("&");
    return q ? "?" + q : "";
  }

  /** 元 with two decimals from integer fen. */
  function yuan(fen) { return (fen / 100).toFixed(2) + " 元"; }

  /** A time in Asia/Shanghai, whatever the browser's zone. */
  function shanghai(iso) {
    return new Intl.DateTimeFormat("zh-CN", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"
    }).format(new Date(iso));
  }

  function pct(x) { return x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%"; }

  function text(el, value) { el.textContent = value; return el; }

  function fillTable(id, rows) {
    var body = document.querySelector("#" + id + " tbody");
    body.innerHTML = "";
    rows.forEach(function (cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (c) { tr.appendChild(text(document.createElement("td"), c)); });
      body.appendChild(tr);
    });
  }

  function bindLogin(form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = new URLSearchParams({ username: form.username.value, password: form.password.value });
      fetch(API + "/auth/token", { method: "POST", body: body, headers: { "Accept-Language": "zh-CN" } })
        .then(function (r) { return r.json().then(function (j) { return [r, j]; }); })
        .then(function (pair) {
          if (!pair[0].ok) throw new Error(pair[1].detail || pair[1].title);
          sessionStorage.setItem(TOKEN_KEY, pair[1].access_token);
          location.href = "dashboard.html";
        })
        .catch(function (e) { text(document.getElementById("error"), e.message); });
    });
  }

  var charts = {};
  window.ConsoleCharts = charts;

  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init(document.getElementById("chart-" + id));
    return charts[id];
  }

  function kpi(label, value) {
    var d = document.createElement("div");
    d.className = "kpi";
    d.appendChild(text(document.createElement("span"), label));
    d.appendChild(text(document.createElement("b"), value));
    return d;
  }

  function render(d) {
    text(document.getElementById("operator-name"), d.operator.name + "（" + d.window.from + " 至 " + d.window.to + "）");
    var t = d.usage.total, k = document.getElementById("kpis"), sat = d.satisfaction.total, rect = d.rectifications;
    k.innerHTML = "";
    [["评价数", sat.count], ["好评率", pct(sat.good_rate)], ["平均等级", sat.mean_level === null ? "—" : sat.mean_level],
     ["差评整改", rect.opened + "（按时回访 " + rect.call_back_on_time + "）"], ["预约", t.bookings], ["完成（服务人次）", t.completed], ["取消", t.cancelled], ["爽约", t.no_show],
     ["时段", t.slots], ["使用率", pct(t.fill_rate)]].forEach(function (p) { k.appendChild(kpi(p[0], p[1])); });

    var trend = d.satisfaction.by_month;
    chart("trend").setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["好评率", "平均等级"] },
      xAxis: { type: "category", data: trend.map(function (m) { return m.key; }) },
      yAxis: [{ type: "value", name: "好评率", min: 0, max: 1 }, { type: "value", name: "平均等级", min: 1, max: 5 }],
      series: [
        { name: "好评率", type: "line", data: trend.map(function (m) { return m.good_rate; }) },
        { name: "平均等级", type: "line", yAxisIndex: 1, data: trend.map(function (m) { return m.mean_level; }) }
      ]
    }, true);
    var LEVEL_NAMES = ["非常不满意", "不满意", "基本满意", "满意", "非常满意"];
    chart("levels").setOption({
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: LEVEL_NAMES },
      yAxis: { type: "value", name: "条" },
      series: [{ name: "评价数", type: "bar", data: [1, 2, 3, 4, 5].map(function (l) { return d.satisfaction.levels[String(l)]; }) }]
    }, true);
    fillTable("sat-facility", d.satisfaction.by_facility.map(function (r) {
      return [r.label, r.count, pct(r.good_rate), r.mean_level === null ? "—" : r.mean_level];
    }));

    var months = d.usage.by_month;
    chart("usage").setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["预约", "完成", "使用率"] },
      xAxis: { type: "category", data: months.map(function (m) { return m.key; }) },
      yAxis: [{ type: "value", name: "人次" }, { type: "value", name: "使用率", max: 1 }],
      series: [
        { name: "预约", type: "bar", data: months.map(function (m) { return m.bookings; }) },
        { name: "完成", type: "bar", data: months.map(function (m) { return m.completed; }) },
        { name: "使用率", type: "line", yAxisIndex: 1, data: months.map(function (m) { return m.fill_rate; }) }
      ]
    }, true);

    var byFunction = {};
    d.served.forEach(function (s) { byFunction[s.function] = (byFunction[s.function] || 0) + s.person_times; });
    chart("served").setOption({
      tooltip: { trigger: "item" },
      series: [{ name: "服务人次", type: "pie", radius: "65%",
        data: Object.keys(byFunction).sort().map(function (f) { return { name: FUNCTIONS[f] || f, value: byFunction[f] }; }) }]
    }, true);

    fillTable("served", d.served.map(function (s) { return [s.facility, FUNCTIONS[s.function] || s.function, s.month, s.person_times]; }));
    fillTable("by-facility", d.usage.by_facility.map(function (r) {
      return [r.label, r.slots, r.capacity, r.bookings, r.completed, r.cancelled, r.no_show, pct(r.fill_rate)];
    }));
  }

  var PARTS = { satisfaction: "满意度", rectification: "差评整改", safety: "安全", complaints: "投诉", operations: "运营规范" };
  var GRADE_STATUS = { graded: "", insufficient_sample: "（样本不足）", not_graded: "（未评级）" };

  /** The operator's published grade, explained (public: GET /operators/{id}/rating). */
  function renderGrade(operatorId) {
    return fetch(API + "/operators/" + operatorId + "/rating", { headers: { "Accept-Language": "zh-CN" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (g) {
        text(document.getElementById("grade"), g && g.grade ? g.grade : "—");
        text(document.getElementById("grade-status"), g ? (GRADE_STATUS[g.status] || "") + " 总分 " + g.total : "尚无已发布的评级");
        text(document.getElementById("grade-summary"), g ? g.explanation.summary : "");
        var why = document.getElementById("grade-why");
        why.innerHTML = "";
        if (g) g.explanation.held_back_by.concat(g.explanation.to_raise).forEach(function (line) {
          why.appendChild(text(document.createElement("li"), line));
        });
        fillTable("grade-parts", g ? g.parts.map(function (p) { return [PARTS[p.part] || p.part, p.score, p.weight]; }) : []);
        window.ConsoleGrade = g;
      });
  }

  function download(path, filename) {
    return api(path).then(function (r) { return r.blob(); }).then(function (blob) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
  }

  function dashboard() {
    var c = claims();
    if (!c) return toLogin();
    text(document.getElementById("who"), ROLES[c.role] || c.role);
    document.getElementById("logout").onclick = toLogin;
    var state = { operator: c.operator_id || null };
    var range = function () {
      return { from: document.getElementById("from").value, to: document.getElementById("to").value };
    };
    var load = function () {
      if (!state.operator) return;
      text(document.getElementById("error"), "");
      return getJSON("/operators/" + state.operator + "/dashboard" + query(range()))
        .then(render)
        .then(function () { return renderGrade(state.operator); })
        .then(function () { document.body.dataset.loaded = "dashboard"; })
        .catch(function (e) { text(document.getElementById("error"), e.message); });
    };
    document.getElementById("filters").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var pick = document.getElementById("operator");
      if (!c.operator_id && pick.value) state.operator = pick.value;
      load();
    });
    document.querySelectorAll("a.export").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        var table = a.dataset.table, format = a.dataset.format;
        var params = Object.assign(range(), { table: table, format: format });
        download("/operators/" + state.operator + "/dashboard/export" + query(params), table + "." + format);
      });
    });
    if (state.operator) return load();
    // Regulators and admins pick an operator in their scope.
    return getJSON("/operators?limit=100").then(function (page) {
      var select = document.getElementById("operator");
      page.items.forEach(function (op) {
        var o = document.createElement("option");
        o.value = op.id; o.textContent = op.name;
        select.appendChild(o);
      });
      document.getElementById("operator-pick").hidden = false;
      if (page.items.length) { state.operator = page.items[0].id; return load(); }
    });
  }

  var RECT_STATUS = { awaiting_call_back: "待回访", fixing: "整改中", awaiting_verdict: "待居民评价", closed: "已办结", escalated: "已升级" };
  var APPEAL_REASONS = { not_our_service: "非本服务", factually_wrong: "与事实不符", malicious: "恶意差评", not_genuine: "非真实评价", other: "其他" };

  function button(label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function postJSON(path, body) {
    return api(path, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } })
      .then(function (r) { return r.json(); });
  }

  function row(table, cells, cls) {
    var tr = document.createElement("tr");
    if (cls) tr.className = cls;
    cells.forEach(function (c) {
      var td = document.createElement("td");
      if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? "—" : c;
      tr.appendChild(td);
    });
    document.querySelector("#" + table + " tbody").appendChild(tr);
    return tr;
  }

  function loadRectifications() {
    document.querySelector("#rectifications tbody").innerHTML = "";
    return getJSON("/rectifications?limit=100").then(function (page) {
      var now = Date.now();
      page.items.forEach(function (r) {
        var late = r.overdue_step || (r.status === "awaiting_call_back" && Date.parse(r.call_back_due_at) < now) ||
          (r.status === "fixing" && Date.parse(r.fix_due_at) < now);
        row("rectifications", [RECT_STATUS[r.status] || r.status, shanghai(r.call_back_due_at), shanghai(r.fix_due_at),
          r.overdue_step, r.escalated_to], late ? "overdue" : "");
      });
    });
  }

  var COMPLAINT_STATUS = { submitted: "待受理", acknowledged: "已受理", answered: "已答复", resolved: "已解决",
    escalated: "已升级", mediated: "已调解", closed: "已办结" };
  var ESCALATION = { none: "—", operator: "运营商", street: "街道" };

  function loadComplaints() {
    document.querySelector("#complaints tbody").innerHTML = "";
    return getJSON("/complaints?limit=100").then(function (page) {
      page.items.forEach(function (c) {
        row("complaints", [c.number, CATEGORIES[c.category] || c.category, COMPLAINT_STATUS[c.status] || c.status,
          shanghai(c.answer_due_at), ESCALATION[c.escalation] || c.escalation, c.phone_masked], c.overdue ? "overdue" : "")
          .dataset.complaint = c.id;
      });
    });
  }

  function decide(path, body, message) {
    return postJSON(path, body).then(function () {
      text(document.getElementById("notice"), message);
      return loadRegulatorQueues();
    }).catch(function (e) { text(document.getElementById("error"), e.message); });
  }

  function loadRegulatorQueues() {
    document.querySelector("#appeals tbody").innerHTML = "";
    document.querySelector("#moderation tbody").innerHTML = "";
    document.querySelector("#complaint-moderation tbody").innerHTML = "";
    var appeals = getJSON("/appeals?status=pending&limit=100").then(function (page) {
      page.items.forEach(function (a) {
        var actions = document.createElement("span");
        actions.appendChild(button("支持申诉", function () {
          decide("/appeals/" + a.id + "/decision", { upheld: true, reason: "经核实，申诉理由成立" }, "已支持申诉，该评价不再计入评分");
        }));
        actions.appendChild(button("驳回", function () {
          decide("/appeals/" + a.id + "/decision", { upheld: false, reason: "证据不足，维持原评价" }, "已驳回申诉");
        }));
        row("appeals", [shanghai(a.created_at), APPEAL_REASONS[a.reason] || a.reason, a.text, actions]).dataset.appeal = a.id;
      });
    });
    var held = getJSON("/reviews?awaiting_moderation=true&limit=100").then(function (page) {
      page.items.forEach(function (r) {
        var actions = document.createElement("span");
        actions.appendChild(button("发布", function () {
          decide("/reviews/" + r.id + "/moderation", { target: "text", publish: true }, "已发布");
        }));
        actions.appendChild(button("不予发布", function () {
          decide("/reviews/" + r.id + "/moderation", { target: "text", publish: false, reason: "含不当内容" }, "已隐藏文字，等级仍计入");
        }));
        row("moderation", [shanghai(r.created_at), r.level, r.text, actions]);
      });
    });
    var heldComplaints = getJSON("/complaints?text_held=true&limit=100").then(function (page) {
      page.items.forEach(function (c) {
        var actions = document.createElement("span");
        actions.appendChild(button("可以显示", function () {
          decide("/complaints/" + c.id + "/text-moderation", { show: true }, "投诉内容已通过审核");
        }));
        actions.appendChild(button("不予显示", function () {
          decide("/complaints/" + c.id + "/text-moderation", { show: false, reason: "含不当言辞" }, "投诉内容不予显示，投诉照常办理");
        }));
        row("complaint-moderation", [c.number, CATEGORIES[c.category] || c.category, c.text, actions]).dataset.complaint = c.id;
      });
    });
    return Promise.all([appeals, held, heldComplaints]);
  }

  var CATEGORIES = { service_quality: "服务质量", price: "价格", staff_conduct: "人员态度", safety: "安全",
    food_safety: "食品安全", environment: "环境", disclosure: "信息公示", other: "其他" };
  var LEVEL_NAMES_ZH = { street: "街道", district: "区", city: "市" };

  /** A published grade as shown in a table cell: the grade, or why there is none. */
  function gradeText(g) {
    if (!g) return "未发布";
    return g.grade || (GRADE_STATUS[g.status] || g.status).replace(/[（）]/g, "");
  }

  /** A regulator's region: per operator and facility (GET /regions/{level}/{id}/dashboard), with each
   * operator's published grade and the open findings; tables export as CSV or Excel. */
  function region() {
    var c = claims();
    if (!c) return toLogin();
    text(document.getElementById("who"), ROLES[c.role] || c.role);
    document.getElementById("logout").onclick = toLogin;
    if (!c.region_level) { text(document.getElementById("error"), "仅监管部门可查看辖区看板"); return; }
    var base = "/regions/" + c.region_level + "/" + c.region_id + "/dashboard";
    document.querySelectorAll("a.export").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        download(base + "/export" + query({ table: a.dataset.table, format: a.dataset.format }), a.dataset.table + "." + a.dataset.format);
      });
    });
    return getJSON(base).then(function (d) {
      text(document.getElementById("region-name"), "本" + LEVEL_NAMES_ZH[d.region.level] + "（" + d.window.from + " 至 " + d.window.to + "）");
      var k = document.getElementById("kpis");
      var comp = d.complaints || { count: 0, answered_on_time: 0, by_category: [] };
      k.innerHTML = "";
      [["运营商", d.operators.length], ["评价数", d.satisfaction.total.count], ["好评率", pct(d.satisfaction.total.good_rate)],
       ["投诉", comp.count], ["按时答复", comp.answered_on_time], ["服务人次", d.usage.total.completed],
       ["待跟进问题", d.findings.total]]
        .forEach(function (p) { k.appendChild(kpi(p[0], p[1])); });
      var sat = {};
      d.satisfaction_by_operator.forEach(function (r) { sat[r.key] = r; });
      var use = {};
      d.usage.by_operator.forEach(function (r) { use[r.key] = r; });
      var names = d.operators.map(function (o) { return o.name; });
      chart("operators").setOption({
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: 20 } },
        yAxis: { type: "value", min: 0, max: 1 },
        series: [{ name: "好评率", type: "bar", data: d.operators.map(function (o) { return sat[o.id] ? sat[o.id].good_rate : null; }) }]
      }, true);
      chart("complaints").setOption({
        tooltip: { trigger: "item" },
        series: [{ name: "投诉", type: "pie", radius: "65%", data: comp.by_category.map(function (r) {
          return { name: CATEGORIES[r.category] || r.category, value: r.count };
        }) }]
      }, true);
      var standing = {};
      d.by_operator.forEach(function (o) { standing[o.operator_id] = o; });
      var fstanding = {};
      d.by_facility.forEach(function (f) { fstanding[f.facility_id] = f; });
      fillTable("operators", d.operators.map(function (o) {
        var s = sat[o.id] || {}, u = use[o.id] || {}, st = standing[o.id];
        return [o.name, gradeText(st && st.grade), s.count || 0, pct(s.good_rate), s.mean_level || "—", u.bookings || 0,
          u.completed || 0, pct(u.fill_rate), st ? st.findings.total : 0];
      }));
      var fsat = {};
      d.satisfaction.by_facility.forEach(function (r) { fsat[r.key] = r; });
      fillTable("facilities", d.usage.by_facility.map(function (u) {
        var s = fsat[u.key] || {}, st = fstanding[u.key];
        return [u.label, s.count || 0, pct(s.good_rate), u.bookings, u.completed, pct(u.fill_rate), st ? st.findings.total : 0];
      }));
      document.querySelector("#findings tbody").innerHTML = "";
      d.by_operator.forEach(function (o) {
        var f = o.findings;
        row("findings", [o.operator, f.configuration, f.overdue_fixes, f.open_hazards + "（" + f.overdue_hazards + "）",
          f.late_reports, f.missing_reports, f.overdue_rectifications], f.total ? "overdue" : "").dataset.operator = o.operator_id;
      });
      document.body.dataset.loaded = "region";
    }).catch(function (e) { text(document.getElementById("error"), e.message); });
  }

  function queues() {
    var c = claims();
    if (!c) return toLogin();
    text(document.getElementById("who"), ROLES[c.role] || c.role);
    document.getElementById("logout").onclick = toLogin;
    var work = [loadRectifications(), loadComplaints()];
    if (c.role === "regulator" || c.role === "admin") {
      document.getElementById("regulator-queues").hidden = false;
      work.push(loadRegulatorQueues());
    }
    return Promise.all(work)
      .then(function () { document.body.dataset.loaded = "queues"; })
      .catch(function (e) { text(document.getElementById("error"), e.message); });
  }

  window.Console = { bindLogin: bindLogin, dashboard: dashboard, queues: queues, region: region, api: api, yuan: yuan, shanghai: shanghai, claims: claims };
})();
