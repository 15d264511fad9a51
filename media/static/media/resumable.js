// Resumable video uploads for the admin: the tus 1.0.0 protocol, without a library.
//
// Markup: <form data-resumable-upload data-endpoint="/…/uploads/" data-csrf="…">
//           <input type="file" multiple> <ul data-upload-list></ul> </form>
//
// Each chosen file is created on the server (POST to the endpoint), then sent in
// pieces (PATCH to the address the server gave). When the connection drops the
// client waits, asks how much arrived (HEAD) and sends the rest. Upload addresses
// are kept in localStorage, so choosing the same file again after a reload goes on
// where it stopped. The page may give the texts in its language as data attributes
// on the form (data-text-waiting, data-text-progress, …; see TEXTS).
(function () {
  "use strict";

  const TUS_VERSION = "1.0.0";
  // Big enough that the requests around each piece cost little, small enough that a
  // dropped connection loses little and the progress bar moves.
  const PIECE_BYTES = 8 * 1024 * 1024;
  const FILES_AT_ONCE = 2;
  const FIRST_WAIT_MS = 1000;
  const LONGEST_WAIT_MS = 30000;
  // Failures in a row, with no byte getting through, before a file gives up (about ten minutes).
  const MOST_FAILURES = 25;
  const STORE_PREFIX = "newsroom-resumable:";

  const TEXTS = {
    waiting: "waiting",
    progress: "{done} of {total}",
    retrying: "connection lost, trying again in {seconds} s",
    added: "added",
    refused: "not added",
    failed: "The upload stopped. Choose the file again to go on from where it stopped.",
    unknown: "Sent. Reload the set to see whether it was added.",
    // No answer of ours: most often a login that expired (the admin's login page or a 403).
    unexpected: "The server gave an unexpected answer (HTTP {status}). Reload the page, sign in if asked, and choose the file again.",
  };

  // What one request step tells the loop: go on with the next, or wait and ask first.
  const GO_ON = { goOn: true };
  const PAUSE = { pause: true };

  // Files still on their way: leaving the page stops them (choosing them again resumes).
  let pending = 0;

  function text(form, key, values) {
    const template = form.dataset["text" + key.charAt(0).toUpperCase() + key.slice(1)] || TEXTS[key];
    return template.replace(/\{(\w+)\}/g, (whole, name) => (values && name in values ? values[name] : whole));
  }

  function csrfToken(form) {
    if (form.dataset.csrf) {
      return form.dataset.csrf;
    }
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function readableSize(bytes) {
    // Powers of 1024 with Django's unit names, as the page states the limit.
    const units = ["bytes", "KB", "MB", "GB", "TB"];
    let unit = 0;
    while (bytes >= 1024 && unit < units.length - 1) {
      bytes /= 1024;
      unit += 1;
    }
    const language = document.documentElement.lang || undefined;
    const digits = unit >= 3 ? 1 : 0;
    return bytes.toLocaleString(language, { maximumFractionDigits: digits }) + " " + units[unit];
  }

  // Upload-Metadata values are base64 of UTF-8; btoa alone only takes Latin-1.
  function base64(value) {
    let binary = "";
    new TextEncoder().encode(value).forEach((byte) => { binary += String.fromCharCode(byte); });
    return btoa(binary);
  }

  // localStorage can be full or forbidden (private windows): then resuming after a
  // reload is lost, not the upload.
  const store = {
    get(key) {
      try { return window.localStorage.getItem(key); } catch (error) { return null; }
    },
    set(key, value) {
      try { window.localStorage.setItem(key, value); } catch (error) { /* nowhere to keep it */ }
    },
    remove(key) {
      try { window.localStorage.removeItem(key); } catch (error) { /* nothing was kept */ }
    },
  };

  function wait(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  // One request: resolves with every answer the server gives, rejects only when none
  // came (the network). XMLHttpRequest rather than fetch, for upload progress.
  function send(form, method, url, headers, body, onProgress) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open(method, url);
      request.setRequestHeader("Tus-Resumable", TUS_VERSION);
      request.setRequestHeader("X-CSRFToken", csrfToken(form));
      Object.entries(headers).forEach(([name, value]) => request.setRequestHeader(name, value));
      if (onProgress) {
        request.upload.onprogress = (event) => onProgress(event.loaded);
      }
      request.onload = () => {
        let json = null;
        if ((request.getResponseHeader("Content-Type") || "").startsWith("application/json")) {
          try { json = JSON.parse(request.responseText); } catch (error) { /* no answer, then */ }
        }
        const offset = parseInt(request.getResponseHeader("Upload-Offset"), 10);
        resolve({
          status: request.status,
          location: request.getResponseHeader("Location"),
          offset: Number.isNaN(offset) ? null : offset,
          json: json,
        });
      };
      request.onerror = () => reject(new Error("no answer"));
      request.send(body === undefined ? null : body);
    });
  }

  // The server's own verdict on a file: a JSON body saying whether it was saved.
  function isVerdict(answer) {
    return Boolean(answer.json && typeof answer.json.saved === "boolean");
  }

  // A refusal: the server's message, or what we can say without one. A 5xx it explained
  // (the file arrived but could not be added) stays resumable: the file is still there.
  function refusal(form, answer) {
    const message = (answer.json && answer.json.message) || text(form, "unexpected", { status: answer.status });
    return { saved: false, message: message, resumable: answer.status >= 500 || !answer.json };
  }

  class Upload {
    constructor(form, file, view) {
      this.form = form;
      this.file = file;
      this.view = view;
      this.endpoint = new URL(form.dataset.endpoint, document.baseURI).href;
      this.key = STORE_PREFIX + this.endpoint + "|" + file.name + "|" + file.size + "|" + file.lastModified;
      this.url = store.get(this.key);
      this.offset = 0;
      // A remembered upload: ask how much of it the server has before sending.
      this.mustAsk = Boolean(this.url);
      this.everythingSent = false;
    }

    // Resolves with the result shown for the file; never rejects, so one file's trouble
    // never stops the others.
    async run() {
      let failures = 0;
      for (;;) {
        const before = this.offset;
        let outcome;
        try {
          outcome = await this.step();
        } catch (error) {
          outcome = PAUSE; // no answer: the network
        }
        if (outcome === PAUSE) {
          failures += 1;
          if (failures > MOST_FAILURES) {
            return { saved: false, message: text(this.form, "failed"), resumable: true };
          }
          // 1 s, 2 s, 4 s … up to half a minute: a dropped line often needs a moment.
          const ms = Math.min(FIRST_WAIT_MS * 2 ** (failures - 1), LONGEST_WAIT_MS);
          this.view.message.textContent = text(this.form, "retrying", { seconds: Math.round(ms / 1000) });
          await wait(ms);
          // Whatever part of the last piece arrived is kept: the server says how much.
          this.mustAsk = Boolean(this.url);
        } else if (outcome === GO_ON) {
          if (this.offset > before) {
            failures = 0; // bytes got through: the line works again
          }
        } else {
          return outcome;
        }
      }
    }

    step() {
      if (!this.url) {
        return this.create();
      }
      if (this.mustAsk) {
        return this.askOffset();
      }
      return this.sendPiece();
    }

    async create() {
      const answer = await send(this.form, "POST", this.endpoint, {
        "Upload-Length": String(this.file.size),
        "Upload-Metadata": "filename " + base64(this.file.name) + ",filetype " + base64(this.file.type || "application/octet-stream"),
        // An empty file is whole at creation: the answer is then the server's verdict.
        "Upload-Complete-Response": "json",
      });
      if (answer.status === 201 && answer.location) {
        // Location may be relative: to the address the POST went to.
        this.url = new URL(answer.location, this.endpoint).href;
        this.offset = 0;
        store.set(this.key, this.url);
        return isVerdict(answer) ? answer.json : GO_ON;
      }
      return answer.status >= 500 && !isVerdict(answer) ? PAUSE : refusal(this.form, answer);
    }

    async askOffset() {
      const answer = await send(this.form, "HEAD", this.url, {});
      if (answer.status === 200 && answer.offset !== null) {
        this.offset = answer.offset;
        this.mustAsk = false;
        this.showProgress(this.offset);
        return GO_ON;
      }
      if (answer.status === 404 || answer.status === 410) {
        if (this.everythingSent) {
          // The server took the file over already; only its answer was lost on the way.
          return { saved: false, message: text(this.form, "unknown") };
        }
        // Cleaned away after a day, or never ours: start this file afresh.
        store.remove(this.key);
        this.url = null;
        this.mustAsk = false;
        return GO_ON;
      }
      return answer.status >= 500 ? PAUSE : refusal(this.form, answer);
    }

    async sendPiece() {
      const start = this.offset;
      this.showProgress(start);
      // Once every byte is there, a piece of no bytes asks the server to take the file
      // over (the handover failed before, or its answer was lost).
      const piece = this.file.slice(start, Math.min(start + PIECE_BYTES, this.file.size));
      const answer = await send(
        this.form,
        "PATCH",
        this.url,
        {
          "Content-Type": "application/offset+octet-stream",
          "Upload-Offset": String(start),
          // The last piece's answer then carries the server's verdict (tus itself answers 204).
          "Upload-Complete-Response": "json",
        },
        piece,
        (loaded) => this.showProgress(start + loaded),
      );
      if ((answer.status === 204 || answer.status === 200) && answer.offset !== null) {
        this.offset = answer.offset;
        this.showProgress(this.offset);
        if (this.offset < this.file.size) {
          return GO_ON;
        }
        this.everythingSent = true;
        return isVerdict(answer) ? answer.json : { saved: true, message: text(this.form, "added") };
      }
      if (answer.status === 409 || answer.status === 423 || (answer.status >= 500 && !isVerdict(answer))) {
        // The server has more or less than we thought (another tab, a lost answer), a
        // piece of ours is still arriving, or a passing fault: wait, then ask it.
        return PAUSE;
      }
      if (answer.status === 404 && this.everythingSent) {
        return { saved: false, message: text(this.form, "unknown") };
      }
      return refusal(this.form, answer);
    }

    showProgress(done) {
      this.view.bar.value = done;
      this.view.message.textContent = text(this.form, "progress", {
        done: readableSize(done),
        total: readableSize(this.file.size),
      });
    }

    finish(result) {
      // Added or refused, the server has done with this upload; one that only failed on
      // the way keeps its address, to be resumed when the file is chosen again.
      if (!result.resumable) {
        store.remove(this.key);
      }
      this.view.message.textContent = result.message || text(this.form, result.saved ? "added" : "refused");
      this.view.row.className = result.saved ? "upload-saved" : "upload-refused";
      if (result.saved) {
        this.view.bar.value = this.view.bar.max;
      }
    }
  }

  function uploadRow(form, list, file) {
    const row = document.createElement("li");
    const name = document.createElement("span");
    const bar = document.createElement("progress");
    const message = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    bar.max = Math.max(file.size, 1);
    bar.value = 0;
    message.className = "upload-message";
    message.textContent = text(form, "waiting");
    row.append(name, bar, message);
    list.append(row);
    return { row, bar, message };
  }

  function uploadAll(form, files) {
    const list = form.querySelector("[data-upload-list]");
    const queue = files.map((file) => new Upload(form, file, uploadRow(form, list, file)));
    pending += queue.length;
    async function worker() {
      for (let upload = queue.shift(); upload; upload = queue.shift()) {
        upload.finish(await upload.run());
        pending -= 1;
      }
    }
    for (let i = 0; i < FILES_AT_ONCE; i += 1) {
      worker();
    }
  }

  function enable(form) {
    const input = form.querySelector("input[type=file]");
    if (!input || !form.dataset.endpoint || !form.querySelector("[data-upload-list]")) {
      return;
    }
    input.addEventListener("change", () => {
      const files = Array.from(input.files);
      // Cleared, so the same file can be chosen again to resume it after a failure.
      input.value = "";
      if (files.length) {
        uploadAll(form, files);
      }
    });
    // Nothing to submit: the files travel through the protocol, not the form.
    form.addEventListener("submit", (event) => event.preventDefault());
  }

  window.addEventListener("beforeunload", (event) => {
    if (pending > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  function enableAll() {
    document.querySelectorAll("form[data-resumable-upload]").forEach(enable);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enableAll);
  } else {
    enableAll();
  }
})();
