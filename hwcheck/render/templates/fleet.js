/* The fleet page's node table: its rows are the JSON data block #fleet-table, filtered,
   sorted and drawn one page of rows at a time with DOM methods and textContent only, so no
   value is ever read as markup. */
var island = byId("fleet-table");
if (!island) { return; }
var data = JSON.parse(island.textContent);
var at = {};
data.fields.forEach(function (field, i) { at[field] = i; });
var rows = data.rows;
var bar = byId("node-filters");
var pager = byId("node-pager");
var table = byId("node-table");
var body = byId("node-rows");
var boxes = each(bar, "input[type=checkbox]");
var cohortSelect = byId("cohort");
var ruleSelect = byId("rule");
var query = byId("node-q");
var shown = byId("node-shown");
var sizeSelect = byId("page-size");
var sortButtons = each(table, "thead button[data-sort]");
var ruleField = { fail: at.failed_rules, unknown: at.unknown_rules, warn: at.warned_rules };
var state = { key: null, descending: false, page: 0, size: data.page_size };
var order = rows.map(function (row, i) { return i; });
var matching = order;
var haystacks = null;

function hostOf(row) { return row[at.hostname] === null ? row[at.node] : row[at.hostname]; }
function modelOf(row) { return row[at.system_model] === null ? null : data.models[row[at.system_model]]; }
function names(list, indices) { return indices.map(function (i) { return list[i]; }); }
var sortKeys = {
  hostname: hostOf,
  system_model: modelOf,
  serial: function (row) { return row[at.serial]; },
  verdict: function (row) { return row[at.verdict]; },
  failed_rules: function (row) { return row[at.failed_rules].length; },
  profiles: function (row) { return names(data.profiles, row[at.profiles]).join(", "); }
};

function haystack(row) {
  return [
    row[at.node], row[at.hostname], modelOf(row), row[at.serial], row[at.error],
    data.words[row[at.verdict]], data.cohorts[row[at.cohort]]
  ].concat(
    names(data.rules, row[at.failed_rules]), names(data.rules, row[at.warned_rules]),
    names(data.rules, row[at.unknown_rules]), names(data.profiles, row[at.profiles])
  ).filter(function (v) { return v !== null; }).join("\n").toLowerCase();
}

function filtered() {
  var on = {};
  var checked = checkedValues(boxes);
  data.verdicts.forEach(function (verdict, i) { on[i] = checked[verdict] !== false; });
  var cohort = cohortSelect.value === "" ? -1 : Number(cohortSelect.value);
  var rule = null;
  if (ruleSelect.value !== "") {
    var parts = ruleSelect.value.split(":");
    rule = { field: ruleField[parts[0]], index: Number(parts[1]) };
  }
  var term = searchTerm(query);
  if (term !== "" && haystacks === null) { haystacks = rows.map(haystack); }
  return order.filter(function (i) {
    var row = rows[i];
    return on[row[at.verdict]] &&
      (cohort === -1 || row[at.cohort] === cohort) &&
      (rule === null || row[rule.field].indexOf(rule.index) !== -1) &&
      (term === "" || haystacks[i].indexOf(term) !== -1);
  });
}

function text(tag, value, className) {
  var el = document.createElement(tag);
  if (className) { el.className = className; }
  el.textContent = value;
  return el;
}

function ruleList(cell, row, field, prefix, className) {
  var ids = names(data.rules, row[field]);
  if (ids.length === 0) { return; }
  var line = document.createElement("div");
  if (className) { line.className = className; }
  if (prefix) { line.appendChild(document.createTextNode(prefix)); }
  ids.forEach(function (id, i) {
    if (i > 0) { line.appendChild(document.createTextNode(" ")); }
    line.appendChild(text("code", id));
  });
  cell.appendChild(line);
}

function drawRow(row) {
  var tr = document.createElement("tr");
  var verdict = data.verdicts[row[at.verdict]];
  tr.className = "vr-" + verdict;
  var host = document.createElement("td");
  var report = row[at.report];
  var name = text(report === null ? "span" : "a", hostOf(row), "host");
  if (report !== null) { name.setAttribute("href", report); }
  host.appendChild(name);
  tr.appendChild(host);
  var model = modelOf(row);
  tr.appendChild(model === null ? text("td", "\u2014", "na") : text("td", model));
  tr.appendChild(row[at.serial] === null ? text("td", "\u2014", "na") : text("td", row[at.serial]));
  var status = document.createElement("td");
  status.appendChild(text("span", data.words[row[at.verdict]], "badge b-" + verdict));
  tr.appendChild(status);
  var rulesCell = document.createElement("td");
  if (row[at.error] !== null) { rulesCell.appendChild(text("div", row[at.error], "err")); }
  ruleList(rulesCell, row, at.failed_rules, "", "failed");
  ruleList(rulesCell, row, at.unknown_rules, "unknown: ", "na");
  ruleList(rulesCell, row, at.warned_rules, "warn: ", "na");
  tr.appendChild(rulesCell);
  var profiles = names(data.profiles, row[at.profiles]);
  tr.appendChild(profiles.length ? text("td", profiles.join(", ")) : text("td", "\u2014", "na"));
  return tr;
}

function draw() {
  var pages = Math.max(1, Math.ceil(matching.length / state.size));
  state.page = Math.min(Math.max(state.page, 0), pages - 1);
  var start = state.page * state.size;
  var end = Math.min(start + state.size, matching.length);
  var fragment = document.createDocumentFragment();
  for (var i = start; i < end; i += 1) { fragment.appendChild(drawRow(rows[matching[i]])); }
  body.textContent = "";
  body.appendChild(fragment);
  var total = formatCount(rows.length) + " in the fleet";
  shown.textContent = matching.length === 0 ? "No node matches (" + total + ")" :
    "Showing " + formatCount(start + 1) + "\u2013" + formatCount(end) + " of " +
    formatCount(matching.length) + " matching node" + (matching.length === 1 ? "" : "s") +
    " (" + total + "), page " + formatCount(state.page + 1) + " of " + formatCount(pages);
  shown.setAttribute("data-matching", String(matching.length));
  byId("page-first").disabled = byId("page-prev").disabled = state.page === 0;
  byId("page-next").disabled = byId("page-last").disabled = state.page >= pages - 1;
}

function apply() {
  matching = filtered();
  state.page = 0;
  draw();
}

function sortBy(key) {
  state.descending = state.key === key ? !state.descending : false;
  state.key = key;
  order = sortedBy(rows.map(function (row, i) { return i; }), function (i) {
    return sortKeys[key](rows[i]);
  }, state.descending);
  sortButtons.forEach(function (button) {
    var th = button.parentNode;
    var mine = button.getAttribute("data-sort") === key;
    th.setAttribute("aria-sort", mine ? (state.descending ? "descending" : "ascending") : "none");
  });
  apply();
}

function showOnly(filter) {
  boxes.forEach(function (box) { box.checked = !filter.verdict || box.value === filter.verdict; });
  cohortSelect.value = filter.cohort || "";
  ruleSelect.value = filter.rule || "";
  query.value = "";
  apply();
}

onEdit(boxes.concat([cohortSelect, ruleSelect, query]), apply);
sizeSelect.addEventListener("change", function () {
  state.size = Number(sizeSelect.value);
  state.page = 0;
  draw();
});
sortButtons.forEach(function (button) {
  button.addEventListener("click", function () { sortBy(button.getAttribute("data-sort")); });
});
[["page-first", function () { return 0; }],
 ["page-prev", function () { return state.page - 1; }],
 ["page-next", function () { return state.page + 1; }],
 ["page-last", function () { return Infinity; }]].forEach(function (pair) {
  byId(pair[0]).addEventListener("click", function () {
    var page = pair[1]();
    state.page = page === Infinity ? Math.ceil(matching.length / state.size) - 1 : page;
    draw();
  });
});
each(document, "a.to-nodes, a.count[data-verdict]").forEach(function (link) {
  link.addEventListener("click", function () {
    showOnly({
      verdict: link.getAttribute("data-verdict"),
      cohort: link.getAttribute("data-cohort"),
      rule: link.getAttribute("data-rule")
    });
  });
});
bar.hidden = false;
pager.hidden = false;
table.hidden = false;
apply();
