/**
 * The reference system's fixtures (XmlConversion: its CC contract, 166 documents, the rows it produces)
 * are used by the reference-conformance suite only — the files named `reference-*.test.ts` and
 * everything under `test/integration/conformance/`. They are never copied into this repository; every
 * other test runs on fixtures that live here (contracts/credit-card.json, documents from
 * src/seed/generator.ts, test/fixtures/).
 *
 * One setting finds them: the environment variable XMLMIGRATE_FIXTURES (a path, relative to the
 * repository root unless absolute), default `../shared/fixtures/xmlconversion`. When they are absent the
 * reference-conformance suite is skipped — loudly, here and in the closing summary of `.ci/run`, which
 * applies the same rule — and never fails.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Repository root. */
const ROOT = path.resolve(import.meta.dirname, '..');

/** The environment variable that points at the reference fixtures. */
export const REFERENCE_FIXTURES_ENV = 'XMLMIGRATE_FIXTURES';

/** Where the reference fixtures are looked for when the variable is unset (relative to the repository root). */
export const REFERENCE_FIXTURES_DEFAULT = path.join('..', 'shared', 'fixtures', 'xmlconversion');

/** The setting as given (or the default), for messages. */
export const REFERENCE_FIXTURES_SHOWN = process.env[REFERENCE_FIXTURES_ENV] || REFERENCE_FIXTURES_DEFAULT;

/** Absolute path of the reference fixtures directory. */
export const REFERENCE_FIXTURES = path.resolve(ROOT, REFERENCE_FIXTURES_SHOWN);

/** True when the reference fixtures are present (their contract is the marker file). */
export const HAVE_REFERENCE_FIXTURES = existsSync(path.join(REFERENCE_FIXTURES, 'contract-cc.json'));

/** The reason printed when the reference-conformance suite is skipped. */
export const REFERENCE_SKIP_REASON = `reference-conformance suite skipped: fixtures not found at ${REFERENCE_FIXTURES_SHOWN} (set ${REFERENCE_FIXTURES_ENV})`;

/** A path inside the reference fixtures directory. */
export function referencePath(...parts: string[]): string {
  return path.join(REFERENCE_FIXTURES, ...parts);
}

/**
 * Title for a reference-conformance `describe`: says where the fixtures were looked for, so a skipped
 * block explains itself in every reporter. Warns once per test file when they are missing.
 */
export function referenceSuite(title: string): string {
  if (!HAVE_REFERENCE_FIXTURES) warnOnce();
  return HAVE_REFERENCE_FIXTURES ? `${title} [reference fixtures: ${REFERENCE_FIXTURES_SHOWN}]` : `${title} [SKIPPED: fixtures not found at ${REFERENCE_FIXTURES_SHOWN}]`;
}

let warned = false;
function warnOnce(): void {
  if (warned) return;
  warned = true;
  console.warn(`\n*** ${REFERENCE_SKIP_REASON} ***\n`);
}
