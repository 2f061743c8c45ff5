// The status page's client: one EventSource on /api/v1/stream, history from /api/v1/history on each
// (re)connect, and a watchdog so a silently dead connection is noticed and replaced.
import { LiveCharts } from './charts.js';
import { renderUpdate, setViewer } from './render.js';

const conn = document.getElementById('conn');
const connText = document.getElementById('conn-text');
const charts = new LiveCharts();

let source = null;
let intervalMs = 1000;
let lastMessageAt = 0;
let connectedAt = 0;
let retryTimer = null;
let backoffMs = 1000;

function setConnection(state) {
  if (conn.dataset.state === state) return;
  conn.dataset.state = state;
  connText.textContent = state;
}

async function loadHistory() {
  try {
    const res = await fetch('api/v1/history?range=15m', { cache: 'no-store' });
    if (res.ok) charts.reset(await res.json());
  } catch {
    // The stream's own reconnect covers it; the charts fill from the live points meanwhile.
  }
}

async function loadViewer() {
  try {
    const res = await fetch('api/v1/whoami', { cache: 'no-store', credentials: 'same-origin' });
    if (res.ok) setViewer(await res.json());
  } catch {
    // Without it the page simply offers no Ack buttons.
  }
}

function connect() {
  clearTimeout(retryTimer);
  source?.close();
  connectedAt = Date.now();
  const es = new EventSource('api/v1/stream');
  source = es;
  es.onopen = () => {
    backoffMs = 1000;
    void loadHistory();
    void loadViewer();
  };
  es.onmessage = (event) => {
    const update = JSON.parse(event.data);
    lastMessageAt = Date.now();
    intervalMs = update.intervalMs ?? intervalMs;
    setConnection('live');
    renderUpdate(update);
    charts.append(update.point);
  };
  es.onerror = () => {
    setConnection('reconnecting');
    // The browser retries by itself after a dropped stream; an answer it will not retry (503 when the
    // server has too many viewers, a 401) closes the EventSource, so we retry with a growing delay.
    if (es.readyState === EventSource.CLOSED) {
      retryTimer = setTimeout(connect, backoffMs);
      backoffMs = Math.min(backoffMs * 2, 15000);
    }
  };
}

setInterval(() => {
  const silentFor = Date.now() - Math.max(lastMessageAt, connectedAt);
  const stale = Math.max(3 * intervalMs, 3000);
  if (silentFor > stale) setConnection('reconnecting');
  // A proxy or a sleeping laptop can leave a stream open but dead: replace it.
  if (silentFor > stale + 5000) connect();
}, 1000);

if (window.uPlot) connect();
else window.addEventListener('load', connect, { once: true });
