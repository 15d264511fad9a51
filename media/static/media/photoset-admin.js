// Photo set admin: drag-and-drop uploads with per-file progress, drag to reorder,
// focal point and cover picking. Without this file the plain forms still work.
(function () {
  "use strict";

  var PARALLEL_UPLOADS = 2;
  // Files still waiting or on their way: leaving the page would drop them.
  var pending = 0;

  function warnBeforeLeaving(event) {
    if (pending > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  }

  function csrfToken(form) {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  function uploadRow(list, file) {
    var row = document.createElement("li");
    var name = document.createElement("span");
    var bar = document.createElement("progress");
    var message = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    bar.max = 100;
    bar.value = 0;
    message.className = "upload-message";
    message.textContent = "waiting";
    row.append(name, bar, message);
    list.append(row);
    return { row: row, bar: bar, message: message };
  }

  function sendOne(form, file, view) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("files", file);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.setRequestHeader("X-CSRFToken", csrfToken(form));
      request.upload.onprogress = function (event) {
        if (event.lengthComputable) {
          view.bar.value = Math.round((event.loaded / event.total) * 100);
          view.message.textContent = view.bar.value + " %";
        }
      };
      request.onload = function () {
        var result = null;
        try {
          result = JSON.parse(request.responseText).results[0];
        } catch (error) {
          // A refusal before the upload view (too big a request) comes as plain text.
          var text = request.status >= 400 && request.responseText.length < 500;
          result = {
            saved: false,
            message: text ? request.responseText : "The server answered " + request.status + ".",
          };
        }
        view.bar.value = 100;
        view.message.textContent = result.message;
        view.row.className = result.saved ? "upload-saved" : "upload-refused";
        resolve(result.saved);
      };
      request.onerror = function () {
        view.message.textContent = "The connection failed; try this file again.";
        view.row.className = "upload-refused";
        resolve(false);
      };
      request.send(data);
    });
  }

  function uploadAll(form, files) {
    var list = form.querySelector("[data-upload-list]");
    var queue = Array.prototype.map.call(files, function (file) {
      return { file: file, view: uploadRow(list, file) };
    });
    var saved = 0;
    var refused = 0;
    pending += queue.length;
    function next() {
      var item = queue.shift();
      if (!item) {
        return Promise.resolve();
      }
      item.view.message.textContent = "uploading";
      return sendOne(form, item.file, item.view).then(function (ok) {
        saved += ok ? 1 : 0;
        refused += ok ? 0 : 1;
        pending -= 1;
        return next();
      });
    }
    var workers = [];
    for (var i = 0; i < PARALLEL_UPLOADS; i += 1) {
      workers.push(next());
    }
    Promise.all(workers).then(function () {
      var summary = document.createElement("p");
      summary.className = "upload-summary";
      summary.setAttribute("role", "status");
      summary.append(
        plural(saved, "photo was saved", "photos were saved") +
          ", " +
          plural(refused, "file was refused", "files were refused") +
          ". "
      );
      if (saved) {
        var link = document.createElement("a");
        link.href = window.location.pathname;
        link.textContent = "Show the new photos in the grid";
        summary.append(link);
      }
      list.after(summary);
    });
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function enableUploads() {
    var form = document.querySelector("[data-upload-form]");
    if (!form) {
      return;
    }
    var zone = form.querySelector("[data-drop-zone]");
    var input = form.querySelector("[data-file-input]");
    window.addEventListener("beforeunload", warnBeforeLeaving);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      uploadAll(form, input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () {
        zone.classList.remove("is-dragging");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer.files.length) {
        uploadAll(form, event.dataTransfer.files);
      }
    });
  }

  function renumber(grid) {
    grid.querySelectorAll("[data-photo-card]").forEach(function (card, index) {
      var position = card.querySelector("input[name$='-position']");
      if (position) {
        position.value = index;
      }
    });
  }

  function enableReordering() {
    var grid = document.querySelector("[data-photo-grid]");
    if (!grid) {
      return;
    }
    var dragged = null;
    grid.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("[data-photo-card]");
      if (dragged) {
        dragged.classList.add("is-dragged");
        event.dataTransfer.effectAllowed = "move";
      }
    });
    grid.addEventListener("dragover", function (event) {
      var target = event.target.closest("[data-photo-card]");
      if (!dragged || !target || target === dragged) {
        return;
      }
      event.preventDefault();
      var box = target.getBoundingClientRect();
      var after = event.clientX > box.left + box.width / 2;
      target.parentNode.insertBefore(dragged, after ? target.nextSibling : target);
    });
    grid.addEventListener("dragend", function () {
      if (dragged) {
        dragged.classList.remove("is-dragged");
        dragged = null;
        renumber(grid);
      }
    });
  }

  function enableFocalPoints() {
    document.querySelectorAll("[data-focal-picker]").forEach(function (picker) {
      var prefix = picker.dataset.prefix;
      var dot = picker.querySelector(".focal-dot");
      picker.title = "Click the most important point: crops keep it in view.";
      picker.addEventListener("click", function (event) {
        var box = picker.querySelector("img").getBoundingClientRect();
        var x = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
        var y = Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1);
        document.getElementById("id_" + prefix + "-focal_x").value = x.toFixed(3);
        document.getElementById("id_" + prefix + "-focal_y").value = y.toFixed(3);
        dot.style.left = x * 100 + "%";
        dot.style.top = y * 100 + "%";
      });
    });
  }

  function enableCoverButtons() {
    var cover = document.getElementById("id_cover");
    document.querySelectorAll("[data-cover]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (cover) {
          cover.value = button.dataset.cover;
          document.querySelectorAll(".photo-card.is-cover").forEach(function (card) {
            card.classList.remove("is-cover");
          });
          button.closest("[data-photo-card]").classList.add("is-cover");
        }
      });
      if (cover && cover.value === button.dataset.cover) {
        button.closest("[data-photo-card]").classList.add("is-cover");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableUploads();
    enableReordering();
    enableFocalPoints();
    enableCoverButtons();
  });
})();
