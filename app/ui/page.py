"""The page's own script and style sheet (handed to `launch`).

The script does three things, each with one delegated listener in the capture phase, so it
runs before Gradio's own handlers:
- an in-page source link (`a[href^="#pq-"]`) reveals its card's turn, opens, highlights
  and scrolls to the card (the chat renderer would otherwise open it in a new tab);
- a message's copy icon puts clean Markdown on the clipboard: for an answer, the text the
  server rendered for it (citations as footnotes, kept in the hidden `#pq-copies`), never
  the chat's HTML; for a question, its text as shown;
- a file chosen or dropped on the admin upload box is checked for type, emptiness and size
  before it is sent, so those refusals are said in Chinese instead of Gradio's English toast.
"""

from __future__ import annotations

import json

PAGE_JS = """
() => {
  if (window.__pqPage) return;
  window.__pqPage = true;
  const LIMIT = __LIMIT__, TYPES = __TYPES__;

  document.addEventListener('click', (ev) => {
    const a = ev.target && ev.target.closest ? ev.target.closest('a[href^="#pq-"]') : null;
    if (!a) return;
    ev.preventDefault();
    ev.stopPropagation();
    const el = document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
    if (!el) return;
    const turn = el.closest('.pq-turn');
    if (turn) document.querySelectorAll('.pq-turn').forEach((s) => { s.hidden = s !== turn; });
    if (el.tagName === 'DETAILS') el.open = true;
    document.querySelectorAll('.pq-active').forEach((x) => x.classList.remove('pq-active'));
    el.classList.add('pq-active');
    el.scrollIntoView({behavior: 'smooth', block: 'start'});
  }, true);

  const rowOf = (btn) => {
    const inRow = btn.closest('.message-row');
    if (inRow) return inRow;
    let el = btn.closest('.message-buttons-left, .message-buttons-right');
    while (el && !(el.classList && el.classList.contains('message-row'))) el = el.previousElementSibling;
    return el;
  };
  const writeClipboard = async (text) => {
    try { await navigator.clipboard.writeText(text); return; } catch (e) { /* fall back below */ }
    const area = document.createElement('textarea');
    area.value = text; area.style.position = 'fixed'; area.style.left = '-9999px';
    document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); } finally { area.remove(); }
  };
  document.addEventListener('click', (ev) => {
    const btn = ev.target && ev.target.closest ? ev.target.closest('#pq-chat button') : null;
    if (!btn) return;
    const name = (btn.getAttribute('aria-label') || btn.getAttribute('title') || '').toLowerCase();
    if (!/copy|复制/.test(name) || /conversation|对话/.test(name)) return;
    const row = rowOf(btn);
    if (!row) return;
    let text = null;
    if (row.classList.contains('bot-row')) {
      const rows = Array.from(document.querySelectorAll('#pq-chat .message-row.bot-row'));
      const pre = document.querySelector('#pq-copies pre[data-i="' + rows.indexOf(row) + '"]');
      if (pre && pre.textContent) text = pre.textContent;
    }
    if (text === null) {
      const shown = row.querySelector('.message-content');
      text = shown ? shown.innerText : null;
    }
    if (text === null) return;
    ev.preventDefault();
    ev.stopImmediatePropagation();
    writeClipboard(text).then(() => {
      btn.setAttribute('title', '已复制');
      setTimeout(() => btn.setAttribute('title', '复制'), 1500);
    });
  }, true);

  const problems = (files) => {
    const out = [];
    for (const f of Array.from(files || [])) {
      const dot = f.name.lastIndexOf('.');
      const ext = dot >= 0 ? f.name.slice(dot).toLowerCase() : '';
      if (!TYPES.includes(ext)) {
        out.push(f.name + '：不支持 ' + (ext || '无扩展名') + ' 类型的文件；可上传：' + TYPES.join(' '));
      }
      else if (f.size === 0) out.push(f.name + '：文件是空的');
      else if (f.size > LIMIT) out.push(f.name + '：文件大小 ' + (f.size / 1048576).toFixed(1) + ' MB，超过 '
                                         + (LIMIT / 1048576).toFixed(0) + ' MB 的上限');
    }
    return out;
  };
  const refuse = (box, lines) => {
    let note = document.getElementById('pq-upload-precheck');
    if (!note) {
      note = document.createElement('div');
      note.id = 'pq-upload-precheck';
      note.className = 'pq-warn';
      box.insertAdjacentElement('afterend', note);
    }
    note.textContent = '未上传：' + lines.join('；');
  };
  const clearNote = () => { const n = document.getElementById('pq-upload-precheck'); if (n) n.remove(); };
  document.addEventListener('change', (ev) => {
    const input = ev.target;
    const box = input && input.closest ? input.closest('#pq-upload') : null;
    if (!box || input.type !== 'file') return;
    const bad = problems(input.files);
    if (!bad.length) { clearNote(); return; }
    ev.stopImmediatePropagation();
    input.value = '';
    refuse(box, bad);
  }, true);
  document.addEventListener('drop', (ev) => {
    const box = ev.target && ev.target.closest ? ev.target.closest('#pq-upload') : null;
    if (!box || !ev.dataTransfer) return;
    const bad = problems(ev.dataTransfer.files);
    if (!bad.length) { clearNote(); return; }
    ev.preventDefault();
    ev.stopImmediatePropagation();
    refuse(box, bad);
  }, true);
}
"""

PAGE_CSS = """
#pq-status p { margin: 0; padding: .5em .8em; border-radius: 6px; background: var(--color-accent-soft); }
#pq-copies { display: none !important; }
/* The chat box's own trash icon is replaced by "新对话" (one control that also clears the
   history follow-ups read); hiding its toolbar also ends the copy/trash icon overlap. */
#pq-chat .top-panel { display: none !important; }
#pq-conv-list .wrap { flex-direction: column; gap: .25em; max-height: 420px; overflow-y: auto;
  flex-wrap: nowrap; }
#pq-conv-list label { width: 100%; font-size: .9em; }
.pq-sources h4 { margin: .2em 0 .5em; font-size: .95em; color: var(--body-text-color-subdued); }
.pq-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .5em .75em;
  margin-bottom: .6em; background: var(--block-background-fill); }
.pq-card.pq-active { border-color: var(--color-accent); box-shadow: 0 0 0 2px var(--color-accent-soft); }
.pq-card summary { cursor: pointer; font-weight: 600; }
.pq-tag { color: var(--color-accent); margin-right: .25em; }
.pq-title { font-weight: 600; }
.pq-meta, .pq-path, .pq-crumb { font-size: .85em; color: var(--body-text-color-subdued); margin-top: .25em; }
.pq-para, .pq-window, .pq-chunk { white-space: pre-wrap; line-height: 1.7; margin: .4em 0;
  overflow-wrap: anywhere; }
.pq-para mark, .pq-window mark { background: #ffe58f; color: inherit; padding: 0 1px; }
.pq-here { background: rgba(255, 229, 143, .25); }
.pq-context summary { cursor: pointer; font-size: .85em; color: var(--color-accent); }
.pq-window { max-height: 24em; overflow-y: auto; font-size: .92em; border-left: 3px solid
  var(--border-color-primary); padding-left: .6em; }
a.pq-cite { text-decoration: none; font-weight: 600; padding: 0 1px; }
.pq-table-wrap { overflow-x: auto; }
table.pq-docs { border-collapse: collapse; width: 100%; font-size: .9em; }
table.pq-docs th, table.pq-docs td, table.pq-ledger th, table.pq-ledger td {
  border-bottom: 1px solid var(--border-color-primary); padding: .35em .5em;
  border-left: none; border-right: none; text-align: left; vertical-align: top; }
table.pq-docs th { white-space: nowrap; }
table.pq-docs td:first-child { min-width: 14em; }
table.pq-docs td:nth-child(n+3) { white-space: nowrap; }
table.pq-hits td:nth-child(2) { white-space: normal; min-width: 20em; }
table.pq-ledger { table-layout: fixed; width: 100%; border-collapse: collapse; font-size: .9em; }
table.pq-ledger td { overflow-wrap: anywhere; }
table.pq-ledger col.c-content { width: 46%; } table.pq-ledger col.c-units { width: 20%; }
table.pq-ledger col.c-deadline { width: 8%; } table.pq-ledger col.c-kind { width: 7%; }
table.pq-ledger col.c-doc { width: 19%; }
.pq-ledger-row { margin: 0; padding: .3em .5em; }
.pq-ledger-row summary { font-weight: 400; line-height: 1.6; }
.pq-ledger-row[open] summary { font-weight: 600; }
.pq-ledger-src { margin-top: .4em; padding-top: .4em; border-top: 1px dashed var(--border-color-primary); }
.pq-doc dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em .8em; font-size: .9em; }
.pq-doc dd { margin: 0; overflow-wrap: anywhere; }
.pq-outline ul { list-style: none; padding-left: 0; font-size: .9em; }
.pq-outline .pq-d2 { padding-left: 1.2em; } .pq-outline .pq-d3 { padding-left: 2.4em; }
.pq-outline .pq-d4 { padding-left: 3.6em; }
.pq-warn { color: var(--color-red-600, #c00); }
.pq-ok { color: var(--color-green-700, #15803d); }
.pq-empty { color: var(--body-text-color-subdued); }
@media (max-width: 640px) {
  .gradio-container { padding: 4px !important; }
  #pq-chat { height: 60vh !important; }
  /* the chat and its question box first, then the sources, then the options and the list:
     the chat column's own children join the row's flow so the sources can come between */
  #pq-chat-row { flex-direction: column; }
  #pq-chat-col { display: contents; }
  #pq-chat-col > * { order: 1; } #pq-src-col { order: 2; } #pq-chat-col > #pq-chat-opts { order: 3; }
  #pq-conv-col { order: 4; }
  #pq-sources .pq-sources { max-height: 60vh; overflow-y: auto; }
  table.pq-docs td:first-child { min-width: 10em; }
  table.pq-ledger { table-layout: auto; }
}
"""


def page_js(max_upload_bytes: int, types: tuple[str, ...]) -> str:
    """The page script with the upload limits filled in."""
    return PAGE_JS.replace("__LIMIT__", str(int(max_upload_bytes))).replace("__TYPES__", json.dumps(list(types)))
