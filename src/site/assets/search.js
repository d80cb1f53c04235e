// Client-side search of the documentation: every word typed must occur in a page's title or
// text; title matches rank first. The index is `window.SANDTRAP_SEARCH` (search-index.js).
(function () {
  "use strict";
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var root = document.body.getAttribute("data-root") || "";
  var pages = (window.SANDTRAP_SEARCH || []).map(function (page) {
    return { page: page, title: page.title.toLowerCase(), text: page.text.toLowerCase() };
  });
  if (!input || !list) return;

  function excerpt(text, word) {
    var at = text.toLowerCase().indexOf(word);
    if (at < 0) return text.slice(0, 120);
    var start = Math.max(0, at - 50);
    return (start > 0 ? "…" : "") + text.slice(start, start + 140) + "…";
  }

  function search() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (words.length === 0) { list.hidden = true; return; }
    var hits = pages.filter(function (p) {
      return words.every(function (w) { return p.title.indexOf(w) >= 0 || p.text.indexOf(w) >= 0; });
    });
    hits.sort(function (a, b) {
      var at = words.some(function (w) { return a.title.indexOf(w) >= 0; }) ? 0 : 1;
      var bt = words.some(function (w) { return b.title.indexOf(w) >= 0; }) ? 0 : 1;
      return at - bt;
    });
    if (hits.length === 0) {
      var none = document.createElement("li");
      none.textContent = "No page mentions “" + input.value + "”.";
      list.appendChild(none);
    }
    hits.slice(0, 20).forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + hit.page.url;
      link.textContent = hit.page.title;
      var small = document.createElement("small");
      small.textContent = excerpt(hit.page.text, words[0]);
      item.appendChild(link);
      item.appendChild(small);
      list.appendChild(item);
    });
    list.hidden = false;
  }

  input.addEventListener("input", search);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { input.value = ""; search(); }
    if (event.key === "Enter") {
      var first = list.querySelector("a");
      if (first) window.location.href = first.href;
    }
  });
})();
