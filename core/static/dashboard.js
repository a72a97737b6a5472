// Refresh the dashboard's figures in place every minute (no page reload, focus kept), and
// say so in the one small live notice ("Updated hh:mm"), not by re-reading the whole page.
(function () {
  "use strict";
  var box = document.getElementById("dashboard");
  var notice = document.getElementById("dashboard-updated");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-refresh-url");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        box.innerHTML = html;
        var stamp = box.querySelector("[data-updated]");
        if (notice && stamp) { notice.textContent = "Updated " + stamp.getAttribute("data-updated"); }
      })
      .catch(function () { /* keep the last figures; try again next minute */ });
  }
  window.setInterval(refresh, 60000);
}());
