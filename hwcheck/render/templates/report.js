var bar = byId("filters");
if (!bar) { return; }
var boxes = each(bar, "input[type=checkbox]");
var query = byId("q");
var shown = byId("shown");
var items = each(document, "article.finding");
var groups = each(document, "section.group");
var texts = items.map(function (item) { return item.textContent.toLowerCase(); });
function apply() {
  var on = checkedValues(boxes);
  var term = searchTerm(query);
  var count = 0;
  items.forEach(function (item, i) {
    var visible = on[item.getAttribute("data-status")] !== false &&
      (term === "" || texts[i].indexOf(term) !== -1);
    item.hidden = !visible;
    if (visible) { count += 1; }
  });
  groups.forEach(function (group) {
    group.hidden = group.querySelector("article.finding:not([hidden])") === null;
  });
  shown.textContent = "Showing " + count + " of " + items.length + " findings";
}
onEdit(boxes.concat([query]), apply);
window.addEventListener("beforeprint", function () {
  each(document, "details.fw").forEach(function (d) { d.open = true; });
});
bar.hidden = false;
apply();
