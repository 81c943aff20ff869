/** A document-level problem found while reading XML; `stage` says where the app fails. */
export class XmlDocumentError extends Error {
  override readonly name = 'XmlDocumentError';
  constructor(
    message: string,
    /** `validation` for structure/root/product-line problems, `parsing` for malformed markup. */
    readonly stage: 'validation' | 'parsing',
    /** 0-based character offset in the cleaned text, when known. */
    readonly offset: number | null = null,
  ) {
    super(message);
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) { line++; last = i; }
  return { line, column: offset - last };
}
