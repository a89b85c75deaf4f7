(function () {
  "use strict";
  var bar = document.getElementById("filters");
  if (!bar) { return; }
  var boxes = Array.prototype.slice.call(bar.querySelectorAll("input[type=checkbox]"));
  var query = document.getElementById("q");
  var shown = document.getElementById("shown");
  var items = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.group"));
  var texts = items.map(function (item) { return item.textContent.toLowerCase(); });
  function apply() {
    var on = {};
    boxes.forEach(function (box) { on[box.value] = box.checked; });
    var term = query.value.trim().toLowerCase();
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
  boxes.forEach(function (box) { box.addEventListener("change", apply); });
  query.addEventListener("input", apply);
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.fw"), function (d) { d.open = true; });
  });
  bar.hidden = false;
  apply();
})();
