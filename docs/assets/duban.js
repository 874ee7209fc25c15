// duban: sort any table by clicking its header; filter long tables by text and by column.
// Written for this site; no libraries, nothing loaded from elsewhere.
(function () {
  "use strict";

  function cellText(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }

  // a cell sorts by: an explicit data-sort inside it (a state's urgency, a rank), a date it holds,
  // a number, or its text with numbers compared by value (T-2-9 before T-2-10); empty and "—" always last
  function sortKey(row, index) {
    var cell = row.cells[index];
    if (!cell) return { kind: 3, value: "" };
    var marked = cell.querySelector("[data-sort]");
    if (marked && marked.getAttribute("data-sort") !== "") return { kind: 1, value: Number(marked.getAttribute("data-sort")) };
    var text = cell.textContent.replace(/^[\s└]+/, "").trim();  // a sub-task's marker does not sort
    if (text === "—" || text === "") return { kind: 3, value: "" };
    var date = text.match(/\d{4}-\d{2}-\d{2}/);  // "2024-06-30（已延期）", "每月，本期至 2024-04-30"
    if (date) return { kind: 0, value: date[0] };
    var number = text.replace(/[%,]/g, "");
    if (!isNaN(Number(number))) return { kind: 1, value: Number(number) };
    return { kind: 2, value: text };
  }

  var collator = new Intl.Collator("zh-Hans-CN", { numeric: true });

  function compare(a, b) {
    if (a.kind !== b.kind) return a.kind - b.kind;
    if (a.kind === 1) return a.value - b.value;
    return collator.compare(a.value, b.value);
  }

  function makeSortable(table) {
    var head = table.tHead;
    var body = table.tBodies[0];
    if (!head || !body || body.rows.length < 2 || head.rows[0].cells.length < 3) return;
    Array.prototype.forEach.call(head.rows[0].cells, function (th, index) {
      th.classList.add("duban-sortable");
      th.setAttribute("role", "button");
      th.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(head.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var k1 = sortKey(r1, index), k2 = sortKey(r2, index);
          if ((k1.kind === 3) !== (k2.kind === 3)) return k1.kind === 3 ? 1 : -1;  // "—" last either way
          var result = compare(k1, k2);
          return ascending ? result : -result;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function addFilters(table) {
    var body = table.tBodies[0];
    var head = table.tHead;
    if (!body || !head || body.rows.length < 15 || head.rows[0].cells.length < 3) return;
    var tools = document.createElement("div");
    tools.className = "duban-tools";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "筛选（输入任意文字）";
    input.setAttribute("aria-label", "筛选表格");
    tools.appendChild(input);
    var selects = [];
    Array.prototype.forEach.call(head.rows[0].cells, function (th, index) {
      var values = {};
      var count = 0;
      var longest = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var text = cellText(row, index);
        longest = Math.max(longest, text.length);
        if (!(text in values)) { values[text] = true; count += 1; }
      });
      // a drop-down only for short, repeated values (state, unit, clause, category), not free text
      var numeric = Object.keys(values).every(function (v) { return v !== "" && !isNaN(Number(v.replace(/[%,]/g, ""))); });
      if (numeric || count < 2 || count > 15 || count * 2 > body.rows.length || longest > 20) return;
      var select = document.createElement("select");
      select.setAttribute("aria-label", "按" + th.textContent.trim() + "筛选");
      var all = document.createElement("option");
      all.value = "";
      all.textContent = th.textContent.trim() + "：全部";
      select.appendChild(all);
      Object.keys(values).sort(collator.compare).forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value || "（空）";
        select.appendChild(option);
      });
      select.dataset.column = String(index);
      selects.push(select);
      tools.appendChild(select);
    });
    var counter = document.createElement("span");
    counter.className = "duban-count";
    tools.appendChild(counter);
    function apply() {
      var needle = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var ok = !needle || row.textContent.toLowerCase().indexOf(needle) !== -1;
        selects.forEach(function (select) {
          if (ok && select.value !== "" && cellText(row, Number(select.dataset.column)) !== select.value) ok = false;
        });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      counter.textContent = "显示 " + shown + " / " + body.rows.length + " 行";
    }
    input.addEventListener("input", apply);
    selects.forEach(function (select) { select.addEventListener("change", apply); });
    var anchor = table.closest(".md-typeset__scrollwrap") || table;
    anchor.parentNode.insertBefore(tools, anchor);
    apply();
  }

  // on a phone each row becomes a card: every cell labelled with its column, the state and days first
  var KEY_COLUMNS = ["状态", "逾期天数", "等级", "得分", "排名"];

  function labelCells(table) {
    var head = table.tHead;
    if (!head || !table.tBodies[0]) return;
    var labels = Array.prototype.map.call(head.rows[0].cells, function (th) { return th.textContent.trim(); });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, index) {
        cell.setAttribute("data-label", labels[index] || "");
        if (KEY_COLUMNS.indexOf(labels[index]) !== -1) cell.classList.add("duban-key");
      });
    });
  }

  function enhance() {
    // a data attribute, not a class: Material styles only tables without a class
    document.querySelectorAll(".md-typeset table:not([data-duban])").forEach(function (table) {
      table.setAttribute("data-duban", "");
      labelCells(table);
      makeSortable(table);
      addFilters(table);
    });
  }

  // a register volume's table is a file of its own (MkDocs would parse thousands of rows of HTML twice):
  // put it into the page, in the wrapper Material gives its tables, then go to the case the address names
  function loadFragments() {
    var holders = document.querySelectorAll(".duban-fragment[data-src]");
    return Promise.all(Array.prototype.map.call(holders, function (holder) {
      return fetch(holder.getAttribute("data-src")).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      }).then(function (text) {
        var wrap = document.createElement("div");
        wrap.className = "md-typeset__scrollwrap";
        var inner = document.createElement("div");
        inner.className = "md-typeset__table";
        inner.innerHTML = text;
        wrap.appendChild(inner);
        holder.replaceWith(wrap);
      }).catch(function () {
        holder.querySelector("p").firstChild.textContent = "台账表格未能载入，请";
      });
    }));
  }

  function start() {
    var pending = document.querySelector(".duban-fragment[data-src]");
    enhance();
    if (!pending) return;
    loadFragments().then(function () {
      enhance();
      var id = decodeURIComponent(location.hash.slice(1));
      var target = id && document.getElementById(id);
      if (target) target.scrollIntoView();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
