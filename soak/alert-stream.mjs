// A steady stream of alerts into a real Alertmanager: each alert fires, lives `lifetimeMs`, then resolves.
// Every alert carries its sequence number, so the Slack sink can tell which ones arrived, firing and resolved.

/**
 * Posts `ratePerSec` new alerts per second to Alertmanager's v2 API and resolves each after `lifetimeMs`
 * (a post with `endsAt` now). `posted` keeps every alert's sequence number and the time it was posted.
 */
export function startAlertStream({ alertmanagerUrl, ratePerSec, lifetimeMs }) {
  const posted = new Map(); // seq → { startsAt, postedAt, resolvedAt? }
  let next = 0;
  let postFailures = 0;
  let stopped = false;

  const alert = (seq, entry, endsAt) => ({
    labels: { alertname: 'SoakAlert', seq: String(seq), severity: 'warning' },
    annotations: { summary: `soak alert #${seq}` },
    startsAt: entry.startsAt,
    ...(endsAt !== undefined && { endsAt }),
  });

  const post = async (alerts) => {
    try {
      const response = await fetch(`${alertmanagerUrl}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) throw new Error(`${response.status}`);
      return true;
    } catch {
      postFailures++;
      return false;
    }
  };

  const tick = async () => {
    const now = Date.now();
    const batch = [];
    if (!stopped) {
      const seq = next++;
      const entry = { startsAt: new Date(now).toISOString(), postedAt: now };
      posted.set(seq, entry);
      batch.push(alert(seq, entry));
    }
    for (const [seq, entry] of posted) {
      if (entry.resolvedAt === undefined && (stopped || now - entry.postedAt >= lifetimeMs)) {
        entry.resolvedAt = now;
        batch.push(alert(seq, entry, new Date(now).toISOString()));
      }
    }
    // A failed post is retried on the next tick, as Prometheus re-sends active alerts.
    if (batch.length > 0 && !(await post(batch))) {
      for (const a of batch) {
        const seq = Number(a.labels.seq);
        // An alert Alertmanager never took is not expected at Slack; a resolve is simply sent again.
        if (a.endsAt === undefined) posted.delete(seq);
        else posted.get(seq).resolvedAt = undefined;
      }
    }
  };
  const timer = setInterval(tick, 1000 / ratePerSec);

  return {
    posted,
    get postFailures() {
      return postFailures;
    },
    /**
     * Stops new alerts and resolves every remaining one. The newest get `settleMs` first: Alertmanager
     * never notifies a group whose alerts resolved before its first notification went out.
     */
    async finish(settleMs) {
      clearInterval(timer);
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      stopped = true;
      await tick();
    },
  };
}
