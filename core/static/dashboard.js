// Refresh the dashboard's figures in place every minute (no page reload, focus kept).
(function () {
  "use strict";
  var box = document.getElementById("dashboard");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-refresh-url");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { box.innerHTML = html; } })
      .catch(function () { /* keep the last figures; try again next minute */ });
  }
  window.setInterval(refresh, 60000);
}());
