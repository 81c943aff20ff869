/**
 * A recording fake of the mssql driver slice (pool, transaction, request, bulk table, types).
 * Every call is appended to `calls`; `failOn` makes the first matching call reject.
 */
import type {
  MssqlBulkTable, MssqlDriverTypes, MssqlPool, MssqlRequest, MssqlResult, MssqlTransaction,
} from '../../../../src/db/mssql/mssql-writer.js';
import type { BulkOptions } from '../../../../src/db/mssql/mssql-plan.js';
import type { MssqlTypeSpec } from '../../../../src/db/mssql/mssql-types.js';

/** What a fake bulk table captured. */
export interface FakeTable extends MssqlBulkTable {
  readonly path: string;
  readonly cols: { name: string; type: unknown; nullable: boolean }[];
  readonly data: unknown[][];
}

/** The fake's configuration and recording. */
export class FakeMssql {
  readonly calls: string[] = [];
  readonly tables: FakeTable[] = [];
  readonly inputs: { name: string; type: unknown; value: unknown }[] = [];
  /** Make the first call whose description matches reject with this error. */
  failOn: { match: RegExp; error: Error } | null = null;
  /** Result rows per query text match. */
  results: { match: RegExp; rows: readonly object[]; rowsAffected?: number[] }[] = [];

  private maybeFail(desc: string): void {
    this.calls.push(desc);
    if (this.failOn && this.failOn.match.test(desc)) {
      const e = this.failOn.error;
      this.failOn = null;
      throw e;
    }
  }

  request(scope: string): MssqlRequest {
    const req: MssqlRequest = {
      input: (name, type, value) => { this.inputs.push({ name, type, value }); return req; },
      query: async (text) => {
        this.maybeFail(`${scope} query ${text}`);
        const hit = this.results.find((r) => r.match.test(text));
        const res: MssqlResult = { recordset: (hit?.rows ?? []) as Record<string, unknown>[], rowsAffected: hit?.rowsAffected ?? [hit?.rows.length ?? 0] };
        return Promise.resolve(res);
      },
      bulk: async (table, options: BulkOptions) => {
        const t = table as FakeTable;
        this.maybeFail(`${scope} bulk ${t.path} ${JSON.stringify(options)} rows=${t.data.length}`);
        return Promise.resolve({ rowsAffected: t.data.length });
      },
    };
    return req;
  }

  readonly pool: MssqlPool = {
    request: () => this.request('pool'),
    transaction: (): MssqlTransaction => ({
      begin: async () => { this.maybeFail('begin'); },
      commit: async () => { this.maybeFail('commit'); },
      rollback: async () => { this.maybeFail('rollback'); },
      request: () => this.request('tx'),
    }),
    close: async () => { this.calls.push('close'); },
  };

  readonly types: MssqlDriverTypes = {
    type: (spec: MssqlTypeSpec) => spec,
    newTable: (path: string) => {
      const t: FakeTable = {
        path, cols: [], data: [],
        columns: { add: (name, type, options) => t.cols.push({ name, type, nullable: options.nullable }) },
        rows: { add: (...values) => t.data.push(values) },
      };
      this.tables.push(t);
      return t;
    },
  };
}
