/**
 * Word lists for synthetic documents. Everything here is invented or generic; no value comes
 * from a real application. A few entries deliberately carry characters that must be escaped in
 * XML (`&`, `'`) or are non-ASCII, so escaping and UTF-8 handling get exercised.
 */

/** Given names (upper case, as the source system stores them). */
export const FIRST_NAMES = [
  'ALEX', 'JORDAN', 'TAYLOR', 'MORGAN', 'CASEY', 'RILEY', 'JAMIE', 'AVERY', 'QUINN', 'PARKER',
  'ROWAN', 'SAGE', 'DREW', 'BLAKE', 'EMERY', 'HARPER', 'LOGAN', 'REESE', 'SKYLER', 'DAKOTA',
  'MARLOWE', 'ELLIS', 'FINLEY', 'HAYDEN', 'JULES', 'KENDALL', 'LANE', 'MILAN', 'NOEL', 'OAKLEY',
  'PEYTON', 'REMY', 'SHILOH', 'TATUM', 'WINTER', 'ZION', 'RENÉ', 'ADRIÁN',
] as const;

/** Family names; two carry apostrophes, one a non-ASCII letter. */
export const LAST_NAMES = [
  'ASHFORD', 'BRANSON', 'CALLOWAY', 'DELACROIX', 'EVERLY', 'FAIRBANKS', 'GALLOWAY', 'HOLLIS',
  'IVERSON', 'JANSEN', 'KESTREL', 'LINDQVIST', 'MARCHETTI', 'NORTHCOTT', 'OKAFOR', 'PEMBERTON',
  'QUILLAN', 'ROSSITER', 'SATTERFIELD', 'THORNBURY', 'UPCHURCH', 'VANTERPOOL', 'WHITLOCK',
  'YARDLEY', 'ZELLWEGER', "O'KEEFFE", "D'ARCY", 'NUÑEZ', 'BRIGHTWATER', 'COLDWELL',
] as const;

/** Street names (without the street type). */
export const STREETS = [
  'MAPLE', 'CEDAR RIDGE', 'WILLOW BEND', 'HARBOR VIEW', 'QUARRY', 'LANTERN', 'BIRCHWOOD',
  'FOUNDRY', 'SUMMIT', 'MILLSTONE', 'ORCHARD', 'PRAIRIE WIND', 'COPPER HILL', 'SILVER LAKE',
  'FOXGLOVE', 'IRONWOOD', 'STARLING', 'MEADOWLARK', 'TIMBERLINE', 'RIVERSTONE',
] as const;

/** Street type suffixes. */
export const STREET_TYPES = ['ST', 'AVE', 'RD', 'DR', 'LN', 'CT', 'BLVD', 'WAY', 'PL', 'TER'] as const;

/** Invented city names with a state code each. */
export const CITIES: readonly (readonly [string, string])[] = [
  ['NORTHVALE', 'NJ'], ['PINE HOLLOW', 'PA'], ['EASTBRIDGE', 'OH'], ['CLEARWATER FLATS', 'TX'],
  ['GRANITE FALLS', 'WA'], ['MAPLETON', 'UT'], ['SUNBURY CREEK', 'GA'], ['WESTHAVEN', 'CT'],
  ['LAKE ORLEN', 'MN'], ['RED MESA', 'AZ'], ['HOLLIS POINT', 'ME'], ['BRIAR GLEN', 'NC'],
  ['CEDAR PORT', 'OR'], ['FOXBORO HEIGHTS', 'MA'], ['SOUTH AMBERLY', 'IL'], ['DUNMORE SPRINGS', 'CO'],
  ['OLD MILFORD', 'NH'], ['KINGSREACH', 'VA'], ['ROSEDALE JUNCTION', 'NE'], ['VISTA ALTA', 'NM'],
];

/** Employer names; some contain `&` or an apostrophe. */
export const EMPLOYERS = [
  'NORTHWIND LOGISTICS', 'BLUE HERON DENTAL', 'ACME WIDGET CO', 'SUMMIT RIDGE SCHOOLS',
  'HARBOR & PINE MARKETS', "MOLLY'S DINER", 'QUANTUM FREIGHT LLC', 'CITY OF NORTHVALE',
  'BAKER & SONS HVAC', 'GREENLEAF HOME CARE', 'IRONCLAD SECURITY', 'SELF', 'BRIGHTPATH TUTORING',
  'RIVERBEND HOSPITAL', 'TRI-COUNTY TRANSIT', 'LUMEN SOFTWARE INC', '',
] as const;

/** Job titles. */
export const JOB_TITLES = [
  'DRIVER', 'NURSE', 'CASHIER', 'TEACHER', 'TECHNICIAN', 'MANAGER', 'ANALYST', 'COOK',
  'ELECTRICIAN', 'CLERK', 'OWNER', 'SUPERVISOR', 'WAREHOUSE ASSOCIATE', 'CARE AIDE', 'RETIRED',
] as const;

/** Analyst / system user ids. */
export const USERS = [
  'R.VANCE@EXAMPLE.COM', 'M.OSEI@EXAMPLE.COM', 'T.HALVORSEN@EXAMPLE.COM', 'SYSTEM', 'BATCHUSER',
  'K.ADEYEMI@EXAMPLE.COM', 'L.PRZYBYLSKI@EXAMPLE.COM', 'WEBAPP',
] as const;

/** Words used to fill free-text report fields. */
export const WORDS = [
  'account', 'inquiry', 'verified', 'match', 'partial', 'address', 'history', 'balance', 'revolving',
  'installment', 'closed', 'open', 'current', 'delinquent', 'review', 'score', 'factor', 'identity',
  'device', 'session', 'risk', 'low', 'medium', 'high', 'confirmed', 'pending', 'mismatch', 'phone',
  'email', 'domain', 'age', 'velocity', 'network', 'proxy', 'carrier', 'mobile', 'landline', 'café',
] as const;

/** Two-letter US state codes used for mailing/spouse fields. */
export const STATES = ['NJ', 'PA', 'OH', 'TX', 'WA', 'UT', 'GA', 'CT', 'MN', 'AZ', 'ME', 'NC', 'OR', 'MA', 'IL'] as const;
