/* Relevance and calculates of the interview page, recomputed as the interviewer answers.
 *
 * The server gives each question whose `relevant` reads this page's answers its parsed
 * expression (data-live, questionnaires.xpath.browser: only the subset evaluated here exactly
 * as the server does), renders the questions not yet relevant hidden (data-dormant), and puts
 * the page's calculates and the earlier answers the expressions read in #live-data. On every
 * change the page's values are read, the calculates computed in order, and each live question
 * shown or hidden; a hidden question's inputs are disabled, so nothing of it is sent. The
 * `shown` field tells the server which questions the page showed: the server evaluates the
 * same expressions on the submitted answers and stays the authority (a question the browser
 * missed is shown with a request to answer it; a hidden question's answer is never stored).
 */
(function () {
  "use strict";
  var dataNode = document.getElementById("live-data");
  if (!dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var form = dataNode.closest("form") || document;
  var shownInput = form.querySelector("input[name$='-shown']");
  var live = Array.from(form.querySelectorAll("[data-live]"));
  if (!live.length) return;
  var NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;
  var DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

  // --- XPath 1.0 values, as questionnaires.xpath.values converts them ----------------------
  function str(v) {
    if (v === null || v === undefined) return "";
    if (Array.isArray(v)) return v.map(str).join(" ");
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") {
      if (isNaN(v)) return "NaN";
      if (!isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
      return String(v);
    }
    return String(v);
  }
  function num(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    var text = str(v).trim();
    if (NUMBER.test(text)) return parseFloat(text);
    var d = DATE.exec(text);
    if (d) return Date.UTC(+d[1], +d[2] - 1, +d[3]) / 86400000;
    return NaN;
  }
  function bool(v) {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return !(v === 0 || isNaN(v));
    if (Array.isArray(v)) return v.length > 0;
    return str(v) !== "";
  }
  function codes(v) { return Array.isArray(v) ? v.map(str) : str(v).split(/\s+/).filter(Boolean); }
  function isNum(v) { return typeof v === "number"; }

  function compare(op, a, b) {
    if (op === "=" || op === "!=") {
      var equal;
      if (typeof a === "boolean" || typeof b === "boolean") equal = bool(a) === bool(b);
      else if (isNum(a) || isNum(b)) equal = Math.abs(num(a) - num(b)) < 1e-12 || num(a) === num(b);
      else equal = str(a) === str(b);
      return op === "=" ? equal : !equal;
    }
    var x = num(a), y = num(b);
    if (op === "<") return x < y;
    if (op === "<=") return x <= y;
    if (op === ">") return x > y;
    return x >= y;
  }
  function arith(op, a, b) {
    var x = num(a), y = num(b);
    if (op === "+") return x + y;
    if (op === "-") return x - y;
    if (op === "*") return x * y;
    if (y === 0) return (x === 0 || isNaN(x)) ? NaN : (x > 0 ? Infinity : -Infinity);
    return x / y; // div
  }

  var FUNCTIONS = {
    "selected": function (a) { return codes(a[0]).indexOf(str(a[1]).trim()) >= 0; },
    "count-selected": function (a) { return codes(a[0]).length; },
    "not": function (a) { return !bool(a[0]); },
    "true": function () { return true; },
    "false": function () { return false; },
    "boolean": function (a) { return bool(a[0]); },
    "string-length": function (a) { return Array.from(str(a[0])).length; },
    "number": function (a) { return num(a[0]); },
    "string": function (a) { return str(a[0]); },
    "int": function (a) { var x = num(a[0]); return isFinite(x) ? Math.trunc(x) : x; },
    "concat": function (a) { return a.map(str).join(""); },
    "if": function (a) { return bool(a[0]) ? a[1] : a[2]; },
    "coalesce": function (a) { return a.find(function (v) { return str(v) !== ""; }) || ""; },
    "contains": function (a) { return str(a[0]).indexOf(str(a[1])) >= 0; },
    "starts-with": function (a) { return str(a[0]).indexOf(str(a[1])) === 0; },
    "ends-with": function (a) { var s = str(a[0]), t = str(a[1]); return s.slice(s.length - t.length) === t; },
  };

  function evaluate(node, env) {
    switch (node[0]) {
      case "lit": return node[1];
      case "ref": case "name": return env.hasOwnProperty(node[1]) ? env[node[1]] : "";
      case "and": return bool(evaluate(node[1], env)) && bool(evaluate(node[2], env));
      case "or": return bool(evaluate(node[1], env)) || bool(evaluate(node[2], env));
      case "cmp": return compare(node[1], evaluate(node[2], env), evaluate(node[3], env));
      case "arith": return arith(node[1], evaluate(node[2], env), evaluate(node[3], env));
      case "neg": return -num(evaluate(node[1], env));
      case "call": return FUNCTIONS[node[1]](node[2].map(function (a) { return evaluate(a, env); }));
    }
    throw new Error("not run in the browser: " + node[0]);
  }

  // The evaluator, for the browser test that compares it with the server's on many expressions.
  window.liveExpressions = { evaluate: evaluate, string: str, boolean: bool };

  // --- the page's values --------------------------------------------------------------------
  function valueOf(question) {
    var inputs = Array.from(question.querySelectorAll("input, select, textarea")).filter(function (el) {
      return el.name && el.type !== "hidden" && !el.disabled;
    });
    var radios = inputs.filter(function (el) { return el.type === "radio"; });
    if (radios.length) {
      var on = radios.find(function (el) { return el.checked; });
      return on ? on.value : "";
    }
    var boxes = inputs.filter(function (el) { return el.type === "checkbox"; });
    if (boxes.length > 1) return boxes.filter(function (el) { return el.checked; }).map(function (el) { return el.value; });
    if (boxes.length === 1) return boxes[0].checked ? "OK" : "";
    return inputs.length === 1 ? inputs[0].value.trim() : "";
  }

  function show(question, visible) {
    question.hidden = !visible;
    question.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !visible; });
  }

  function refresh() {
    var env = Object.assign({}, data.context);
    form.querySelectorAll("[data-question]").forEach(function (q) {
      if (!q.hidden) env[q.getAttribute("data-question")] = valueOf(q);
    });
    // In page order: a question's visibility counts for the questions after it.
    var shown = new Set(shownInput ? shownInput.value.split(" ").filter(Boolean) : []);
    data.calculates.forEach(function (c) {
      try { env[c[0]] = str(evaluate(c[1], env)); } catch (error) { delete env[c[0]]; }
    });
    live.forEach(function (question) {
      var name = question.getAttribute("data-question");
      var visible;
      try { visible = bool(evaluate(JSON.parse(question.getAttribute("data-live")), env)); }
      catch (error) { visible = !question.hidden; }
      show(question, visible);
      if (visible) { shown.add(name); env[name] = valueOf(question); }
      else { shown.delete(name); delete env[name]; }
    });
    if (shownInput) shownInput.value = Array.from(shown).join(" ");
  }

  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  live.forEach(function (question) { if (question.hasAttribute("data-dormant")) show(question, false); });
  refresh();
})();
