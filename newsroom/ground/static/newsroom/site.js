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

  // The selection tray: items picked on any page, kept in this browser only
  // (localStorage), downloaded through the selection's address as one ZIP.
  // A pass holder's pages keep a selection of their own (`data-store`).
  var SELECTION = "newsroom-selection";

  function loadSelection() {
    try {
      var items = JSON.parse(window.localStorage.getItem(SELECTION) || "[]");
      return Array.isArray(items) ? items.filter(function (item) { return item && item.id; }) : [];
    } catch (error) {
      return [];
    }
  }

  function saveSelection(items) {
    try { window.localStorage.setItem(SELECTION, JSON.stringify(items)); } catch (error) { /* private mode */ }
  }

  function parseBytes(text) {
    var bytes = {};
    (text || "").split(",").forEach(function (pair) {
      var parts = pair.split(":");
      if (parts.length === 2) { bytes[parts[0]] = Number(parts[1]); }
    });
    return bytes;
  }

  function formatBytes(bytes) {
    // As the server writes sizes: powers of 1024, one decimal, in the page's language.
    var units = ["bytes", "KB", "MB", "GB", "TB"], unit = 0;
    while (bytes >= 1024 && unit < units.length - 1) { bytes /= 1024; unit += 1; }
    var number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      maximumFractionDigits: unit ? 1 : 0, minimumFractionDigits: unit ? 1 : 0
    }).format(bytes);
    return number + "\u00a0" + units[unit];
  }

  function selectionQuery(items, size) {
    var query = items.map(function (item) { return "item=" + encodeURIComponent(item.id); });
    if (size) { query.push("size=" + encodeURIComponent(size)); }
    return "?" + query.join("&");
  }

  function enableSelection() {
    var tray = document.getElementById("selection-tray");
    if (!tray || !window.localStorage) { return; }
    SELECTION = tray.dataset.store || SELECTION;
    var text = tray.dataset, items = loadSelection();
    var buttons = document.querySelectorAll("button.select-item[data-item]");
    var size = tray.querySelector(".tray-size"), list = tray.querySelector(".tray-items");
    var limit = Number(text.max) || 200;

    function index(id) {
      for (var i = 0; i < items.length; i += 1) { if (items[i].id === id) { return i; } }
      return -1;
    }

    function add(button) {
      if (index(button.dataset.item) >= 0) { return; }
      if (items.length >= limit) { tray.querySelector(".tray-full").hidden = false; return; }
      items.push({ id: button.dataset.item, title: button.dataset.title, bytes: parseBytes(button.dataset.bytes) });
    }

    function render() {
      buttons.forEach(function (button) {
        var chosen = index(button.dataset.item) >= 0;
        button.setAttribute("aria-pressed", chosen ? "true" : "false");
        button.textContent = chosen ? button.dataset.remove : button.dataset.add;
      });
      tray.hidden = items.length === 0;
      var total = 0, unknown = false;
      items.forEach(function (item) {
        var bytes = item.bytes && item.bytes[size.value];
        if (typeof bytes === "number") { total += bytes; } else { unknown = true; }
      });
      tray.querySelector(".tray-count").textContent =
        (items.length === 1 ? text.one : text.many).replace("%(count)s", items.length);
      tray.querySelector(".tray-bytes").textContent =
        (unknown ? text.atLeast : "%(size)s").replace("%(size)s", formatBytes(total));
      tray.querySelector(".tray-download").href = text.start + selectionQuery(items, size.value);
      tray.querySelector(".tray-open").href = text.start + selectionQuery(items);
      tray.querySelector(".tray-full").hidden = items.length < limit;
      list.textContent = "";
      items.forEach(function (item) {
        var entry = document.createElement("li"), remove = document.createElement("button");
        entry.textContent = item.title + " ";
        remove.type = "button";
        remove.textContent = text.remove;
        remove.setAttribute("aria-label", text.remove + ": " + item.title);
        remove.addEventListener("click", function () {
          items.splice(index(item.id), 1);
          saveSelection(items);
          render();
        });
        entry.appendChild(remove);
        list.appendChild(entry);
      });
    }

    buttons.forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var at = index(button.dataset.item);
        if (at >= 0) { items.splice(at, 1); } else { add(button); }
        saveSelection(items);
        render();
      });
    });
    document.querySelectorAll("button.select-all").forEach(function (all) {
      all.hidden = false;
      all.addEventListener("click", function () {
        all.closest("[data-selectable]").querySelectorAll("button.select-item[data-item]").forEach(add);
        saveSelection(items);
        render();
      });
    });
    size.addEventListener("change", render);
    tray.querySelector(".tray-clear").addEventListener("click", function () {
      items = [];
      saveSelection(items);
      render();
    });
    // Another tab of the same site changed the selection.
    window.addEventListener("storage", function (event) {
      if (event.key === SELECTION) { items = loadSelection(); render(); }
    });
    render();
  }

  // A YouTube or Vimeo video: its player is put in the page only when the reader presses
  // play, so nothing is loaded from those sites before.
  function enableEmbeds() {
    document.querySelectorAll(".embed-placeholder[data-embed]").forEach(function (holder) {
      var button = holder.querySelector("button.embed-play");
      if (!button) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var frame = document.createElement("iframe");
        frame.src = holder.getAttribute("data-embed");
        frame.title = holder.getAttribute("data-embed-title") || "";
        frame.allow = "autoplay; fullscreen; picture-in-picture";
        frame.setAttribute("allowfullscreen", "");
        frame.className = "embed-frame";
        holder.replaceChildren(frame);
        frame.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableCopyButtons();
    enablePrintButtons();
    enableSelection();
    enableEmbeds();
  });
})();
