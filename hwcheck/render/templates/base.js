/* Shared by every hwcheck page (the node report and the fleet page): reading the filter bar,
   matching a search, sorting. The renderer joins this file and the page's own script into
   one function body, so these names are local to that one script. */
function byId(id) { return document.getElementById(id); }
function each(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }
function searchTerm(input) { return input ? input.value.trim().toLowerCase() : ""; }
function checkedValues(boxes) {
  var on = {};
  boxes.forEach(function (box) { on[box.value] = box.checked; });
  return on;
}
function onEdit(elements, handler) {
  elements.forEach(function (el) {
    var typing = el.tagName === "INPUT" && (el.type === "search" || el.type === "text");
    el.addEventListener(typing ? "input" : "change", handler);
  });
}
var collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
function compareValues(a, b) {
  var emptyA = a === null || a === undefined || a === "";
  var emptyB = b === null || b === undefined || b === "";
  if (emptyA || emptyB) { return emptyA === emptyB ? 0 : (emptyA ? 1 : -1); }
  if (typeof a === "number" && typeof b === "number") { return a - b; }
  return collator.compare(String(a), String(b));
}
/* `items` sorted by key(item), stable (ties keep their order); empty values always last. */
function sortedBy(items, key, descending) {
  var keyed = items.map(function (item, i) { return [key(item), i, item]; });
  keyed.sort(function (x, y) {
    var emptyX = x[0] === null || x[0] === "", emptyY = y[0] === null || y[0] === "";
    if (emptyX !== emptyY) { return emptyX ? 1 : -1; }
    var order = compareValues(x[0], y[0]);
    return (descending ? -order : order) || x[1] - y[1];
  });
  return keyed.map(function (entry) { return entry[2]; });
}
function formatCount(n) { return n.toLocaleString("en"); }
