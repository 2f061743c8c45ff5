import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackSink, type Sink } from '../../support/sinks.mjs';

// The Slack sink stands in for Slack in the tests, the bench and the soak; it must refuse what Slack
// refuses, or a sender that Slack would reject passes everywhere.
let sink: Sink;
beforeAll(async () => {
  sink = await startSlackSink();
});
afterAll(() => sink.stop());

const post = async (url: string, body: string) => {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  return { status: response.status, type: response.headers.get('content-type'), retryAfter: response.headers.get('retry-after'), text: await response.text() };
};

describe('Slack sink', () => {
  it('answers 200 "ok" as text/plain to a message with text, blocks or attachments', async () => {
    for (const body of [{ text: 'hi' }, { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] }, { attachments: [{ text: 'hi' }] }]) {
      expect(await post(sink.url, JSON.stringify(body))).toMatchObject({ status: 200, type: 'text/plain', text: 'ok' });
    }
  });

  it('answers 400 with Slack’s error words to what Slack refuses, and 404 no_service to another path', async () => {
    expect(await post(sink.url, 'not json')).toMatchObject({ status: 400, text: 'invalid_payload' });
    expect(await post(sink.url, '[]')).toMatchObject({ status: 400, text: 'invalid_payload' });
    expect(await post(sink.url, JSON.stringify({ channel: '#x' }))).toMatchObject({ status: 400, text: 'no_text' });
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(await post(sink.url, JSON.stringify({ text: 'x', blocks }))).toMatchObject({ status: 400, text: 'invalid_blocks' });
    expect(await post(sink.url.replace('/XXXX', '/YYYY'), JSON.stringify({ text: 'x' }))).toMatchObject({ status: 404, text: 'no_service' });
  });

  it('answers an injected 429 with Retry-After, and refuses connections while down, on the same port after up', async () => {
    sink.failNext(1, 429, 7);
    expect(await post(sink.url, JSON.stringify({ text: 'x' }))).toMatchObject({ status: 429, retryAfter: '7', text: 'rate_limited' });
    await sink.down();
    await expect(post(sink.url, JSON.stringify({ text: 'x' }))).rejects.toThrow();
    await sink.up();
    expect(await post(sink.url, JSON.stringify({ text: 'back' }))).toMatchObject({ status: 200, text: 'ok' });
    expect(sink.accepted().at(-1)?.body).toEqual({ text: 'back' });
  });
});
