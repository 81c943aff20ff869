/**
 * The bulky, contract-irrelevant parts of a synthetic document: the `Reports` section (bureau
 * reports, identity/fraud vendor payloads, device-risk CDATA, quizzes, cash-flow data) and the
 * trailing `Messages` / `Rules` / `Journals` sections. Built from the shared chunk pools, sized to
 * a byte budget.
 */
import type { Rng } from './prng.js';
import type { ContactInfo } from './contacts.js';
import { attrs, fmtScore, fmtStamp } from './format.js';
import { pools } from './pools.js';

const IND = '      ';

type Builder = (rng: Rng, budget: number, people: readonly ContactInfo[], t: number) => string;

function pickMany(rng: Rng, pool: readonly string[], count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(rng.pick(pool));
  return out.join('');
}

function avgLen(pool: readonly string[]): number {
  let n = 0;
  for (const s of pool) n += s.length;
  return n / Math.max(1, pool.length);
}

const bureau: Builder = (rng, budget, people, t) => {
  const p = pools();
  const who = rng.pick(people);
  const k = Math.max(1, Math.min(80, Math.round((budget - 3000) / avgLen(p.tradelines))));
  const i2 = `${IND}    `;
  const models = ['FT', 'V4', 'AJ', 'D4'].map((m) => `${i2}    <ArrayElementObject${attrs([['evaluation', rng.pick(['P', 'N'])], ['score', fmtScore(rng, 300, 850)], ['modelIndicator', m]])} />\n`).join('');
  return `${IND}<CreditBureau${attrs([['vendor', rng.pick(['EX', 'TU', 'EQ'])], ['report_time', fmtStamp(t)], ['ssn', who.ssn], ['firstName', who.first], ['lastName', who.last]])}>\n`
    + `${IND}  <creditProfile>\n${i2}<ArrayElementObject>\n`
    + `${i2}  <headerRecord><ArrayElementObject preamble="TMD${rng.int(1, 9)}" reportDate="${rng.digits(6)}" versionNo="07" /></headerRecord>\n`
    + `${i2}  <addressInformation><ArrayElementObject${attrs([['city', who.city], ['state', who.state], ['zipCode', rng.digits(9)], ['timesReported', rng.digits(2)]])} /></addressInformation>\n`
    + `${i2}  <riskModel>\n${models}${i2}  </riskModel>\n${i2}  <tradeline>\n${pickMany(rng, p.tradelines, k)}${i2}  </tradeline>\n`
    + `${i2}</ArrayElementObject>\n${IND}  </creditProfile>\n${rng.pick(p.headers)}${IND}</CreditBureau>\n`;
};

const identity: Builder = (rng, budget, _people, t) => {
  const p = pools();
  const k = Math.max(1, Math.min(20, Math.round(budget / avgLen(p.jsonText))));
  const blobs: string[] = [];
  for (let i = 0; i < k; i++) blobs.push(`${IND}    <RawJSON seq="${i}">${rng.pick(p.jsonText)}</RawJSON>\n`);
  return `${IND}<IdentityVerify report_time="${fmtStamp(t)}">\n${IND}  <JSON>\n`
    + `${IND}    <Status${attrs([['code', rng.pick(['200', '200', '206'])], ['summary', rng.pick(['PASS', 'REFER', 'FAIL'])], ['detail', rng.pick(p.jsonAttr)]])} />\n`
    + `${blobs.join('')}${rng.pick(p.headers)}${IND}  </JSON>\n${IND}</IdentityVerify>\n`;
};

const device: Builder = (rng, budget, _people, t) => {
  const p = pools();
  const k = Math.max(1, Math.min(12, Math.round(budget / avgLen(p.cdata))));
  const body: string[] = [];
  for (let i = 0; i < k; i++) body.push(`${IND}  <Response part="${i + 1}"><![CDATA[${rng.pick(p.cdata)}]]></Response>\n`);
  return `${IND}<DeviceRisk report_time="${fmtStamp(t)}" result="${rng.pick(['A', 'R', 'D'])}">\n${IND}  <!-- vendor response kept verbatim -->\n${body.join('')}${rng.pick(p.headers)}${IND}</DeviceRisk>\n`;
};

const email: Builder = (rng, _budget, _people, t) => {
  const p = pools();
  return `${IND}<EmailRisk report_time="${fmtStamp(t)}">\n${rng.pick(p.emailRisk)}${IND}  <responseStatus errorCode="0" description="Success" />\n${rng.pick(p.headers)}${IND}</EmailRisk>\n`;
};

const quiz: Builder = (rng, _budget, _people, t) =>
  `${IND}<KBAQuiz report_time="${fmtStamp(t)}">\n${rng.pick(pools().kba)}${IND}</KBAQuiz>\n`;

const cash: Builder = (rng, budget, _people, t) => {
  const p = pools();
  const k = Math.max(1, Math.min(30, Math.round(budget / avgLen(p.cashflow))));
  return `${IND}<CashFlow report_time="${fmtStamp(t)}">\n${IND}  <JSON>\n${pickMany(rng, p.cashflow, k)}${IND}  </JSON>\n${IND}</CashFlow>\n`;
};

const BUILDERS: readonly (readonly [Builder, number])[] = [
  [bureau, 30], [identity, 18], [device, 12], [email, 12], [quiz, 8], [cash, 20],
];

/**
 * The `Reports` element, grown report by report until it is at least `budget` characters long
 * (an empty `<Reports />` when the budget is not positive).
 */
export function buildReports(rng: Rng, budget: number, people: readonly ContactInfo[], receiveMs: number): string {
  if (budget <= 0 || people.length === 0) return '    <Reports />\n';
  const parts: string[] = ['    <Reports>\n'];
  let len = 0;
  let t = receiveMs;
  while (len < budget) {
    t += rng.int(200, 90_000);
    const piece = rng.weighted(BUILDERS)(rng, Math.min(budget - len, rng.int(20_000, 250_000)), people, t);
    parts.push(piece);
    len += piece.length;
  }
  parts.push('    </Reports>\n');
  return parts.join('');
}

/** `Messages`, `Rules`, `Journals` and the empty trailing sections, scaled roughly to `budget` characters. */
export function buildTrailer(rng: Rng, budget: number): string {
  const p = pools();
  const msgs = pickMany(rng, p.messages, Math.max(1, Math.round(budget * 0.3 / avgLen(p.messages))));
  const journals = pickMany(rng, p.journals, Math.max(1, Math.round(budget * 0.7 / avgLen(p.journals))));
  return `    <Messages>\n${msgs}    </Messages>\n`
    + `    <Rules>\n      <Rule${attrs([['id', `R${rng.digits(3)}`], ['name', 'velocity check'], ['fired', rng.pick(['true', 'false'])], ['expr', 'count > 3 && days < 30']])} />\n    </Rules>\n`
    + `    <Journals>\n${journals}    </Journals>\n    <Traces />\n    <Audits />\n    <Documents />\n`;
}
