// Move the debrief pack's progress bar: ask the status route every second; reload the page
// once the pack is ready or failed (it then shows the download or the error).
(function () {
  "use strict";
  var box = document.getElementById("pack-progress-box");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("pack-progress");
  var words = document.getElementById("pack-status");
  var timer = null;
  function show(status) {
    bar.value = status.progress;
    bar.textContent = status.progress + " %";
    words.textContent = status.words;
    if (status.status !== "building") {
      window.clearInterval(timer);
      window.location.reload();
    }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) { if (status) { show(status); } })
      .catch(function () { /* keep the last value; try again in a second */ });
  }
  timer = window.setInterval(poll, 1000);
}());
