/**
 * Text that reaches a terminal — run summaries, `status`, error messages, `map` output — may carry
 * pieces of documents (element names, values, failure reasons quoting them). A document must not be
 * able to drive the operator's terminal: colour it, move the cursor, rewrite earlier lines, set the
 * window title, ring the bell or reverse the text direction. `terminalSafe` shows every such
 * character visibly as `\uXXXX` instead.
 */

/**
 * C0 controls (tab and newline handled separately), DEL, C1 controls (U+009B is a one-character
 * CSI), and the Unicode bidirectional overrides/isolates and line/paragraph separators.
 */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/g;
const CONTROL_OR_NL = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/g;

function escape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `text` with control characters escaped (`ESC` → `\u001b`, `BEL` → `\u0007`, `CR` → `\u000d`).
 * Tabs stay. Newlines stay only when `multiline` is set (output that is several lines on purpose);
 * otherwise they are escaped too, so one record stays one line.
 */
export function terminalSafe(text: string, multiline = false): string {
  const re = multiline ? CONTROL : CONTROL_OR_NL;
  re.lastIndex = 0;
  return re.test(text) ? text.replace(re, escape) : text;
}
