/**
 * Where a JSON text is broken: V8's `JSON.parse` messages do not always carry a position, so on
 * failure this small strict scanner finds the first offending offset and says what was expected.
 */

/** A located JSON syntax error. `line` and `column` are 1-based; `offset` is 0-based. */
export interface JsonSyntaxLocation {
  offset: number;
  line: number;
  column: number;
  message: string;
}

class Fail {
  constructor(readonly offset: number, readonly message: string) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function scan(s: string): Fail | null {
  let i = 0;
  const fail = (message: string, at = i): never => { throw new Fail(at, message); };
  const ws = (): void => { while (i < s.length && ' \t\n\r'.includes(s.charAt(i))) i++; };
  const char = (): string => (i < s.length ? s.charAt(i) : fail('unexpected end of input'));
  const str = (): void => {
    i++;
    for (;;) {
      const c = char();
      if (c === '"') { i++; return; }
      if (c < ' ') fail('control character in string (must be escaped)');
      if (c === '\\') {
        const e = s.charAt(i + 1);
        if (e === 'u') { if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) fail('invalid \\u escape'); i += 6; continue; }
        if (!'"\\/bfnrt'.includes(e) || e === '') fail('invalid escape sequence');
        i += 2;
        continue;
      }
      i++;
    }
  };
  const container = (close: string, member: () => void, what: string): void => {
    i++;
    ws();
    if (char() === close) { i++; return; }
    for (;;) {
      ws();
      member();
      ws();
      const c = char();
      if (c === ',') { i++; continue; }
      if (c === close) { i++; return; }
      fail(`expected ',' or '${close}' after ${what}`);
    }
  };
  const value = (): void => {
    const c = char();
    if (c === '{') {
      container('}', () => {
        if (char() !== '"') fail('expected a double-quoted property name');
        str();
        ws();
        if (char() !== ':') fail("expected ':' after property name");
        i++;
        ws();
        value();
      }, 'property value');
    } else if (c === '[') {
      container(']', value, 'array element');
    } else if (c === '"') {
      str();
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      if (NUMBER.exec(s) === null) fail('invalid number');
      i = NUMBER.lastIndex;
    } else {
      const word = ['true', 'false', 'null'].find((w) => s.startsWith(w, i));
      if (word === undefined) fail(`unexpected character ${JSON.stringify(c)}`);
      i += word?.length ?? 0;
    }
  };
  try {
    ws();
    value();
    ws();
    if (i < s.length) fail('unexpected text after the JSON value');
    return null;
  } catch (e) {
    if (e instanceof Fail) return e;
    throw e;
  }
}

/** 1-based line and column of a 0-based offset (LF, CRLF and CR all end a line). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\n' || (c === '\r' && text.charAt(i + 1) !== '\n')) { line++; start = i + 1; }
  }
  return { line, column: offset - start + 1 };
}

/**
 * Locate the first syntax error of `text`, or `null` when it is valid JSON. Used after `JSON.parse`
 * failed, so the cost of the scan is only paid for broken files.
 */
export function locateJsonSyntaxError(text: string): JsonSyntaxLocation | null {
  const f = scan(text);
  if (f === null) return null;
  return { offset: f.offset, ...lineColumn(text, f.offset), message: f.message };
}
