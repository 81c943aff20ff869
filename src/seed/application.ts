/**
 * The contract-relevant core of a synthetic document: the `Provenir` and `Request` start tags and
 * the whole `CustData/application` subtree (application, app_product, contacts, rmts_info and
 * a few small sections the contract never reads).
 */
import type { Rng } from './prng.js';
import { buildContacts, type ContactInfo } from './contacts.js';
import {
  attrs, escText, fmtDate, fmtDateTime, fmtFlag, fmtMoney, fmtScore, fmtStamp, opt,
} from './format.js';
import { USERS, WORDS } from './vocab.js';

/** The per-document plan shared by the section builders. */
export interface AppPlan {
  appId: number;
  /** Every attribute the example contract reads is present (PR + AUTHU, CURR + PREV children). */
  complete: boolean;
  /** A small document: fewer filler sections. */
  thin: boolean;
  /** Application receive time (ms since epoch). */
  receiveMs: number;
}

const DAY = 24 * 3600 * 1000;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64ish(rng: Rng, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(B64[Math.floor(rng.next() * 64)] ?? 'A');
  return out.join('') + '=';
}

function boolText(rng: Rng, c: boolean): string | undefined {
  return opt(rng, c, 0.85, () => rng.weighted([['true', 55], ['false', 25], ['1', 5], ['0', 5], ['yes', 3], ['Y', 4], ['', 3]] as const));
}

/** `<Provenir …>` and `<Request …>` start tags (with their trailing newlines). */
export function buildRequestOpen(rng: Rng, plan: AppPlan): string {
  const c = plan.complete;
  const provenir = `<Provenir${attrs([
    ['Org', ''], ['sessionID', ''], ['x-trace-id', rng.uuid()], ['action', ''], ['app_source', rng.pick(['API', 'WEB', 'BATCH'])],
    ['transactionID', opt(rng, c, 0.9, () => String(rng.int(10000, 99999999)))], ['errorCode', '0'],
    ['status', rng.pick(['pass validation', 'complete', 'pending'])], ['appType', 'CC'], ['APIToken', ''], ['shred_version', '2.0'],
    ['result', rng.pick(['ok', 'error', ''])],
  ])}>\n`;
  const request = `  <Request${attrs([
    ['ID', String(plan.appId)], ['UserID', ''], ['Workflow', String(rng.int(1, 4))], ['Timestamp', ''],
    ['Status', opt(rng, c, 0.92, () => rng.weighted([['P', 30], ['A', 25], ['C', 20], ['D', 10], ['W', 8], ['E', 3], ['p', 4]] as const))],
    ['Readonly', '0'],
    ['Process', opt(rng, c, 0.9, () => rng.weighted([['01000', 20], ['02000', 20], ['03000', 25], ['04000', 10], ['05500', 10], ['09000', 8], ['99000', 5], ['07777', 2]] as const))],
    ['Priority', opt(rng, c, 0.25, () => rng.weighted([['Normal', 60], ['Rush', 25], ['Escalated', 12], ['Hold', 3]] as const))],
    ['LockedBy', opt(rng, c, 0.2, () => rng.pick(USERS))],
    ['iovation_sessionid', rng.uuid()],
    ['iovation_blackbox', opt(rng, c, 0.75, () => base64ish(rng, rng.int(400, 1600)))],
    ['triggerQA', rng.pick(['N', 'Y'])], ['useAlloyService', '0'],
    ['LastUpdatedBy', opt(rng, c, 0.7, () => rng.pick(USERS))],
  ])}>\n`;
  return provenir + request;
}

function appProduct(rng: Rng, plan: AppPlan): string {
  const c = plan.complete;
  const decision = rng.weighted([['APPRV', 40], ['DECLN', 25], ['PEND', 12], ['REVIEW', 8], ['WITHD', 5], ['NONE', 8], ['', 2]] as const);
  const decided = decision !== '' && decision !== 'NONE' && decision !== 'PEND';
  const aa = (): string => rng.weighted([['V4-', 30], ['F8-', 50], ['', 20]] as const) + String(rng.int(1, 99)).padStart(2, '0');
  const income = rng.int(800, 15000);
  return `        <app_product${attrs([
    ['decision_tp_c', c ? 'APPRV' : decision],
    ['decision_date', opt(rng, c, decided ? 0.95 : 0.05, () => fmtDateTime(rng, plan.receiveMs + rng.next() * 10 * DAY))],
    ['booked_date', opt(rng, c, decision === 'APPRV' ? 0.6 : 0, () => fmtDateTime(rng, plan.receiveMs + rng.next() * 20 * DAY))],
    ['dec_reason_c_1', opt(rng, false, 0.3, () => rng.pick(['R01', 'R07', 'R12', 'R33']))], ['dec_reason_c_2', ''],
    ['adverse_actn1_type_cd', opt(rng, c, decision === 'DECLN' ? 0.9 : 0.2, aa)],
    ['adverse_actn2_type_cd', opt(rng, c, decision === 'DECLN' ? 0.7 : 0.1, aa)],
    ['adverse_actn3_type_cd', ''],
    ['risk_model_reason1_tp_c', opt(rng, c, 0.3, () => `RM${rng.digits(2)}`)],
    ['intrnl_fraud_ssn_ind', opt(rng, c, 0.5, () => rng.weighted([['Y', 3], ['N', 80], ['true', 1], ['1', 1], ['', 15]] as const))],
    ['intrnl_fraud_address_ind', opt(rng, c, 0.5, () => fmtFlag(rng, 0.03))],
    ['synthetic_id_ind', opt(rng, c, 0.3, () => rng.weighted([['yes', 2], ['no', 60], ['T', 1], ['', 37]] as const))],
    ['duplicate_app_ind', opt(rng, c, 0.7, () => fmtFlag(rng, 0.05))],
    ['fraud_rev_ind', opt(rng, c, 0.6, () => fmtFlag(rng, 0.1))],
    ['analyst_rev_ind', opt(rng, c, 0.5, () => fmtFlag(rng, 0.08))],
    ['supervisor_rev_ind', opt(rng, c, 0.4, () => fmtFlag(rng, 0.03))],
    ['pending_verif_ind', opt(rng, c, 0.6, () => fmtFlag(rng, 0.2))],
    ['regb_start_date', opt(rng, c, 0.6, () => fmtDateTime(rng, plan.receiveMs + rng.next() * DAY))],
    ['regb_end_date', opt(rng, c, 0.3, () => fmtDateTime(rng, plan.receiveMs + 30 * DAY))],
    ['monthly_debt', opt(rng, c, 0.6, () => fmtMoney(rng, 0, 6000))],
    ['monthly_income', opt(rng, c, 0.65, () => (rng.chance(0.04) ? '0' : String(income)))],
    ['prescreen_fico_score', opt(rng, c, 0.55, () => fmtScore(rng, 300, 850))],
    ['prescreen_risk_grade', opt(rng, false, 0.4, () => rng.pick(['A', 'B', 'C', 'D']))],
    ['backend_risk_grade', opt(rng, c, 0.4, () => rng.pick(['A', 'B', 'C', 'D', 'E']))],
    ['fico_08_score', opt(rng, c, 0.5, () => fmtScore(rng, 300, 850))],
    ['vantage_score', opt(rng, c, 0.45, () => fmtScore(rng, 300, 850))],
    ['bureau_risk_score', opt(rng, c, 0.4, () => fmtScore(rng, 1, 999))],
    ['fraud_score', opt(rng, c, 0.3, () => fmtScore(rng, 0, 999))],
    ['income_est_score', opt(rng, c, 0.3, () => fmtScore(rng, 800, 25000))],
    ['legacy_risk_tier', opt(rng, c, 0.2, () => rng.pick(['T1', 'T2', 'T3', 'null', 'NONE']))],
    ['decision_model', opt(rng, c, 0.5, () => rng.weighted([['M1', 30], ['M2', 30], ['CHAMP', 25], ['CHALL', 10], ['M9', 5]] as const))],
    ['freeze_code', opt(rng, c, 0.05, () => rng.pick(['EXF', 'TUF', 'EQF', 'ALL']))],
    ['kba_result', opt(rng, c, 0.35, () => rng.pick(['PASS', 'FAIL', 'KBA_Timeout', 'Questions Presented']))],
    ['bank_verify_response', opt(rng, c, 0.2, () => rng.pick(['Account Verified', 'No Data', 'Closed & Charged Off', '<none>']))],
    ['identity_score', opt(rng, c, 0.3, () => String(rng.int(0, 60)))],
    ['csi_eligibility_ind', ''], ['booking_paused', ''], ['decision_score', ''],
  ])} />\n`;
}

function rmtsInfo(rng: Rng, plan: AppPlan): string {
  const c = plan.complete;
  const apr = (lo: number, hi: number): string => (lo + rng.next() * (hi - lo)).toFixed(rng.pick([2, 2, 3]));
  return `        <rmts_info${attrs([
    ['offer_id', opt(rng, false, 0.5, () => rng.hex(10).toUpperCase())],
    ['annual_fee', opt(rng, c, 0.85, () => rng.pick(['$0.00', '$40.00', '$75.00', '$95', '39', '0']))],
    ['late_payment_fee', opt(rng, c, 0.8, () => rng.pick(['$29', '$40', '39', '$25', 'up to $40']))],
    ['purchase_apr', opt(rng, c, 0.9, () => apr(19, 35.9))],
    ['cash_apr', opt(rng, c, 0.8, () => apr(24, 36))],
    ['penalty_apr', opt(rng, c, 0.6, () => apr(29, 36))],
    ['intro_purchase_apr', opt(rng, c, 0.3, () => (rng.next() * 5).toFixed(rng.pick([3, 5, 6])))],
    ['intro_period_months', opt(rng, c, 0.3, () => rng.pick(['6', '12', '15', '18']))],
    ['cash_credit_line', opt(rng, c, 0.5, () => (rng.chance(0.04) ? '1e3' : rng.pick(['100', '250', '250.5', '500', '750'])))],
    ['pricing_rule_id', opt(rng, c, 0.7, () => String(rng.int(1, 9)) + rng.digits(11))],
    ['marketing_segment', opt(rng, c, 0.8, () => rng.pick(['DM', 'WEB', 'PARTNER', 'REACTIVATE', 'PRESCREEN']))],
    ['offer_expiration_date', opt(rng, c, 0.6, () => fmtDate(rng, plan.receiveMs + rng.int(10, 90) * DAY))],
    ['legacy_offer_code', opt(rng, c, 0.25, () => `L${rng.digits(5)}`)],
    ['auth_user_fee', ''], ['foreign_txn_fee', opt(rng, false, 0.6, () => rng.pick(['3%', '2.7%', '0']))],
    ['returned_pymt_fee', opt(rng, false, 0.6, () => '$40.00')], ['cli_eligible', ''],
  ])} />\n`;
}

function fillerSections(rng: Rng, plan: AppPlan): string {
  const ind = '        ';
  const parts = [
    `${ind}<demographics${attrs([['language', rng.pick(['EN', 'ES', ''])], ['housing', ''], ['dependents', String(rng.int(0, 4))]])} />\n`,
    `${ind}<letters${attrs([['adverse_letter_sent', fmtFlag(rng, 0.2)], ['welcome_letter', ''], ['letter_date', fmtDate(rng, plan.receiveMs + 3 * DAY)]])} />\n`,
    `${ind}<TempVariables${attrs([['v1', ''], ['v2', String(rng.int(0, 9))], ['retry_count', String(rng.int(0, 3))], ['scratch', rng.pick(WORDS)]])} />\n`,
    `${ind}<user_profile${attrs([['user', rng.pick(USERS)], ['role', 'analyst']])}>\n${ind}  <user_security${attrs([['level', String(rng.int(1, 5))]])} />\n${ind}</user_profile>\n`,
    `${ind}<Indicators>\n${[0, 1, 2].map((i) => `${ind}  <Indicator${attrs([['name', `ind_${i}`], ['value', fmtFlag(rng, 0.3)]])} />\n`).join('')}${ind}</Indicators>\n`,
  ];
  if (!plan.thin) {
    parts.push(`${ind}<communications>\n${ind}  <communication${attrs([
      ['id', rng.uuid()], ['channel', rng.pick(['EMAIL', 'SMS', 'MAIL'])], ['sent', fmtStamp(plan.receiveMs + DAY)],
      ['subject', 'Your application & next steps'], ['template', `T${rng.digits(4)}`],
    ])}>\n${ind}    <deliveries status="delivered" attempts="${rng.int(1, 3)}" />\n${ind}  </communication>\n${ind}</communications>\n`);
    parts.push(`${ind}<comments${attrs([['author', rng.pick(USERS)], ['text', `Called applicant; ${rng.pick(WORDS)} "${rng.pick(WORDS)}" <ok>`]])} />\n`);
  }
  return parts.join('');
}

/** The `CustData` element (indented under `Request`) plus facts about its contacts. */
export function buildCustData(rng: Rng, plan: AppPlan): { xml: string; people: ContactInfo[] } {
  const c = plan.complete;
  const secured = rng.chance(0.25);
  const appAttrs = attrs([
    ['app_type_code', opt(rng, c, 0.95, () => (secured ? 'SECURED' : rng.weighted([['STD', 60], ['PRESCREEN', 20], ['DIGITAL', 12], ['REISSUE', 5], ['LEGACY', 3]] as const)))],
    ['procs_date', fmtStamp(plan.receiveMs + 60_000)],
    ['app_receive_date', fmtDateTime(rng, plan.receiveMs)],
    ['last_update_time', opt(rng, c, 0.9, () => fmtDateTime(rng, plan.receiveMs + rng.next() * 30 * DAY))],
    ['signature_ind', opt(rng, c, 0.85, () => fmtFlag(rng, 0.8))],
    ['name_match_flag', opt(rng, c, 0.7, () => fmtFlag(rng, 0.7))],
    ['address_match_flag', ''], ['ssn_match_flag', opt(rng, false, 0.6, () => fmtFlag(rng, 0.8))],
    ['pricing_tier', opt(rng, c, 0.8, () => String(rng.int(1, 99)))],
    ['solicitation_num', opt(rng, c, 0.6, () => `${rng.digits(5)}${rng.pick(['A', 'T', 'K'])}${rng.digits(5)}${rng.pick(['B', 'T'])}`)],
    ['campaign_num', opt(rng, c, 0.88, () => `${rng.pick(['K', 'Q', 'Z', 'W'])}${rng.digits(1)}${rng.pick(['A', 'M', 'X'])}${rng.chance(0.3) ? rng.digits(3) : ''}`)],
    ['app_entry_date', fmtDate(rng, plan.receiveMs)],
    ['product_line', opt(rng, c, 0.3, () => 'CC')],
    ['app_source_ind', opt(rng, c, 0.9, () => rng.weighted([['I', 60], ['M', 15], ['T', 10], ['B', 5], ['API', 8], ['X', 2]] as const))],
    ['app_channel', ''], ['special_offer', rng.pick(['0', '1', ''])],
    ['population_segment', opt(rng, c, 0.8, () => rng.weighted([['A1', 30], ['B2', 30], ['C3', 20], ['PS', 15], ['ZZ', 5]] as const))],
    ['verification_source', opt(rng, c, 0.5, () => rng.weighted([['KBA', 40], ['DOC', 20], ['OTP', 20], ['BUREAU', 10], ['MANUAL', 5], ['kba', 5]] as const))],
    ['processing_expiration_date', fmtDate(rng, plan.receiveMs + 60 * DAY)],
    ['ip_address', opt(rng, c, 0.6, () => (rng.chance(0.15) ? `2001:db8:${rng.hex(4)}::${rng.hex(4)}` : `${rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${rng.int(1, 254)}`))],
    ['retention_date', opt(rng, c, 0.5, () => fmtDate(rng, plan.receiveMs + 7 * 365 * DAY))],
    ['assigned_to', opt(rng, c, 0.3, () => rng.pick(USERS))],
    ['meta_url', opt(rng, c, 0.3, () => `https://apply.example.com/r/${rng.hex(8)}?s=${rng.int(1, 9)}&src=dm`)],
    ['secure_funding_ref', opt(rng, c, secured ? 0.8 : 0.02, () => String(rng.int(100000, 99999999)))],
    ['debit_initial_deposit_amount', opt(rng, c, secured ? 0.8 : 0.02, () => fmtMoney(rng, 200, 3000))],
    ['debit_initial_deposit_date', opt(rng, c, secured ? 0.7 : 0.02, () => fmtDateTime(rng, plan.receiveMs + rng.next() * 5 * DAY))],
    ['billing_token', opt(rng, c, 0.4, () => base64ish(rng, rng.int(40, 480)))],
    ['EODRet', rng.pick(['WEBAPP', 'BATCH', ''])], ['solicitation_locked', fmtFlag(rng, 0.5)],
    ['paperless_flag', boolText(rng, c)], ['sms_consent_flag', boolText(rng, c)], ['esign_consent_flag', boolText(rng, c)],
  ]);
  const { xml: contacts, people } = buildContacts(rng, { appId: plan.appId, complete: c, receiveMs: plan.receiveMs });
  const note = escText(`Applicant note: ${rng.pick(WORDS)} & ${rng.pick(WORDS)}`);
  const xml = `    <CustData>\n      <application${appAttrs}>\n${appProduct(rng, plan)}${contacts}${rmtsInfo(rng, plan)}`
    + `${fillerSections(rng, plan)}        <note>${note}</note>\n      </application>\n    </CustData>\n`;
  return { xml, people };
}
