import type { ActionAlert, ActionPhase } from './model.js';

/**
 * Placeholders for `http` steps: `{{ labels.NAME }}`, `{{ annotations.NAME }}`, `{{ fingerprint }}`,
 * `{{ status }}`, `{{ phase }}`, `{{ starts_at }}`, `{{ ends_at }}`, `{{ episode }}` (fingerprint and start time:
 * one firing episode of the alert, the idempotency key a receiver wants: a later episode is a new request).
 *
 * Substitution works on values, never on text: the body template is already a parsed JSON value (it came from
 * YAML), we replace placeholders inside its *string values* and serialise the result with JSON.stringify. A
 * label containing `"`, `\`, a newline or `{{` can therefore never break out of its string or add keys.
 * Replacement text is not scanned again, so `{{` inside alert data stays literal.
 */

const NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
const EXPRESSION = new RegExp(`^(?:(labels|annotations)\\.(${NAME})|(fingerprint|status|phase|starts_at|ends_at|episode))$`);
/** Anything that looks like a placeholder, known or not. */
const ANY_PLACEHOLDER = /\{\{(.*?)\}\}/g;
/** A known placeholder anywhere in a string: used to reject templating attempts in exec argv. */
export const PLACEHOLDER_SHAPE = new RegExp(`\\{\\{\\s*(?:(?:labels|annotations)\\.${NAME}|fingerprint|status|phase|starts_at|ends_at|episode)\\s*\\}\\}`);

export interface TemplateContext {
  readonly alert: ActionAlert;
  readonly phase: ActionPhase;
}

/** The value of one placeholder expression, or undefined when the expression is not a known one. */
function lookup(expression: string, context: TemplateContext): string | undefined {
  const match = EXPRESSION.exec(expression.trim());
  if (match === null) return undefined;
  const [, map, key, field] = match;
  // A missing label or annotation renders as "", like a missing key in Alertmanager's Go templates.
  if (map === 'labels') return Object.hasOwn(context.alert.labels, key ?? '') ? (context.alert.labels[key ?? ''] ?? '') : '';
  if (map === 'annotations') return Object.hasOwn(context.alert.annotations, key ?? '') ? (context.alert.annotations[key ?? ''] ?? '') : '';
  switch (field) {
    case 'fingerprint':
      return context.alert.fingerprint;
    case 'status':
      return context.alert.status;
    case 'phase':
      return context.phase;
    case 'starts_at':
      return context.alert.startsAt;
    case 'ends_at':
      return context.alert.endsAt;
    case 'episode':
      return `${context.alert.fingerprint}-${Date.parse(context.alert.startsAt)}`;
    default:
      return undefined;
  }
}

/** Replaces every known placeholder in `text`; `encode` is applied to inserted values only. */
export function renderString(text: string, context: TemplateContext, encode: (value: string) => string = (value) => value): string {
  return text.replace(ANY_PLACEHOLDER, (whole, expression: string) => {
    const value = lookup(expression, context);
    return value === undefined ? whole : encode(value);
  });
}

/** A copy of a JSON value with placeholders replaced inside string values (object keys are left alone). */
export function renderJson(value: unknown, context: TemplateContext): unknown {
  if (typeof value === 'string') return renderString(value, context);
  if (Array.isArray(value)) return value.map((item) => renderJson(item, context));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = renderJson(item, context);
    return out;
  }
  return value;
}

/** Alert data that cannot be inserted safely; the run fails with this message instead of sending. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/**
 * The rendered URL: inserted values are percent-encoded, so they stay inside one path segment or query value.
 * `.` and `..` are refused: URL parsers resolve them (even as `%2e%2e`), which would let a label walk the path.
 */
export function renderUrl(template: string, context: TemplateContext): string {
  return renderString(template, context, (value) => {
    if (value === '.' || value === '..') throw new TemplateError(`refusing to insert ${JSON.stringify(value)} into the url: it would change the path`);
    return encodeURIComponent(value);
  });
}

/** Placeholders in a JSON template that are not known, with their path inside the template. */
export function unknownPlaceholders(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; placeholder: string }[] {
  if (typeof value === 'string') {
    return [...value.matchAll(ANY_PLACEHOLDER)].filter((m) => !EXPRESSION.test((m[1] ?? '').trim())).map((m) => ({ path, placeholder: m[0] }));
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => unknownPlaceholders(item, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => unknownPlaceholders(item, [...path, key]));
  }
  return [];
}

/**
 * Checks a URL template: http(s), parseable, known placeholders only, and none in the scheme or authority —
 * the host is fixed by the config so alert data can never redirect a request to another server.
 */
export function checkUrlTemplate(template: string): string | undefined {
  const unknown = unknownPlaceholders(template);
  if (unknown.length > 0) return `unknown placeholder ${JSON.stringify(unknown[0]?.placeholder)} in url`;
  const fixedOnly = 'placeholders may appear only in the path or query of url, never in the scheme, host or port';
  const authority = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(template)?.[0] ?? '';
  if (authority.includes('{{')) return fixedOnly;
  let parsed: URL;
  try {
    parsed = new URL(template.replace(ANY_PLACEHOLDER, 'x'));
  } catch {
    return `invalid url ${JSON.stringify(redactUrl(template))}: use an absolute http:// or https:// URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `unsupported url scheme ${JSON.stringify(parsed.protocol)}: use http or https`;
  // URL parsers forgive `http:host`, `http:///host` and `http:\\host`, where the text check above sees no
  // authority: render the placeholders two ways (as percent-encoded label values look) and require the same
  // origin and userinfo, so no spelling lets alert data choose the server.
  if (template.search(ANY_PLACEHOLDER) >= 0) {
    const origins = ['a0', 'b1.example'].map((value) => {
      try {
        const url = new URL(template.replace(ANY_PLACEHOLDER, value));
        return `${url.protocol}//${url.username}:${url.password}@${url.host}`;
      } catch {
        return undefined;
      }
    });
    if (origins[0] === undefined || origins[0] !== origins[1]) return fixedOnly;
  }
  return undefined;
}

/**
 * Text a failed request leaves in the audit log (an error, the receiver's answer, which may echo the request
 * line) without the URL's query and password, where credentials tend to live.
 */
export function scrubUrlSecrets(text: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return text;
  }
  const secrets = [
    parsed.search,
    parsed.search.slice(1),
    safeDecode(parsed.search.slice(1)),
    parsed.password,
    safeDecode(parsed.password),
    ...parsed.searchParams.values(),
  ]
    .filter((secret) => secret.length >= 4)
    .sort((a, b) => b.length - a.length);
  return secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join('[redacted]'), text);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `scheme://host[:port]/path` — no userinfo, query or fragment, which is where credentials tend to live. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return redactTemplate(url);
  }
}

/** redactUrl for text that is not (yet) a URL, such as a template: placeholders are shown as written. */
export function redactTemplate(text: string): string {
  return text.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/?#]*@/, '$1').replace(/[?#].*$/, '');
}
