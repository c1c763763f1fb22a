// Export links carry the list's current filters: htmx changes the address
// bar's query as the user filters, so read it at click time (not the page
// number: an export has every row).
(function () {
  "use strict";
  if (window.exportLinksReady) return;
  window.exportLinksReady = true;
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-export-link]");
    if (!link) return;
    const params = new URLSearchParams(window.location.search);
    params.delete("page");
    const base = link.getAttribute("href").split("?")[0];
    const query = params.toString();
    link.setAttribute("href", query ? base + "?" + query : base);
  });
})();
