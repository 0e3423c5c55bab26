/* Report page (/raport/<teryt>): draw each trend chart when it scrolls into view (the image URL is in
   data-src; the server draws it with the same builder as the Word document), and every chart before printing. */
(function () {
  "use strict";
  function load(img) {
    var src = img.getAttribute("data-src");
    if (src && img.getAttribute("src") !== src) { img.setAttribute("src", src); }
  }
  var seen = new WeakSet();
  var io = ("IntersectionObserver" in window) ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting) { load(e.target); io.unobserve(e.target); } });
  }, {rootMargin: "400px 0px"}) : null;
  function scan() {
    document.querySelectorAll("img.report-chart[data-src]").forEach(function (img) {
      if (img.getAttribute("src") === img.getAttribute("data-src")) { return; }
      if (!io) { load(img); return; }
      if (seen.has(img)) { return; }
      seen.add(img);
      io.observe(img);
    });
  }
  new MutationObserver(function () {
    // A changed choice re-renders the report: images with a new data-src must load again.
    document.querySelectorAll("img.report-chart[data-src][src]").forEach(function (img) {
      if (img.getAttribute("src") !== img.getAttribute("data-src")) { load(img); }
    });
    scan();
  }).observe(document.documentElement, {childList: true, subtree: true, attributes: true,
                                        attributeFilter: ["data-src"]});
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("img.report-chart[data-src]").forEach(load);
  });
})();
