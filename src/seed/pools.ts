/**
 * Pre-rendered chunks of the bulky parts of a document that the contract never reads (bureau
 * tradelines, JSON payloads, HTTP headers, CDATA responses, journals). They are built once per
 * process from a fixed seed, so documents stay deterministic while generation stays fast: a
 * document's PRNG only chooses among chunks instead of producing text character by character.
 */
import { Rng } from './prng.js';
import { attrs, escText, fmtStamp } from './format.js';
import { CITIES, FIRST_NAMES, LAST_NAMES, USERS, WORDS } from './vocab.js';

/** All chunk pools. Every chunk is a well-formed XML fragment (or, for `cdata`, CDATA-safe text). */
export interface Pools {
  tradelines: string[];
  jsonText: string[];
  jsonAttr: string[];
  headers: string[];
  cdata: string[];
  emailRisk: string[];
  kba: string[];
  cashflow: string[];
  journals: string[];
  messages: string[];
}

const POOL_SEED = 0x5eed_c0de;
const T0 = Date.parse('2024-01-01T00:00:00Z');

function words(rng: Rng, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(WORDS));
  return out.join(' ');
}

function tradeline(rng: Rng, ind: string): string {
  return `${ind}<ArrayElementObject${attrs([
    ['specialComment', rng.pick(['', '19', '05'])], ['statusDate', `${String(rng.int(1, 12)).padStart(2, '0')}01202${rng.int(0, 5)}`],
    ['amount1Qualifier', rng.pick(['L', 'H', 'O'])], ['paymentHistory', Array.from({ length: 25 }, () => rng.pick(['0', '0', '0', 'C', 'B', '1'])).join('')],
    ['evaluation', rng.pick(['N', 'P'])], ['amount2', rng.digits(8)], ['terms', rng.pick(['REV', '060', '036', 'UNK'])],
    ['amount1', rng.digits(8)], ['lastPaymentDate', `0${rng.int(1, 9)}1${rng.int(0, 9)}2024`], ['revolvingOrInstallment', rng.pick(['R', 'I'])],
    ['ecoa', String(rng.int(1, 3))], ['delinquencies90to180Days', '00'], ['accountType', rng.pick(['18', '00', '3F', '07'])],
    ['delinquencies60Days', rng.pick(['00', '00', '01'])], ['monthsHistory', String(rng.int(1, 99))], ['delinquencies30Days', rng.pick(['00', '02'])],
    ['subscriberCode', rng.digits(7)], ['subscriberName', `${rng.pick(WORDS).toUpperCase()} ${rng.pick(['BANK', 'FINANCE', 'CARD SVCS', 'AUTO'])}`],
    ['balanceAmount', rng.digits(8)], ['balanceDate', `0${rng.int(1, 9)}2${rng.int(0, 8)}2025`], ['openOrClosed', rng.pick(['O', 'C'])],
    ['accountNumber', `${rng.digits(8)}XXXX`], ['kob', rng.pick(['BC', 'FA', 'ZR', 'AU'])],
  ])} />\n`;
}

function jsonValue(rng: Rng, depth: number): unknown {
  const r = rng.next();
  if (depth > 3 || r < 0.45) {
    const k = rng.int(0, 9);
    if (k < 4) return words(rng, rng.int(1, 4));
    if (k < 6) return rng.int(0, 100000) / (rng.chance(0.3) ? 100 : 1);
    if (k < 7) return rng.chance(0.5);
    if (k < 8) return `${rng.pick(LAST_NAMES)} & ${rng.pick(LAST_NAMES)} <${rng.pick(WORDS)}> "quoted"`;
    return null;
  }
  if (r < 0.65) return Array.from({ length: rng.int(1, 5) }, () => jsonValue(rng, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = rng.int(2, 7); i > 0; i--) o[`${rng.pick(WORDS)}_${rng.int(1, 9)}`] = jsonValue(rng, depth + 1);
  return o;
}

function jsonDoc(rng: Rng, minChars: number): string {
  const parts: string[] = [];
  let len = 0;
  while (len < minChars) {
    const s = JSON.stringify({ id: rng.uuid(), ts: new Date(T0 + rng.int(0, 3e10)).toISOString(), data: jsonValue(rng, 0) });
    parts.push(s);
    len += s.length;
  }
  return `{"records":[${parts.join(',')}],"count":${parts.length}}`;
}

function headers(rng: Rng, ind: string): string {
  return `${ind}<HTTPHeaders${attrs([
    ['Content-Type', rng.pick(['application/json; charset=utf-8', 'text/xml; charset="utf-8"'])],
    ['Content-Length', String(rng.int(200, 90000))], ['Connection', 'keep-alive'], ['Date', new Date(T0 + rng.int(0, 3e10)).toUTCString()],
    ['X-Request-Id', rng.uuid()], ['X-RateLimit-Remaining', String(rng.int(0, 1000))], ['Cache-Control', 'no-cache, no-store'],
    ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'], ['Server', rng.pick(['nginx', 'Apache', 'envoy'])],
    ['Set-Cookie', `sid=${rng.hex(24)}; Path=/; Secure; HttpOnly`], ['ETag', `W/"${rng.hex(16)}"`], ['Vary', 'Accept-Encoding'],
    ['x-amzn-trace-id', `Root=1-${rng.hex(8)}-${rng.hex(24)}`], ['Via', '1.1 proxy.example.net'],
  ])} />\n`;
}

function cdata(rng: Rng, minChars: number): string {
  const rows: string[] = [];
  let len = 0;
  while (len < minChars) {
    const row = `<row id="${rng.int(1, 99999)}" code='${rng.pick(['00', '17', 'A3'])}'>${words(rng, rng.int(3, 12))} &amp; ${rng.pick(['<br>', '&nbsp;', '5 < 7', 'a && b'])}</row>`;
    rows.push(row);
    len += row.length;
  }
  return `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Result>${rows.join('\n')}</Result></soap:Body></soap:Envelope>`;
}

function emailRisk(rng: Rng, ind: string): string {
  const list: [string, string][] = [];
  for (let i = 0; i < 80; i++) list.push([`field_${i}_${rng.pick(WORDS).replace(/[^a-z]/g, '')}`, rng.chance(0.4) ? '' : words(rng, rng.int(1, 3))]);
  return `${ind}<query${attrs([['email', `${rng.pick(FIRST_NAMES)}@EXAMPLE.NET`.replace(/[^A-Z@.]/gi, '')], ['count', '1'], ['queryType', 'EA+']])}>\n`
    + `${ind}  <results>\n${ind}    <ArrayElementObject${attrs(list)} />\n${ind}  </results>\n${ind}</query>\n`;
}

function kba(rng: Rng, ind: string): string {
  const qs: string[] = [];
  for (let q = 1; q <= 5; q++) {
    const answers = Array.from({ length: 5 }, (_, i) => `${ind}    <Answer correct="${i === 0 ? 'true' : 'false'}">${escText(`${rng.pick(CITIES)[0]} & ${rng.pick(WORDS)}`)}</Answer>\n`).join('');
    qs.push(`${ind}  <Question type="${rng.int(1, 40)}" text="${`Which of these ${words(rng, 3)} have you &quot;owned&quot;?`}">\n${answers}${ind}  </Question>\n`);
  }
  return `${ind}<QuestionSet id="${rng.uuid()}">\n${qs.join('')}${ind}</QuestionSet>\n`;
}

function cashflow(rng: Rng, ind: string): string {
  const out: string[] = [`${ind}<identities>\n`];
  for (let i = rng.int(2, 8); i > 0; i--) {
    out.push(`${ind}  <ArrayElementObject full_name="${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES).replace(/'/g, '&#39;')}" source_id="${rng.pick(['SRC_A', 'SRC_B', 'CONSUMER_INPUT'])}">\n`
      + `${ind}    <emails>\n${ind}      <ArrayElementString>${rng.pick(FIRST_NAMES)}@EXAMPLE.ORG</ArrayElementString>\n${ind}    </emails>\n`
      + `${ind}    <matching><full_name><unmatched_sources><ArrayElementObject source_id="SRC_A" /></unmatched_sources><matched_sources /></full_name></matching>\n`
      + `${ind}  </ArrayElementObject>\n`);
  }
  out.push(`${ind}</identities>\n${ind}<transactions>\n`);
  for (let i = rng.int(10, 60); i > 0; i--) {
    out.push(`${ind}  <ArrayElementObject${attrs([['amount', (rng.int(-500000, 500000) / 100).toFixed(2)], ['posted', fmtStamp(T0 + rng.int(0, 3e10))],
      ['description', `${rng.pick(WORDS).toUpperCase()} #${rng.digits(4)} ${rng.pick(['POS', 'ACH', 'ATM'])}`], ['category', rng.pick(WORDS)], ['pending', String(rng.chance(0.1))]])} />\n`);
  }
  out.push(`${ind}</transactions>\n`);
  return out.join('');
}

let cached: Pools | undefined;

/** The chunk pools (built on first use, then shared). */
export function pools(): Pools {
  if (cached) return cached;
  const rng = new Rng(POOL_SEED);
  const n = <T>(count: number, f: () => T): T[] => Array.from({ length: count }, f);
  const ind = '              ';
  cached = {
    tradelines: n(160, () => n(rng.int(4, 10), () => tradeline(rng, ind)).join('')),
    jsonText: n(48, () => escText(jsonDoc(rng, rng.int(1500, 12000)))),
    jsonAttr: n(24, () => jsonDoc(rng, rng.int(200, 1500))),
    headers: n(40, () => headers(rng, '          ')),
    cdata: n(32, () => cdata(rng, rng.int(1500, 8000))),
    emailRisk: n(24, () => emailRisk(rng, '          ')),
    kba: n(24, () => kba(rng, '          ')),
    cashflow: n(48, () => cashflow(rng, '          ')),
    journals: n(80, () => n(rng.int(8, 30), () => `      <Journal${attrs([['ts', fmtStamp(T0 + rng.int(0, 3e10))], ['user', rng.pick(USERS)],
      ['step', `${rng.pick(WORDS)}_${rng.int(1, 40)}`], ['msg', words(rng, rng.int(2, 8))], ['ms', String(rng.int(0, 4000))]])} />\n`).join('')),
    messages: n(40, () => n(rng.int(3, 12), () => `      <Message${attrs([['type', rng.pick(['INFO', 'WARN', 'ERROR'])], ['code', `M${rng.digits(4)}`],
      ['source', rng.pick(['rules', 'bureau', 'fraud'])], ['text', `${words(rng, rng.int(4, 14))} ('${rng.pick(WORDS)}' > limit)`]])} />\n`).join('')),
  };
  return cached;
}
