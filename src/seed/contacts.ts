/**
 * Synthetic `<contact>` elements with their `app_prod_bcard`, `contact_address` and
 * `contact_employment` children, in the shape the example contract (contracts/credit-card.json) reads.
 */
import type { Rng } from './prng.js';
import {
  attrs, fmtDate, fmtDateTime, fmtFlag, fmtMoney, fmtPhone, fmtSsn, fmtZip, opt, randomInstant,
} from './format.js';
import { CITIES, EMPLOYERS, FIRST_NAMES, JOB_TITLES, LAST_NAMES, STATES, STREETS, STREET_TYPES } from './vocab.js';

/** Facts about one generated contact that other sections (bureau reports) echo. */
export interface ContactInfo {
  conId: number;
  role: string;
  first: string;
  last: string;
  ssn: string;
  city: string;
  state: string;
}

/** How the contacts of one document are shaped. */
export interface ContactPlan {
  appId: number;
  /** PR + AUTHU, each with CURR and PREV addresses and employments, every read attribute filled. */
  complete: boolean;
  /** Application receive time (ms since epoch); dates are generated around it. */
  receiveMs: number;
}

const YEAR_MS = 365.25 * 24 * 3600 * 1000;

function address(rng: Rng, type: string, complete: boolean, ind: string): string {
  const [city, state] = rng.pick(CITIES);
  const num = String(rng.int(1, 19999));
  const street = `${rng.pick(STREETS)} ${rng.pick(STREET_TYPES)}`;
  const unit = rng.chance(0.2) ? `APT ${rng.int(1, 40)}` : '';
  const c = complete;
  return `${ind}<contact_address${attrs([
    ['address_tp_c', type],
    ['residence_monthly_pymnt', opt(rng, c, 0.7, () => fmtMoney(rng, 0, 3200))],
    ['ownership_tp_c', opt(rng, c, 0.85, () => rng.weighted([['O', 35], ['R', 45], ['F', 12], ['X', 5], ['Z', 3]] as const))],
    ['months_at_residence', opt(rng, c, 0.8, () => String(rng.int(0, 11)))],
    ['years_at_residence', opt(rng, c, 0.8, () => String(rng.int(0, 30)))],
    ['Patriot_Act_address_line_1', ''], ['Patriot_Act_city', ''], ['Patriot_Act_state', ''], ['Patriot_Act_zip', ''],
    ['po_box', opt(rng, c, 0.04, () => String(rng.int(1, 9999)))],
    ['rural_route', ''],
    ['address_line_1', opt(rng, c, 0.6, () => `${num} ${street}${unit ? ' ' + unit : ''}`)],
    ['street_number', opt(rng, c, 0.95, () => num)],
    ['street_name', opt(rng, c, 0.95, () => street)],
    ['unit', opt(rng, c, 0.2, () => unit || `#${rng.int(1, 300)}`)],
    ['city', opt(rng, c, 0.96, () => city)],
    ['state', opt(rng, c, 0.96, () => state)],
    ['zip', opt(rng, c, 0.95, () => fmtZip(rng))],
    ['home_phone', opt(rng, c, 0.35, () => fmtPhone(rng))],
    ['cell_phone', opt(rng, c, 0.8, () => fmtPhone(rng))],
    ['mailing_city', opt(rng, c, 0.12, () => rng.pick(CITIES)[0])],
    ['mailing_zip', opt(rng, c, 0.12, () => fmtZip(rng))],
  ])} />\n`;
}

function employment(rng: Rng, type: string, complete: boolean, ind: string, receiveMs: number): string {
  const [city, state] = rng.pick(CITIES);
  const basis = rng.weighted([['MONTHLY', 45], ['ANNUAL', 30], ['WEEKLY', 8], ['HOURLY', 10], ['', 7]] as const);
  const salary = basis === 'ANNUAL' ? fmtMoney(rng, 18000, 140000) : basis === 'WEEKLY' ? fmtMoney(rng, 300, 2500)
    : basis === 'HOURLY' ? fmtMoney(rng, 9, 65) : fmtMoney(rng, 800, 12000);
  const c = complete;
  return `${ind}<contact_employment${attrs([
    ['employment_tp_c', type],
    ['b_name', opt(rng, c, 0.9, () => rng.pick(EMPLOYERS) || 'UNLISTED EMPLOYER')],
    ['b_job_title', opt(rng, c, 0.75, () => rng.pick(JOB_TITLES))],
    ['b_salary', opt(rng, c, 0.9, () => salary)],
    ['b_salary_basis_tp_c', c && basis === '' ? 'ANNUAL' : basis],
    ['b_months_at_job', opt(rng, c, 0.85, () => String(rng.int(0, 11)))],
    ['b_years_at_job', opt(rng, c, 0.85, () => String(rng.int(0, 25)))],
    ['b_income_tp_c', opt(rng, c, 0.8, () => rng.weighted([['SAL', 55], ['HOURLY', 20], ['SELF', 10], ['RETIRE', 8], ['OTHER', 5], ['BONUS', 2]] as const))],
    ['b_other_income_amt', opt(rng, c, 0.15, () => fmtMoney(rng, 50, 3000))],
    ['b_other_income_source', opt(rng, c, 0.1, () => rng.pick(['CHILD SUPPORT', 'RENTAL', 'PENSION', 'GIG WORK']))],
    ['b_self_employed_ind', opt(rng, c, 0.7, () => fmtFlag(rng, 0.1))],
    ['b_phone_no', opt(rng, c, 0.5, () => fmtPhone(rng))],
    ['b_street_number', opt(rng, c, 0.4, () => String(rng.int(1, 9999)))],
    ['b_street_name', opt(rng, c, 0.4, () => `${rng.pick(STREETS)} ${rng.pick(STREET_TYPES)}`)],
    ['b_unit', ''],
    ['b_city', opt(rng, c, 0.55, () => city)],
    ['b_state', opt(rng, c, 0.55, () => state)],
    ['b_zip', opt(rng, c, 0.5, () => fmtZip(rng))],
    ['b_start_date', opt(rng, c, 0.4, () => fmtDate(rng, receiveMs - rng.next() * 20 * YEAR_MS))],
  ])} />\n`;
}

function card(rng: Rng, role: string, complete: boolean, ind: string): string {
  const line = rng.pick([300, 500, 750, 1000, 1500, 2000, 3000, 5000]);
  const c = complete;
  return `${ind}<app_prod_bcard${attrs([
    ['card_id', ''], ['pd_tp_c', rng.pick(['CLS', 'PLT', 'SEC', ''])], ['card_name', ''],
    ['requested_credit_line', opt(rng, false, 0.2, () => String(line * 2))],
    ['allocated_credit_line', opt(rng, c, 0.75, () => String(line))],
    ['card_decision_tp_c', rng.pick(['APPRV', 'NODEC', 'DECLN', ''])],
    ['issue_card_ind', opt(rng, c, 0.7, () => (role === 'AUTHU' && !c ? fmtFlag(rng, 0.7) : 'Y'))],
    ['account_number', opt(rng, c, 0.35, () => `5${rng.digits(15)}`)],
    ['multran_account_number', ''], ['sys_prin', opt(rng, false, 0.3, () => rng.digits(8))],
    ['min_pay_due', opt(rng, c, 0.4, () => fmtMoney(rng, 15, 60))],
    ['credit_line2', opt(rng, false, 0.5, () => String(line))],
    ['max_line', opt(rng, c, 0.6, () => String(line * rng.pick([1, 2, 3])))],
  ])} />\n`;
}

/** Chooses the contact-type sequence and con_ids for a document (appId*10 + 1..4, rarely a repeat). */
function roster(rng: Rng, plan: ContactPlan): { role: string; conId: number; sparse: boolean }[] {
  const base = plan.appId * 10;
  if (plan.complete) return [{ role: 'PR', conId: base + 1, sparse: false }, { role: 'AUTHU', conId: base + 2, sparse: false }];
  const n = rng.weighted([[1, 55], [2, 30], [3, 10], [4, 5]] as const);
  const out: { role: string; conId: number; sparse: boolean }[] = [];
  for (let k = 0; k < n; k++) {
    const role = k === 0 ? 'PR' : rng.weighted([['AUTHU', 82], ['PR', 10], ['COAPP', 5], ['', 3]] as const);
    const dup = k > 0 && rng.chance(0.06);
    out.push({ role, conId: dup ? base + 1 : base + k + 1, sparse: rng.chance(k === 0 ? 0.01 : 0.05) });
  }
  return out;
}

/** Builds all contact elements of one document (indented for the `application` level). */
export function buildContacts(rng: Rng, plan: ContactPlan): { xml: string; people: ContactInfo[] } {
  const ind = '        ';
  const ind2 = `${ind}  `;
  const parts: string[] = [];
  const people: ContactInfo[] = [];
  const c = plan.complete;
  for (const { role, conId, sparse } of roster(rng, plan)) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const ssn = fmtSsn(rng);
    const [city, state] = rng.pick(CITIES);
    const birthMs = plan.receiveMs - (18 + rng.next() * 60) * YEAR_MS;
    const named = (p: number, make: () => string): string | undefined => (sparse ? '' : opt(rng, c, p, make));
    const secured = rng.chance(0.3);
    parts.push(`${ind}<contact${attrs([
      ['con_id', String(conId)], ['ac_role_tp_c', role], ['title', ''],
      ['first_name', named(0.98, () => first)],
      ['initials', opt(rng, c, 0.5, () => rng.pick('ABCDEFGHJKLMNPRSTW'.split('')))],
      ['last_name', named(0.98, () => last)],
      ['suffix', opt(rng, c, 0.06, () => rng.pick(['JR', 'SR', 'II', 'III']))],
      ['ssn', named(0.93, () => ssn)],
      ['email', opt(rng, c, 0.85, () => `${first}.${last}${rng.int(1, 99)}@EXAMPLE.COM`.replace(/[^A-Z0-9.@]/gi, ''))],
      ['birth_date', named(0.95, () => fmtDate(rng, birthMs))],
      ['mother_maiden_name', opt(rng, c, 0.7, () => rng.pick(LAST_NAMES))],
      ['spouse_name', opt(rng, c, 0.1, () => `${rng.pick(FIRST_NAMES)} ${last}`)],
      ['spouse_state', opt(rng, c, 0.08, () => rng.pick(STATES))],
      ['drivers_license', opt(rng, false, 0.3, () => `${rng.pick(['D', 'S', 'X'])}${rng.digits(8)}`)],
      ['drivers_license_state', opt(rng, c, 0.3, () => state)],
      ['ssn_last_4', ''],
      ['age', opt(rng, c, 0.6, () => String(Math.floor((plan.receiveMs - birthMs) / YEAR_MS)))],
      ['fraud_ind', opt(rng, c, 0.6, () => fmtFlag(rng, 0.04))],
      ['banking_aba', opt(rng, c, secured ? 0.9 : 0.05, () => `0${rng.digits(8)}`)],
      ['banking_account_number', opt(rng, c, secured ? 0.9 : 0.05, () => rng.digits(rng.int(8, 17)))],
      ['banking_account_type', opt(rng, c, secured ? 0.9 : 0.05, () => rng.weighted([['C', 70], ['S', 28], ['M', 2]] as const))],
      ['finicity_customer', ''],
      ['last_contact_time', opt(rng, false, 0.3, () => fmtDateTime(rng, plan.receiveMs + rng.next() * 1e9))],
    ])}>\n`);
    if (c || rng.chance(0.85)) parts.push(card(rng, role, c, ind2));
    const addrTypes = c ? ['CURR', 'PREV'] : pickTypes(rng, [[0, 7], [1, 55], [2, 30], [3, 8]], 'MAIL');
    for (const t of addrTypes) parts.push(address(rng, t, c, ind2));
    const empTypes = c ? ['CURR', 'PREV'] : pickTypes(rng, [[0, 18], [1, 55], [2, 22], [3, 5]], 'OTHR');
    for (const t of empTypes) parts.push(employment(rng, t, c, ind2, plan.receiveMs));
    parts.push(`${ind}</contact>\n`);
    people.push({ conId, role, first, last, ssn, city, state });
  }
  return { xml: parts.join(''), people };
}

/** 0–3 child types: CURR first, then PREV, with occasional duplicates, unknown and blank types. */
function pickTypes(rng: Rng, counts: readonly (readonly [number, number])[], unknown: string): string[] {
  const n = rng.weighted(counts);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i === 0) out.push(rng.weighted([['CURR', 92], ['PREV', 4], [unknown, 3], ['', 1]] as const));
    else if (i === 1) out.push(rng.weighted([['PREV', 85], ['CURR', 6], [unknown, 9]] as const));
    else out.push(rng.weighted([['PREV', 50], [unknown, 35], ['CURR', 10], ['curr', 5]] as const));
  }
  return out;
}
