// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http (a press-room laptop on a local address): the old way.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copyFrom(url) {
    // Hand the clipboard a promise, so the click still counts when the text arrives.
    if (navigator.clipboard && window.ClipboardItem && window.isSecureContext) {
      var text = fetch(url).then(function (response) { return response.blob(); });
      return navigator.clipboard.write([new ClipboardItem({ "text/plain": text })]);
    }
    return fetch(url).then(function (response) { return response.text(); }).then(copyText);
  }

  function enablePrintButtons() {
    document.querySelectorAll("button.print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function enableCopyButtons() {
    document.querySelectorAll("button.copy[data-copy], button.copy[data-copy-url]").forEach(function (button) {
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        var copied = button.dataset.copyUrl ? copyFrom(button.dataset.copyUrl) : copyText(button.dataset.copy);
        copied.then(
          // The page says both answers in its own language (data-copied, data-copy-failed).
          function () { button.textContent = button.dataset.copied || "Copied"; },
          function () { button.textContent = button.dataset.copyFailed || "Select the text to copy"; }
        ).finally(function () {
          setTimeout(function () { button.textContent = label; }, 2000);
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableCopyButtons();
    enablePrintButtons();
  });
})();
