// Local stand-ins for Slack incoming webhooks, PagerDuty's Events API v2, Teams Workflows webhooks, Discord
// webhooks, OpsGenie's Alert API v2, Twilio's Messages API and a generic webhook on 127.0.0.1, for the
// tests, bench/ and soak/ alike (plain JS; types in sinks.d.mts). They speak the services' wire contract
// (status codes, bodies, Retry-After) and reject what the real service rejects, record every request in
// arrival order, and count re-sends of the same key, so callers can tell "arrived once" from "arrived, and again".
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

const defaultFailure = (status, retryAfter) => ({
  answer: status === 429 ? 'rate_limited' : 'internal_error',
  headers: retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) },
});

/**
 * `path`: the one path the service answers (its URL is the sink's), or a pattern over path and query for
 * an API with many (the sink's URL is then the base URL). `notFound`: the body for any other path.
 */
async function startSink(path, handle, { failureAnswer = defaultFailure, notFound = 'not found', port = 0, onRequest } = {}) {
  const requests = [];
  let failure;
  let slow;
  const record = (request) => {
    requests.push(request);
    onRequest?.(request);
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const delay = slow !== undefined && Date.now() < slow.until ? slow.delayMs : 0;
      const send = (status, answer, headers = {}) => {
        if (answer === undefined) {
          res.writeHead(status, headers);
          return void res.end();
        }
        const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
        const answerNow = () => {
          if (res.destroyed) return;
          res.writeHead(status, { 'Content-Type': typeof answer === 'string' ? 'text/plain' : 'application/json', ...headers });
          res.end(text);
        };
        if (delay > 0) setTimeout(answerNow, delay);
        else answerNow();
      };
      const url = req.url ?? '';
      if (req.method !== 'POST' || (typeof path === 'string' ? url !== path : !path.test(url))) return send(404, notFound);
      let body;
      if (String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(raw));
      else {
        try {
          body = JSON.parse(raw);
        } catch {
          body = undefined;
        }
      }
      const now = Date.now();
      // Fractional milliseconds on the Date.now() scale, for latencies measured against it (bench/).
      const at = performance.timeOrigin + performance.now();
      const skipped = failure !== undefined && (failure.skip ?? 0) > 0;
      if (skipped) failure.skip -= 1;
      if (!skipped && failure !== undefined && ((failure.until !== undefined && now < failure.until) || (failure.remaining ?? 0) > 0)) {
        if (failure.remaining !== undefined) failure.remaining -= 1;
        record({ at, key: '', body, headers: req.headers, status: failure.status, url });
        const { answer, headers } = failureAnswer(failure.status, failure.retryAfter);
        return send(failure.status, answer, headers);
      }
      const { status, key, answer, headers } = handle(body, raw, req);
      record({ at, key, body, headers: req.headers, status, url });
      send(status, answer, headers);
    });
  });
  // Keep-alive connections outlive a sender's pauses (Node's default is 5 s), as a real service's do.
  server.keepAliveTimeout = 30_000;
  const listen = (at) => new Promise((resolve, reject) => server.once('error', reject).listen(at, '127.0.0.1', () => (server.off('error', reject), resolve())));
  await listen(port);
  const bound = server.address().port;
  const close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const accepted = () => requests.filter((r) => r.status >= 200 && r.status < 300);
  return {
    url: `http://127.0.0.1:${bound}${typeof path === 'string' ? path : ''}`,
    requests,
    accepted,
    uniqueKeys: () => new Set(accepted().map((r) => r.key)),
    duplicates: () => accepted().length - new Set(accepted().map((r) => r.key)).size,
    failFor(ms, status, retryAfterSeconds) {
      failure = { status, until: Date.now() + ms, ...(retryAfterSeconds !== undefined && { retryAfter: retryAfterSeconds }) };
    },
    failNext(count, status, retryAfterSeconds, skip = 0) {
      failure = { status, remaining: count, skip, ...(retryAfterSeconds !== undefined && { retryAfter: retryAfterSeconds }) };
    },
    slowFor(ms, delayMs) {
      slow = { until: Date.now() + ms, delayMs };
    },
    down: close,
    up: () => listen(bound),
    stop: () => (server.listening ? close() : Promise.resolve()),
  };
}

/** Slack's Block Kit limit on blocks per message. */
const SLACK_MAX_BLOCKS = 50;

/**
 * Slack incoming webhook: 200 "ok" (text/plain) for a message with `text`, `blocks` or `attachments`; 400
 * "invalid_payload" for a body that is not a JSON object, "no_text" without any of the three,
 * "invalid_blocks" past 50 blocks, "msg_too_long"; 404 "no_service" for another path; an injected 429
 * carries Retry-After. Slack has no idempotency key: a message is identified by its body, and a
 * byte-identical re-send counts as a duplicate.
 */
export function startSlackSink(options = {}) {
  return startSink(
    '/services/T000/B000/XXXX',
    (body, raw) => {
      const key = createHash('sha256').update(raw).digest('hex');
      if (body === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, key, answer: 'invalid_payload' };
      const message = body;
      if (typeof message.text !== 'string' && !Array.isArray(message.blocks) && !Array.isArray(message.attachments))
        return { status: 400, key, answer: 'no_text' };
      if (Array.isArray(message.blocks) && message.blocks.length > SLACK_MAX_BLOCKS) return { status: 400, key, answer: 'invalid_blocks' };
      if (raw.length > 40_000 * 4) return { status: 400, key, answer: 'msg_too_long' };
      return { status: 200, key, answer: 'ok' };
    },
    {
      ...options,
      notFound: 'no_service',
      failureAnswer: (status, retryAfter) => (status === 404 ? { answer: 'no_service', headers: {} } : defaultFailure(status, retryAfter)),
    },
  );
}

const PD_SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

/** Checks an Events API v2 event the way PagerDuty does; returns the problems. */
export function pagerDutyProblems(body) {
  const problems = [];
  if (typeof body !== 'object' || body === null) return ['the body is not a JSON object'];
  const event = body;
  if (typeof event['routing_key'] !== 'string' || event['routing_key'] === '') problems.push("'routing_key' is missing or blank");
  const action = event['event_action'];
  if (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve') problems.push("'event_action' is invalid");
  const dedupKey = event['dedup_key'];
  if (dedupKey !== undefined && (typeof dedupKey !== 'string' || dedupKey.length > 255))
    problems.push("'dedup_key' must be a string of at most 255 characters");
  if (action !== 'trigger' && typeof dedupKey !== 'string') problems.push("'dedup_key' is required for acknowledge and resolve");
  if (action === 'trigger') {
    const payload = event['payload'];
    if (typeof payload !== 'object' || payload === null) problems.push("'payload' is missing");
    else {
      if (typeof payload['summary'] !== 'string' || payload['summary'] === '') problems.push("'payload.summary' is missing or blank");
      else if (payload['summary'].length > 1024) problems.push("'payload.summary' is longer than 1024 characters");
      if (typeof payload['source'] !== 'string' || payload['source'] === '') problems.push("'payload.source' is missing or blank");
      if (!PD_SEVERITIES.has(String(payload['severity']))) problems.push("'payload.severity' is invalid (expected one of critical, error, warning, info)");
    }
  }
  if (Buffer.byteLength(JSON.stringify(body)) > 512 * 1024) problems.push('the event is larger than 512 KB');
  return problems;
}

/**
 * PagerDuty Events API v2 (`/v2/enqueue`): 202 {status, message, dedup_key} for a valid event, 400 with
 * the errors for an invalid one. The key is dedup_key + action: PagerDuty folds a re-sent trigger into the
 * open incident, and the sink counts it.
 */
export function startPagerDutySink(options = {}) {
  return startSink(
    '/v2/enqueue',
    (body) => {
      const problems = pagerDutyProblems(body);
      if (problems.length > 0) return { status: 400, key: '', answer: { status: 'invalid event', message: 'Event object is invalid', errors: problems } };
      const event = body;
      const dedupKey = event.dedup_key ?? createHash('md5').update(JSON.stringify(body)).digest('hex');
      return { status: 202, key: `${dedupKey}|${event.event_action}`, answer: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
    },
    options,
  );
}

/** A generic JSON receiver keyed by the Idempotency-Key header (the bridge's outgoing webhook sends one). */
export function startWebhookSink() {
  return startSink('/hook', (_body, _raw, req) => ({ status: 200, key: String(req.headers['idempotency-key'] ?? ''), answer: { ok: true } }));
}

/**
 * Microsoft Teams Workflows (Power Automate) webhook: 202 for a message carrying an Adaptive Card; 400 for
 * anything else; 413 past the 28 KB message limit. Keyed by body, like Slack (no idempotency key).
 */
export function startTeamsSink() {
  return startSink('/workflows/0a1b2c/triggers/manual/paths/invoke?sig=SECRET', (body, raw) => {
    const key = createHash('sha256').update(raw).digest('hex');
    const message = body;
    const card = message?.attachments?.[0];
    if (
      message?.type !== 'message' ||
      card?.contentType !== 'application/vnd.microsoft.card.adaptive' ||
      card.content?.type !== 'AdaptiveCard' ||
      !Array.isArray(card.content.body)
    ) {
      return {
        status: 400,
        key,
        answer: { error: { code: 'InvalidRequestContent', message: 'The request content is not a message with an Adaptive Card attachment.' } },
      };
    }
    if (Buffer.byteLength(raw) > 28 * 1024)
      return { status: 413, key, answer: { error: { code: 'MessageTooLarge', message: 'The message is larger than 28 KB.' } } };
    return { status: 202, key, answer: undefined };
  });
}

/** Checks a Discord webhook message against Discord's documented limits; returns the problems. */
export function discordProblems(body) {
  const problems = [];
  const message = body;
  if (message === undefined || (typeof message.content !== 'string' && !Array.isArray(message.embeds))) return ['Cannot send an empty message'];
  if ((message.content ?? '').length > 2000) problems.push('content: Must be 2000 or fewer in length.');
  const embeds = message.embeds ?? [];
  if (embeds.length > 10) problems.push('embeds: Must be 10 or fewer in length.');
  let total = 0;
  embeds.forEach((embed, i) => {
    if ((embed.title ?? '').length > 256) problems.push(`embeds.${i}.title: Must be 256 or fewer in length.`);
    if ((embed.description ?? '').length > 4096) problems.push(`embeds.${i}.description: Must be 4096 or fewer in length.`);
    if ((embed.fields ?? []).length > 25) problems.push(`embeds.${i}.fields: Must be 25 or fewer in length.`);
    for (const field of embed.fields ?? []) {
      if (field.name.length > 256) problems.push(`embeds.${i}.fields.name: Must be 256 or fewer in length.`);
      if (field.value.length > 1024) problems.push(`embeds.${i}.fields.value: Must be 1024 or fewer in length.`);
    }
    if ((embed.footer?.text ?? '').length > 2048) problems.push(`embeds.${i}.footer.text: Must be 2048 or fewer in length.`);
    total +=
      (embed.title ?? '').length +
      (embed.description ?? '').length +
      (embed.footer?.text ?? '').length +
      (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  });
  if (total > 6000) problems.push('embeds: Embed size exceeds maximum size of 6000');
  return problems;
}

/**
 * Discord webhook (`/api/webhooks/{id}/{token}`): 204 without a body for a valid message, 400 code 50035
 * "Invalid Form Body" otherwise; a 429 carries `retry_after` (seconds, fractional) in its JSON body and a
 * whole-second Retry-After header, as Discord sends them.
 */
export function startDiscordSink() {
  return startSink(
    '/api/webhooks/112233/SECRET-TOKEN',
    (body, raw) => {
      const key = createHash('sha256').update(raw).digest('hex');
      const problems = discordProblems(body);
      if (problems.length > 0) return { status: 400, key, answer: { code: 50035, message: 'Invalid Form Body', errors: problems } };
      return { status: 204, key, answer: undefined };
    },
    {
      failureAnswer: (status, retryAfter) =>
        status === 429
          ? {
              answer: { message: 'You are being rate limited.', retry_after: retryAfter ?? 0.5, global: false },
              headers: { 'Retry-After': String(Math.ceil(retryAfter ?? 0.5)) },
            }
          : status === 401
            ? { answer: { message: '401: Unauthorized', code: 0 }, headers: {} }
            : status === 404
              ? { answer: { message: 'Unknown Webhook', code: 10015 }, headers: {} }
              : defaultFailure(status, retryAfter),
    },
  );
}

export const OPSGENIE_KEY = 'eb243592-faa2-4ba2-a551q-1afdf565c889';

/** Checks an OpsGenie create-alert body; returns the problems as OpsGenie words them. */
export function opsGenieProblems(body) {
  const problems = [];
  const alert = body;
  if (alert === undefined) return ['Request body is not processable'];
  if (typeof alert['message'] !== 'string' || alert['message'] === '') problems.push('message: Message can not be empty.');
  else if (alert['message'].length > 130) problems.push('message: Message can not be longer than 130 characters.');
  if (typeof alert['alias'] === 'string' && alert['alias'].length > 512) problems.push('alias: Alias can not be longer than 512 characters.');
  if (typeof alert['description'] === 'string' && alert['description'].length > 15_000)
    problems.push('description: Description can not be longer than 15000 characters.');
  if (alert['priority'] !== undefined && !['P1', 'P2', 'P3', 'P4', 'P5'].includes(String(alert['priority'])))
    problems.push('priority: Priority should be one of [P1, P2, P3, P4, P5]');
  const tags = alert['tags'] ?? [];
  if (tags.length > 20 || tags.some((t) => t.length > 50)) problems.push('tags: At most 20 tags of at most 50 characters.');
  const details = alert['details'] ?? {};
  if (Object.entries(details).reduce((n, [k, v]) => n + k.length + v.length, 0) > 8000)
    problems.push('details: Details can not be longer than 8000 characters.');
  return problems;
}

/**
 * OpsGenie Alert API v2: `POST /v2/alerts` (create) and `POST /v2/alerts/{alias}/{close|acknowledge|
 * unacknowledge}?identifierType=alias`, behind `Authorization: GenieKey KEY` (401 otherwise). 202 with
 * `{result, took, requestId}`: OpsGenie processes asynchronously. 422 for an invalid body. Keyed by
 * action and alias (a create for an open alias is folded into that alert, and counted as a duplicate).
 */
export function startOpsGenieSink() {
  return startSink(/^\/v2\/alerts(\/[^/?]+\/(close|acknowledge|unacknowledge)\?identifierType=alias)?$/, (body, _raw, req) => {
    const requestId = createHash('md5')
      .update(String(Date.now() + Math.random()))
      .digest('hex');
    if (req.headers['authorization'] !== `GenieKey ${OPSGENIE_KEY}`)
      return { status: 401, key: '', answer: { message: 'Could not authenticate', took: 0.001, requestId } };
    const match = /^\/v2\/alerts\/([^/?]+)\/(\w+)/.exec(req.url ?? '');
    if (match === null) {
      const problems = opsGenieProblems(body);
      if (problems.length > 0)
        return { status: 422, key: '', answer: { message: 'Request body is not processable', errors: problems, took: 0.001, requestId } };
      return { status: 202, key: `create|${String(body.alias)}`, answer: { result: 'Request will be processed', took: 0.002, requestId } };
    }
    return { status: 202, key: `${match[2]}|${decodeURIComponent(match[1])}`, answer: { result: 'Request will be processed', took: 0.002, requestId } };
  });
}

export const TWILIO_SID = 'AC00000000000000000000000000000001';
export const TWILIO_TOKEN = 'twilio-auth-token-for-tests-0001';

/**
 * Twilio's Messages API (`POST /2010-04-01/Accounts/{Sid}/Messages.json`): form-encoded To, From (or
 * MessagingServiceSid) and Body behind basic auth Sid:Token. 201 with the message resource; 401 code 20003,
 * 400 code 21602 (no body), 21617 (body over 1600 characters), 21211 (invalid To), and 429 code 20429, as
 * Twilio answers. Keyed by recipient and body.
 */
export function startTwilioSink() {
  const error = (status, code, message) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  return startSink(
    `/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`,
    (body, _raw, req) => {
      if (req.headers['authorization'] !== `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`)
        return { status: 401, key: '', answer: error(401, 20003, 'Authenticate') };
      const form = body ?? {};
      if (form['Body'] === undefined || form['Body'] === '') return { status: 400, key: '', answer: error(400, 21602, 'Message body is required.') };
      if (form['Body'].length > 1600)
        return { status: 400, key: '', answer: error(400, 21617, 'The concatenated message body exceeds the 1600 character limit.') };
      if (!/^\+[1-9]\d{6,14}$/.test(form['To'] ?? ''))
        return { status: 400, key: '', answer: error(400, 21211, `The 'To' number ${form['To'] ?? ''} is not a valid phone number.`) };
      if (form['From'] === undefined && form['MessagingServiceSid'] === undefined)
        return { status: 400, key: '', answer: error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.") };
      const sid = `SM${createHash('md5').update(`${form['To']}|${form['Body']}|${Math.random()}`).digest('hex')}`;
      return {
        status: 201,
        key: `${form['To']}|${form['Body']}`,
        answer: { sid, status: 'queued', to: form['To'], from: form['From'] ?? null, body: form['Body'], account_sid: TWILIO_SID },
      };
    },
    {
      failureAnswer: (status, retryAfter) =>
        status === 429
          ? { answer: error(429, 20429, 'Too Many Requests'), headers: retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) } }
          : defaultFailure(status, retryAfter),
    },
  );
}
