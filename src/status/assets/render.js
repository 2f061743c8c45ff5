// Puts one update (the JSON of /api/v1/snapshot and of each stream event) on the page. Text from the
// server (method names, alert summaries) goes in through textContent only, never as HTML.
const $ = (id) => document.getElementById(id);

const percent = (x, digits = 1) => `${(x * 100).toFixed(digits)} %`;

function formatSeconds(s) {
  if (s === null || s === undefined) return '–';
  if (s >= 1) return `${s.toFixed(2)} s`;
  if (s >= 0.01) return `${Math.round(s * 1000)} ms`;
  return `${(s * 1000).toFixed(1)} ms`;
}

function renderBar(id, bar, format) {
  const card = $(id);
  card.dataset.colour = bar.colour;
  card.title = bar.severity ? `would raise a ${bar.severity} alert if it lasts` : '';
  card.querySelector('.value').textContent = bar.value === null ? '–' : format(bar.value);
  card.querySelector('.fill').style.width = bar.value === null ? '0' : `${Math.min(1, bar.value) * 100}%`;
  card.querySelector('.detail').textContent = bar.detail;
  const track = card.querySelector('.bar');
  const key = bar.marks.map((m) => `${m.severity}:${m.value}`).join(',');
  if (track.dataset.marks !== key) {
    track.dataset.marks = key;
    for (const old of track.querySelectorAll('.mark')) old.remove();
    for (const m of bar.marks) {
      if (m.value <= 0 || m.value >= 1) continue;
      const mark = document.createElement('span');
      mark.className = 'mark';
      mark.style.left = `${m.value * 100}%`;
      mark.title = `${m.severity} above ${percent(m.value, 0)}`;
      track.append(mark);
    }
  }
}

/** Who the page is signed in as (GET api/v1/whoami); operators and admins get an Ack button per alert. */
let viewer = { signedIn: false };
export function setViewer(who) {
  viewer = who ?? { signedIn: false };
}
const mayAck = () => viewer.signedIn && (viewer.role === 'operator' || viewer.role === 'admin');

/**
 * Acknowledges through the alert API. The browser sends the page's credentials (basic auth) itself; the
 * request carries our own Origin, which the API requires of state changes (no cookie, no cross-site form).
 */
async function acknowledge(fingerprint, button) {
  button.disabled = true;
  button.textContent = 'acking…';
  try {
    const res = await fetch(`api/v1/alerts/${encodeURIComponent(fingerprint)}/ack`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ comment: 'Acknowledged from the status page' }),
      credentials: 'same-origin',
    });
    button.textContent = res.ok ? 'acked' : `ack failed (${res.status})`;
  } catch {
    button.textContent = 'ack failed';
  }
}

function renderAlerts(alerts) {
  const section = $('alerts');
  const note = $('alerts-note');
  const list = $('alerts-list');
  for (const chip of section.querySelectorAll('.chip')) {
    const n = alerts.counts[chip.dataset.severity] ?? 0;
    chip.querySelector('b').textContent = String(n);
    chip.classList.toggle('on', n > 0);
  }
  list.replaceChildren();
  if (!alerts.enabled) {
    section.dataset.state = 'disabled';
    note.textContent = 'bridge disabled: alerts are not received by this ide-monitor';
    return;
  }
  const total = Object.values(alerts.counts).reduce((a, b) => a + b, 0);
  section.dataset.state = total === 0 ? 'ok' : 'firing';
  note.textContent = total === 0 ? 'No active alerts' : `${total} firing`;
  for (const a of alerts.items) {
    const li = document.createElement('li');
    li.dataset.severity = a.severity;
    const name = document.createElement('strong');
    name.textContent = a.alertname;
    const sev = document.createElement('span');
    sev.className = 'sev';
    sev.textContent = a.severity;
    const summary = document.createElement('span');
    summary.textContent = a.summary;
    const since = document.createElement('time');
    since.className = 'since';
    since.dateTime = a.startsAt;
    const started = new Date(a.startsAt);
    since.textContent = Number.isNaN(started.getTime()) ? '' : `since ${started.toLocaleTimeString()}`;
    li.append(name, sev, summary, since);
    if (!a.acknowledged && a.fingerprint && mayAck()) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'ack';
      button.textContent = 'Ack';
      button.addEventListener('click', () => void acknowledge(a.fingerprint, button));
      li.append(button);
    }
    if (a.acknowledged) {
      // Acknowledged (silenced through the bridge): still firing, but someone is on it.
      li.dataset.acked = 'true';
      const ack = document.createElement('span');
      ack.className = 'acked';
      const at = new Date(a.acknowledged.at);
      ack.textContent = `acked by ${a.acknowledged.by}${Number.isNaN(at.getTime()) ? '' : ` at ${at.toLocaleTimeString()}`}`;
      li.append(ack);
    }
    list.append(li);
  }
}

const ARROWS = {
  up: ['▲', 'trend-up', 'slower than the minute before'],
  down: ['▼', 'trend-down', 'faster than the minute before'],
  flat: ['→', 'trend-flat', 'about the same as the minute before'],
};

/** `textDocument/completion` may break after the slash only, with the common prefix muted. */
function methodCell(method) {
  const td = document.createElement('td');
  const slash = method.lastIndexOf('/');
  if (slash > 0) {
    const prefix = document.createElement('span');
    prefix.className = 'prefix';
    prefix.textContent = method.slice(0, slash + 1);
    td.append(prefix, document.createElement('wbr'), method.slice(slash + 1));
  } else {
    td.textContent = method;
  }
  td.title = method;
  return td;
}

function renderOperations(rows) {
  const body = $('ops-body');
  body.replaceChildren();
  $('ops-note').hidden = rows.length > 0;
  for (const r of rows) {
    const tr = document.createElement('tr');
    tr.append(methodCell(r.method));
    const cells = [formatSeconds(r.p95), r.rate.toFixed(r.rate >= 10 ? 0 : 2), r.errorRatio === null ? '–' : percent(r.errorRatio)];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    if (r.slow) tr.children[1].className = 'slow';
    if (r.failing) tr.children[3].className = 'err-bad';
    const trend = document.createElement('td');
    const arrow = ARROWS[r.trend];
    if (arrow) {
      trend.textContent = arrow[0];
      trend.className = arrow[1];
      trend.title = `${arrow[2]} (p95 was ${formatSeconds(r.previousP95)})`;
    } else {
      trend.textContent = '–';
      trend.title = 'no p95 for the minute before';
    }
    tr.append(trend);
    body.append(tr);
  }
}

function formatBytes(b) {
  if (b === null || b === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i += 1;
  }
  return `${b.toFixed(b >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

const rate = (r) => r.toFixed(r >= 10 ? 0 : 2);

/**
 * One table body from rows: `cells(row)` gives the cells, the first being the name (text or a cell
 * element); a cell is text, or `[text, className, title]`. The note shows when there are no rows.
 */
function renderTable(name, rows, cells, emptyNote) {
  const body = $(`${name}-body`);
  const note = $(`${name}-note`);
  body.replaceChildren();
  note.hidden = rows !== null && rows.length > 0;
  if (rows === null || rows.length === 0) note.textContent = emptyNote(rows);
  for (const row of rows ?? []) {
    const tr = document.createElement('tr');
    for (const cell of cells(row)) {
      if (cell instanceof Node) {
        tr.append(cell);
        continue;
      }
      const td = document.createElement('td');
      const [text, className, title] = Array.isArray(cell) ? cell : [cell];
      td.textContent = text;
      if (className) td.className = className;
      if (title) td.title = title;
      tr.append(td);
    }
    body.append(tr);
  }
}

function nameCell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  td.title = text;
  return td;
}

function renderPanels(u) {
  renderTable(
    'apps',
    u.applications ?? [],
    (r) => [
      nameCell(r.operation),
      formatSeconds(r.p95),
      rate(r.rate),
      [r.errorRatio === null ? '–' : percent(r.errorRatio), r.errorRatio > 0 ? 'err-bad' : ''],
    ],
    () => 'no operations in the last minute (IDE backends report them to POST /api/v1/ingest)',
  );
  renderTable(
    'caches',
    u.caches ?? [],
    (r) => [nameCell(r.cache), r.hitRatio === null ? '–' : percent(r.hitRatio), rate(r.rate), r.lifetimeHitRatio === null ? '–' : percent(r.lifetimeHitRatio)],
    () => 'no cache lookups reported',
  );
  renderTable(
    'procs',
    u.processes,
    (r) => [
      nameCell(r.group),
      [String(r.count), r.count === 0 ? 'err-bad' : '', r.count === 0 ? 'no process of this group is running' : ''],
      formatBytes(r.residentBytes),
      r.cpuCores === null ? '–' : percent(r.cpuCores),
      [`${r.restarts}${r.recentRestarts > 0 ? ` (+${r.recentRestarts})` : ''}`, r.recentRestarts > 0 ? 'slow' : ''],
    ],
    (rows) => (rows === null ? 'process-group collector off (--collector.process)' : 'no process groups configured (collectors.process.groups)'),
  );
  renderTable(
    'servers',
    u.servers ?? [],
    (r) => [
      nameCell(r.server),
      r.up === null
        ? ['unknown', 'trend-flat']
        : r.up >= 1
          ? ['up', 'ok']
          : ['down', 'err-bad', 'exited abnormally; stays down for a while so the alert can fire'],
      String(r.starts),
      String(r.exits),
      formatBytes(r.residentBytes),
    ],
    () => 'no language server reported yet (run it behind ide-monitor lsp-proxy)',
  );
}

export function renderUpdate(u) {
  // The public view (access.public_status) leaves out names and details; offer the way to see them.
  document.body.dataset.public = u.public ? 'true' : 'false';
  renderBar('h-cpu', u.health.cpu, (v) => percent(v));
  renderBar('h-memory', u.health.memory, (v) => percent(v));
  renderBar('h-disk', u.health.disk, (v) => percent(v));
  renderBar('h-lsp', u.health.lsp, (v) => `${Math.round(v * 100)} % of budget`);
  renderAlerts(u.alerts);
  renderOperations(u.operations);
  renderPanels(u);
  const updated = $('updated');
  updated.textContent = new Date(u.t).toLocaleTimeString();
  updated.dateTime = new Date(u.t).toISOString();
  $('interval').textContent = String(u.intervalMs / 1000);
  document.body.dataset.seq = String(u.seq);
}
