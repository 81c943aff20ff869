/** Expands command-line XML inputs: files as given, directories to their *.xml files (sorted). */
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { CliError } from './cli-error.js';

/** Resolves inputs to files; a missing path is a CliError naming it. */
export async function expandXmlInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of inputs) {
    const st = await stat(p).catch(() => null);
    if (!st) throw new CliError(`no such file or directory: ${p}`, 2);
    if (st.isDirectory()) {
      const names = (await readdir(p)).filter((n) => n.toLowerCase().endsWith('.xml')).sort();
      out.push(...names.map((n) => path.join(p, n)));
    } else out.push(p);
  }
  return out;
}
