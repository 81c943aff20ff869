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

/** 1-based line and column (in characters) of byte `offset` in UTF-8 `bytes`. */
export function lineColBytes(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) { line++; last = i; }
  let column = 1;
  // count characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start one
  for (let i = last + 1; i < offset && i < bytes.length; i++) if ((bytes[i]! & 0xc0) !== 0x80) column++;
  return { line, column };
}
