/**
 * Where the shared XmlConversion fixtures live (never copied into this repository). Tests that need
 * them fail in CI when they are missing and are skipped loudly elsewhere.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Absolute path of ../shared/fixtures/xmlconversion (or $XMLMIGRATE_FIXTURES). */
export const FIXTURES = path.resolve(process.env['XMLMIGRATE_FIXTURES'] ?? path.join(import.meta.dirname, '..', '..', 'shared', 'fixtures', 'xmlconversion'));

/** True when the fixtures are present; throws in CI when they are not. */
export function haveFixtures(): boolean {
  if (existsSync(path.join(FIXTURES, 'contract-cc.json'))) return true;
  if (process.env['CI']) throw new Error(`shared fixtures not found at ${FIXTURES}`);
  console.warn(`\n*** XmlConversion fixtures not found at ${FIXTURES}: fixture tests SKIPPED ***\n`);
  return false;
}
