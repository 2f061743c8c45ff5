/**
 * A strict XML 1.0 well-formedness parser for the subset hand-written SVG uses (prolog, comments, elements,
 * attributes, text, entity and character references; no DTD, no CDATA). No XML library is installed, and
 * this is what a browser's XML parser rejects an SVG for: unclosed or mismatched tags, duplicate or
 * unquoted attributes, a raw `<` or a bare `&`, more than one root.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text (entities decoded), children's text excluded. */
  readonly text: string;
}

export class XmlError extends Error {}

const NAME = /[A-Za-z_:][\w.:-]*/y;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(source: string): XmlElement {
  let pos = 0;
  const fail = (message: string): never => {
    const line = source.slice(0, pos).split('\n').length;
    throw new XmlError(`line ${line}: ${message}`);
  };
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    const m = re.exec(source);
    if (m === null) return undefined;
    pos += m[0].length;
    return m[0];
  };
  const skipSpace = () => void match(/\s*/y);
  const decode = (raw: string): string => {
    let out = '';
    for (let i = 0; i < raw.length;) {
      if (raw[i] !== '&') {
        out += raw[i++];
        continue;
      }
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(raw);
      if (m === null) fail(`bare "&" (write &amp;) in ${JSON.stringify(raw.slice(i, i + 20))}`);
      const body = m![0].slice(1, -1);
      out += body.startsWith('#x')
        ? String.fromCodePoint(parseInt(body.slice(2), 16))
        : body.startsWith('#')
          ? String.fromCodePoint(Number(body.slice(1)))
          : ENTITIES[body];
      i += m![0].length;
    }
    return out;
  };
  const comment = (): boolean => {
    if (!source.startsWith('<!--', pos)) return false;
    const end = source.indexOf('-->', pos + 4);
    if (end < 0) fail('unterminated comment');
    if (source.slice(pos + 4, end).includes('--')) fail('"--" inside a comment');
    pos = end + 3;
    return true;
  };
  const misc = () => {
    for (;;) {
      skipSpace();
      if (!comment()) return;
    }
  };
  const element = (): XmlElement => {
    if (source[pos] !== '<') fail('expected an element');
    pos++;
    const name = match(NAME) ?? fail('expected an element name');
    const attributes: Record<string, string> = {};
    for (;;) {
      const hadSpace = (match(/\s+/y) ?? '') !== '';
      if (source.startsWith('/>', pos)) {
        pos += 2;
        return { name, attributes, children: [], text: '' };
      }
      if (source[pos] === '>') {
        pos++;
        break;
      }
      if (!hadSpace) fail(`expected whitespace before an attribute of <${name}>`);
      const attr = match(NAME) ?? fail(`malformed attribute in <${name}>`);
      skipSpace();
      if (source[pos] !== '=') fail(`attribute ${attr} of <${name}> has no value`);
      pos++;
      skipSpace();
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} of <${name}> is not quoted`);
      const end = source.indexOf(quote!, pos + 1);
      if (end < 0) fail(`unterminated value of ${attr}`);
      const raw = source.slice(pos + 1, end);
      if (raw.includes('<')) fail(`"<" in the value of ${attr}`);
      if (attr in attributes) fail(`duplicate attribute ${attr} in <${name}>`);
      attributes[attr] = decode(raw);
      pos = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (pos >= source.length) fail(`<${name}> is never closed`);
      if (source.startsWith('</', pos)) {
        pos += 2;
        const closing = match(NAME);
        if (closing !== name) fail(`</${closing ?? ''}> closes <${name}>`);
        skipSpace();
        if (source[pos] !== '>') fail(`malformed </${name}>`);
        pos++;
        return { name, attributes, children, text };
      }
      if (comment()) continue;
      if (source.startsWith('<![CDATA[', pos) || source.startsWith('<!', pos) || source.startsWith('<?', pos))
        fail('CDATA, DTD and processing instructions are not expected here');
      if (source[pos] === '<') {
        children.push(element());
        continue;
      }
      const next = source.indexOf('<', pos);
      const end = next < 0 ? source.length : next;
      text += decode(source.slice(pos, end));
      pos = end;
    }
  };

  if (source.startsWith('\uFEFF')) pos = 1;
  if (source.startsWith('<?xml', pos)) {
    const end = source.indexOf('?>', pos);
    if (end < 0) fail('unterminated XML declaration');
    pos = end + 2;
  }
  misc();
  const root = element();
  misc();
  if (pos < source.length) fail('content after the root element');
  return root;
}

/** Every element of the tree, depth first. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(allElements)];
}
