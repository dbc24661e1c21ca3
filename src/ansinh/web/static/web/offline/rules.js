// The voluntary-SI and household-HI quotes on the phone, without a connection (issue 16, docs/adr/0016-offline-app.md).
// A line-by-line port of src/ansinh/rules/vsi.py, household_hi.py, local_support.py and benefits.retirement,
// fed by the JSON of GET /api/v1/offline/parameters (rules/offline.py): the same dated values as the server.
// Amounts are exact rationals of BigInt, rounded to the đồng half away from zero once, where lib/money.py does:
// never a float. tests/browser/test_offline_rules.py runs every YAML rule case and 10,000 random cases here and
// compares each result with the Python engine; any difference fails.

import { gettext } from "./i18n.js";

export class QuoteError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

// --- exact numbers -------------------------------------------------------------------------------

const gcd = (a, b) => { a = a < 0n ? -a : a; b = b < 0n ? -b : b; while (b) [a, b] = [b, a % b]; return a; };

export class Q {
  constructor(n, d = 1n) {
    if (d < 0n) { n = -n; d = -d; }
    const g = gcd(n, d) || 1n;
    this.n = n / g; this.d = d / g;
  }
  static of(x) {
    if (x instanceof Q) return x;
    if (typeof x === "bigint") return new Q(x);
    if (typeof x === "number") {
      if (!Number.isInteger(x)) throw new QuoteError("invalid_input", gettext("Không phải số nguyên: {value}", { value: x }));
      return new Q(BigInt(x));
    }
    const text = String(x).trim();  // an exact decimal string ("0.045"), as the parameter JSON writes rates
    const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m || (m[2] === "" && !m[3])) throw new QuoteError("invalid_input", gettext("Không đọc được số «{text}».", { text }));
    const frac = m[3] || "", exp = Number(m[4] || 0) - frac.length;
    let n = BigInt((m[2] || "0") + frac);
    let d = 1n;
    if (exp >= 0) n *= 10n ** BigInt(exp); else d = 10n ** BigInt(-exp);
    return new Q(m[1] ? -n : n, d);
  }
  add(o) { o = Q.of(o); return new Q(this.n * o.d + o.n * this.d, this.d * o.d); }
  mul(o) { o = Q.of(o); return new Q(this.n * o.n, this.d * o.d); }
  div(o) { o = Q.of(o); return new Q(this.n * o.d, this.d * o.n); }
  cmp(o) { o = Q.of(o); const l = this.n * o.d, r = o.n * this.d; return l < r ? -1 : l > r ? 1 : 0; }
  isZero() { return this.n === 0n; }
  toString() { return this.d === 1n ? String(this.n) : `${this.n}/${this.d}`; }
}

// lib/money.round_vnd: half away from zero, to whole đồng (a Number: amounts stay far below 2^53).
export function roundVnd(x) {
  const q = Q.of(x);
  const sign = q.n < 0n ? -1n : 1n, abs = q.n < 0n ? -q.n : q.n;
  return Number(sign * ((2n * abs + q.d) / (2n * q.d)));
}

const qmax = (values) => values.reduce((a, b) => (b.cmp(a) > 0 ? b : a));

// --- dates (ISO strings; lib/periods) -------------------------------------------------------------

const parts = (iso) => iso.split("-").map(Number);
const iso = (y, m, d) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
const daysIn = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();  // m is 1-based: day 0 of the next month
const toDay = (s) => { const [y, m, d] = parts(s); return Date.UTC(y, m - 1, d) / 86400000; };
const fromDay = (n) => { const t = new Date(n * 86400000); return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()); };

export function addDays(s, days) { return fromDay(toDay(s) + days); }
export function daysBetween(a, b) { return toDay(b) - toDay(a); }
export function addMonths(s, months) {
  const [y, m, d] = parts(s);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12), month = index - year * 12 + 1;
  return iso(year, month, Math.min(d, daysIn(year, month)));
}
export function endOfTerm(start, months) { return addDays(addMonths(start, months), -1); }
export function formatDateVi(s) { const [y, m, d] = s.split("-"); return `${d}/${m}/${y}`; }
export function formatVnd(amount) { return `${String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ".")} đ`; }

// --- parameters (rules/params.py) -----------------------------------------------------------------

function parameter(P, name) {
  const found = P.parameters[name];
  if (!found) throw new QuoteError("parameter_not_found", gettext("Không có tham số {name}.", { name }), { parameter: name });
  return found;
}

function indexOn(p, on) {
  let index = -1;
  for (let i = 0; i < p.entries.length && p.entries[i].effective <= on; i++) index = i;
  return index;
}

function typed(p, value) {
  const scalar = (v) => (p.unit === "rate" || p.unit === "multiple" ? Q.of(v) : v);
  if (Array.isArray(value)) return value.map(scalar);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scalar(v)]));
  return scalar(value);
}

function unpublished(p, whenVi, entry) {
  const source = entry ? ` (${entry.reference.title})` : "";
  return new QuoteError("parameter_unpublished",
    gettext("Chưa có giá trị công bố của «{description}» cho {when}{source}; hãy bổ sung tham số này trước khi tính.",
            { description: p.description, when: whenVi, source }));
}

export function at(P, name, on) {
  const p = parameter(P, name);
  const index = indexOn(p, on);
  if (p.yearly) {
    if (index < 0 || p.entries[index].effective.slice(0, 4) !== on.slice(0, 4)) throw unpublished(p, gettext("năm {year}", { year: on.slice(0, 4) }));
  } else if (index < 0) {
    throw new QuoteError("parameter_not_in_force",
      gettext("Tham số «{description}» ({name}) chưa có hiệu lực vào ngày {value}; giá trị đầu tiên áp dụng từ {first}.",
              { description: p.description, name, value: formatDateVi(on), first: formatDateVi(p.entries[0].effective) }),
      { parameter: name });
  }
  const entry = p.entries[index];
  if (entry.unpublished) throw unpublished(p, gettext("ngày {day}", { day: formatDateVi(on) }), entry);
  if (entry.value === null) {
    throw new QuoteError("parameter_not_in_force",
      gettext("Tham số «{description}» ({name}) đã hết hiệu lực từ {value} ({title}).",
              { description: p.description, name, value: formatDateVi(entry.effective), title: entry.reference.title }),
      { parameter: name });
  }
  return { name, effective: entry.effective, value: typed(p, entry.value), reference: entry.reference };
}

function unpublishedOn(p, on) {
  const index = indexOn(p, on);
  return index >= 0 && p.entries[index].unpublished ? p.entries[index].reference : null;
}

function inForce(p, on) {
  const index = indexOn(p, on);
  return index >= 0 && (p.entries[index].unpublished || p.entries[index].value !== null);
}

// UsedParameters: lookups on one date, each remembered (what the quote shows as its calculation record).
class Use {
  constructor(P, on) {
    if (P.from && (on < P.from || on > P.to)) {
      throw new QuoteError("parameter_not_in_force",
        gettext("Dữ liệu tham số trên máy chỉ áp dụng từ {start} đến {end}; ngày {day} nằm ngoài — hãy «Tải dữ liệu» lại khi có mạng.",
                { start: formatDateVi(P.from), end: formatDateVi(P.to), day: formatDateVi(on) }));
    }
    this.P = P; this.on = on; this.used = [];
  }
  get(name) {
    const found = at(this.P, name, this.on);
    if (!this.used.some((u) => u.name === name && u.effective === found.effective)) this.used.push(found);
    return found.value;
  }
}

// --- provincial top-ups (rules/local_support.py) --------------------------------------------------

const VSI_KIND = "local_support", HI_KIND = "household_hi/local_support";
const NOT_CONFIGURED = "local_support_not_configured";

export function highestRate(rates, groups) {
  const other = rates.other ? Q.of(rates.other) : new Q(0n);
  return qmax([other, ...groups.map((g) => (g in rates ? Q.of(rates[g]) : other))]);
}

function notConfigured(province, title) {
  const what = title ? gettext("theo {title}", { title }) : gettext("(mã tỉnh {province})", { province });
  return { code: NOT_CONFIGURED, message: gettext("Chưa gồm hỗ trợ của tỉnh {what} — chưa cấu hình.", { what }) };
}

function localRates(kind, province, use) {
  if (province === null || province === undefined) return [{}, null];
  if (!/^\d{2}$/.test(province)) {
    throw new QuoteError("invalid_input", gettext("Mã tỉnh «{province}» không hợp lệ (2 chữ số, ví dụ 40).", { province }), { field: "province" });
  }
  const name = `${kind}/${province}`;
  const p = use.P.parameters[name];
  if (!p) return [{}, notConfigured(province, null)];
  const marker = unpublishedOn(p, use.on);
  if (marker) return [{}, notConfigured(province, marker.title)];
  if (!inForce(p, use.on)) return [{}, null];
  return [use.get(name), null];
}

// --- retirement age (rules/benefits.retirement) ---------------------------------------------------

export function retirement(P, born, sex) {
  if (sex !== "male" && sex !== "female") throw new QuoteError("invalid_input", gettext("Giới tính phải là male (nam) hoặc female (nữ)."));
  const name = `benefits/retirement_age_${sex}`;
  const schedule = parameter(P, name);
  const bornYear = Number(born.slice(0, 4));
  const firstYear = Number(schedule.entries[0].effective.slice(0, 4));
  for (let year = Math.max(bornYear + 40, firstYear); year < bornYear + 100; year++) {
    const months = at(P, name, iso(year, 12, 31)).value;
    const reached = addMonths(born, months);
    const reachedYear = Number(reached.slice(0, 4));
    if (reachedYear === year) return { years: Math.floor(months / 12), months: months % 12, reachedOn: reached };
    if (reachedYear < year) break;
  }
  throw new QuoteError("parameter_not_in_force",
    gettext("Người sinh ngày {born} đủ tuổi nghỉ hưu trước khi có bảng tuổi nghỉ hưu đã nạp.", { born: formatDateVi(born) }));
}

// --- voluntary SI (rules/vsi.py) ------------------------------------------------------------------

export const SUPPORT_GROUPS = ["poor", "near_poor", "ethnic_minority", "island", "other"];

// request: {on, income, months, method: "regular"|"advance"|"catch_up", groups: [], province, supported_months_used,
//           fund_return: "0.0031"|null, born, sex, months_paid}
export function quoteVsi(P, request) {
  const r = { method: "regular", groups: [], province: null, supported_months_used: 0, fund_return: null,
    born: null, sex: null, months_paid: null, ...request };
  const use = new Use(P, r.on);
  const unknown = [...new Set(r.groups)].filter((g) => !SUPPORT_GROUPS.includes(g)).sort();
  if (unknown.length) {
    throw new QuoteError("support_group_unknown",
      gettext("Nhóm đối tượng không hợp lệ: {value}; dùng: {value2}.", { value: unknown.join(", "), value2: SUPPORT_GROUPS.join(", ") }));
  }
  if (r.supported_months_used < 0) throw new QuoteError("invalid_input", gettext("Số tháng đã được hỗ trợ không được âm."));
  const rate = use.get("vsi/contribution_rate");
  const povertyLine = use.get("rural_poverty_line");
  checkIncome(r.income, use);
  checkMonths(r, use);
  const gross = roundVnd(grossAmount(r, rate, use));
  const tier = highestRate(use.get("vsi/state_support_rate"), r.groups);
  const months = supportedMonths(r, tier, use);
  const base = rate.mul(months).mul(povertyLine);
  const state = roundVnd(base.mul(tier));
  const [localRatesFound, notice] = localRates(VSI_KIND, r.province, use);
  const localTier = highestRate(localRatesFound, r.groups);
  const local = Math.min(roundVnd(base.mul(localTier)), gross - state);
  return {
    income: r.income, months: r.months, method: r.method, gross, state_support: state, local_support: local,
    payable: gross - state - local, support_rate: tier.toString(), supported_months: months,
    notices: notice ? [notice] : [], parameters: use.used,
  };
}

export function incomeBounds(use) {
  const floor = roundVnd(use.get("vsi/income_floor").mul(use.get("rural_poverty_line")));
  const ceiling = roundVnd(use.get("vsi/income_ceiling_multiple").mul(use.get("base_salary")));
  return [floor, ceiling, use.get("vsi/income_step")];
}

function checkIncome(income, use) {
  const [floor, ceiling, step] = incomeBounds(use);
  if (income < floor) {
    throw new QuoteError("income_below_floor",
      gettext("Thu nhập {value} thấp hơn mức tối thiểu {value2} (chuẩn nghèo khu vực nông thôn).",
              { value: formatVnd(income), value2: formatVnd(floor) }), { floor });
  }
  if (income > ceiling) {
    throw new QuoteError("income_above_ceiling",
      gettext("Thu nhập {value} cao hơn mức tối đa {value2} (20 lần lương cơ sở).",
              { value: formatVnd(income), value2: formatVnd(ceiling) }), { ceiling });
  }
  if (income !== ceiling && (income - floor) % step) {
    const lower = floor + Math.floor((income - floor) / step) * step;
    const upper = Math.min(lower + step, ceiling);
    throw new QuoteError("income_off_step",
      gettext("Thu nhập {value} không đúng bước {value2} tính từ {value3}; hai mức gần nhất là {value4} và {value5}.",
              { value: formatVnd(income), value2: formatVnd(step), value3: formatVnd(floor), value4: formatVnd(lower),
                value5: formatVnd(upper) }), { nearest: [lower, upper] });
  }
}

function checkMonths(r, use) {
  if (r.method === "regular") {
    const terms = use.get("vsi/payment_terms");
    if (!terms.includes(r.months)) {
      throw new QuoteError("payment_term_invalid",
        gettext("Phương thức đóng {months} tháng không hợp lệ; chọn một trong: {allowed} tháng.",
                { months: r.months, allowed: terms.join(", ") }));
    }
    return;
  }
  if (r.method === "advance") {
    const years = use.get("vsi/advance_terms");
    if (!years.includes(r.months)) {
      throw new QuoteError("payment_term_invalid",
        gettext("Đóng trước chỉ theo năm tròn, từ {shortest} đến {longest} năm ({allowed} tháng); không đóng trước {months} tháng.",
                { shortest: Math.min(...years) / 12, longest: Math.max(...years) / 12, allowed: years.join(", "),
                  months: r.months }), { allowed: years });
    }
    return;
  }
  if (r.method !== "catch_up") throw new QuoteError("invalid_input", gettext("Phương thức «{method}» không hợp lệ.", { method: r.method }));
  checkCatchUp(r, use);
}

function checkCatchUp(r, use) {
  if (!r.born || !r.sex) {
    throw new QuoteError("invalid_input",
      gettext("Đóng bù chỉ dành cho người đã hoặc sắp đủ tuổi nghỉ hưu: cần ngày sinh và giới tính."), { field: "born" });
  }
  const reached = retirement(use.P, r.born, r.sex).reachedOn;
  const before = use.get("vsi/catch_up_earliest_months_before_retirement");
  const earliest = before === 0 ? reached : addMonths(`${reached.slice(0, 8)}01`, -before);
  if (r.on < earliest) {
    throw new QuoteError("not_eligible",
      gettext("Chưa được đóng bù: người tham gia đủ tuổi nghỉ hưu ngày {value}, sớm nhất được đóng bù từ ngày {value2}.",
              { value: formatDateVi(reached), value2: formatDateVi(earliest) }), { earliest });
  }
  const cap = use.get("vsi/catch_up_max_months");
  let short = cap;
  if (r.months_paid !== null && r.months_paid !== undefined) {
    short = use.get("benefits/pension_min_years") * 12 - r.months_paid;
    if (short > cap) {
      throw new QuoteError("not_eligible", gettext("Còn thiếu {short} tháng, quá {cap} tháng được đóng bù theo quy định đang áp dụng.", { short, cap }));
    }
  }
  const limit = Math.min(cap, short);
  if (!(r.months >= 1 && r.months <= limit)) {
    throw new QuoteError("months_over_cap",
      gettext("Số tháng đóng bù phải từ 1 đến {limit} tháng (số tháng còn thiếu, tối đa {cap}); đã nhập {months}.",
              { limit, cap, months: r.months }), { cap: limit });
  }
}

// Advance: Σ_{i=1..n} monthly / (1+r)^(i−1); catch-up: Σ_{i=1..t} monthly × (1+r)^i — exact, rounded once after.
function grossAmount(r, rate, use) {
  const monthly = rate.mul(r.income);
  if (r.method === "regular") return monthly.mul(r.months);
  const onePlus = fundReturn(r, use).add(1), a = onePlus.n, b = onePlus.d;  // 1 + r = a / b
  // One fraction per series (Horner), not a reduced fraction per term: the same exact value, ~50× faster.
  let sum = 1n, pb = 1n, pa = a;
  if (r.method === "advance") {  // Σ_{i=0..n−1} (b/a)^i = (Σ a^(n−1−i) b^i) / a^(n−1)
    for (let k = 1; k < r.months; k++) { pb *= b; sum = sum * a + pb; }
    return monthly.mul(new Q(sum, a ** BigInt(r.months - 1)));
  }
  sum = a;  // catch-up: Σ_{i=1..t} (a/b)^i = (Σ a^i b^(t−i)) / b^t
  for (let k = 2; k <= r.months; k++) { pa *= a; sum = sum * b + pa; }
  return monthly.mul(new Q(sum, b ** BigInt(r.months)));
}

function fundReturn(r, use) {
  const year = Number(r.on.slice(0, 4)) - 1;
  if (r.fund_return !== null && r.fund_return !== undefined && r.fund_return !== "") {
    const given = Q.of(r.fund_return);
    if (given.cmp(0) < 0 || given.cmp(1) >= 0) throw new QuoteError("invalid_input", gettext("Lãi suất tháng phải từ 0 đến dưới 1 (ví dụ 0.0031)."));
    return given;
  }
  try {
    const found = at(use.P, "vsi/fund_monthly_return", iso(year, 12, 31));
    use.used.push(found);
    return found.value;
  } catch (error) {
    if (!(error instanceof QuoteError) || error.code !== "parameter_unpublished") throw error;
    throw new QuoteError("fund_return_missing",
      gettext("Chưa có lãi suất đầu tư quỹ BHXH bình quân tháng công bố cho năm {year}; hãy nhập lãi suất tháng để ước tính (ví dụ 0,0031).",
              { year }), { year });
  }
}

function supportedMonths(r, tier, use) {
  if (tier.isZero()) return 0;
  if (r.method === "catch_up" && !use.get("vsi/catch_up_state_support")) return 0;
  const cap = use.get("vsi/state_support_max_months");
  return Math.min(r.months, Math.max(0, cap - r.supported_months_used));
}

// --- household HI (rules/household_hi.py) ---------------------------------------------------------

export const HOUSEHOLD = "household";
export const MEMBER_GROUPS = [HOUSEHOLD, "poor", "near_poor", "near_poor_full"];
const SUPPORTED_GROUPS = ["near_poor", "near_poor_full"];

function rankFactor(factors, rank) {
  const last = Math.max(...Object.keys(factors).map(Number));
  return factors[String(Math.min(rank, last))];
}

// request: {on, members: [{covered_elsewhere, group, as_household}], months, already_joined, previous_card_end, province}
export function quoteHi(P, request) {
  const r = { already_joined: 0, previous_card_end: null, province: null, ...request };
  const members = r.members.map((m) => ({ covered_elsewhere: false, group: HOUSEHOLD, as_household: false, ...m }));
  const use = new Use(P, r.on);
  if (r.already_joined < 0) throw new QuoteError("invalid_input", gettext("Số thành viên đã tham gia trước trong năm không được âm."));
  if (!members.some((m) => !m.covered_elsewhere)) {
    throw new QuoteError("household_empty", gettext("Hộ gia đình cần ít nhất một thành viên tham gia BHYT hộ gia đình."));
  }
  checkMembers(members, use);
  const terms = use.get("household_hi/terms");
  if (!terms.includes(r.months)) {
    throw new QuoteError("payment_term_invalid", gettext("Kỳ đóng {months} tháng không hợp lệ; chọn một trong: {allowed} tháng.", { months: r.months, allowed: terms.join(", ") }));
  }
  const rate = use.get("household_hi/contribution_rate");
  const base = use.get("base_salary");
  const factors = use.get("household_hi/rank_factors");
  const [rates, notice] = localRates(HI_KIND, r.province, use);
  const quoted = [];
  let rank = r.already_joined;
  for (const member of members) {
    if (member.covered_elsewhere) {
      quoted.push({ rank: null, factor: "0", monthly: 0, amount: 0, group: HOUSEHOLD, gross: 0, state_support: 0, local_support: 0 });
    } else if (member.group === HOUSEHOLD || member.as_household) {
      rank += 1;
      const factor = rankFactor(factors, rank);
      const monthly = rate.mul(base).mul(factor);
      const term = monthly.mul(r.months);
      const gross = roundVnd(term);
      const local = Math.min(roundVnd(term.mul(highestRate(rates, [HOUSEHOLD]))), gross);
      quoted.push({ rank, factor: factor.toString(), monthly: roundVnd(monthly), amount: gross - local, group: HOUSEHOLD,
        gross, state_support: 0, local_support: local });
    } else {
      quoted.push(groupMember(member.group, rate.mul(base), r.months, rates, use));
    }
  }
  const card = cardValidity(r.on, r.months, r.previous_card_end, use);
  return { months: r.months, members: quoted, total: quoted.reduce((s, m) => s + m.amount, 0), card,
    state_support: quoted.reduce((s, m) => s + m.state_support, 0),
    local_support: quoted.reduce((s, m) => s + m.local_support, 0),
    notices: notice ? [notice] : [], parameters: use.used };
}

function supportRate(group, use) {
  if (group === "near_poor_full") return use.get("household_hi/near_poor_full_support_rate");
  const rates = use.get("household_hi/state_support_rate");
  if (!(group in rates)) throw new QuoteError("parameter_not_found", gettext("Không có tỷ lệ hỗ trợ cho nhóm {group}.", { group }));
  return rates[group];
}

function groupMember(group, monthly, months, rates, use) {
  const term = monthly.mul(months);
  const gross = roundVnd(term);
  const state = roundVnd(term.mul(supportRate(group, use)));
  const local = Math.min(roundVnd(term.mul(highestRate(rates, [group]))), gross - state);
  return { rank: null, factor: "1", monthly: roundVnd(monthly), amount: gross - state - local, group, gross,
    state_support: state, local_support: local };
}

function checkMembers(members, use) {
  for (const member of members) {
    if (!MEMBER_GROUPS.includes(member.group)) {
      throw new QuoteError("support_group_unknown",
        gettext("Nhóm thành viên không hợp lệ: {group}; dùng: {value}.", { group: member.group, value: MEMBER_GROUPS.join(", ") }));
    }
    if (member.as_household && (!SUPPORTED_GROUPS.includes(member.group)
                                || !use.get("household_hi/supported_may_join_as_household"))) {
      const since = parameter(use.P, "household_hi/supported_may_join_as_household").entries.find((e) => e.value);
      const when = since ? gettext(", và chỉ từ {value}", { value: formatDateVi(since.effective) }) : "";
      throw new QuoteError("not_eligible",
        gettext("Chỉ người thuộc nhóm được NSNN hỗ trợ đóng (hộ cận nghèo) mới được chọn tham gia theo hộ gia đình{when} (Luật 51/2024/QH15).",
                { when }));
    }
  }
}

export function cardValidity(on, months, previousEnd, use) {
  let start, waiting;
  if (previousEnd && on <= previousEnd) {
    [start, waiting] = [addDays(previousEnd, 1), false];
  } else if (!previousEnd || lapsed(on, previousEnd, use)) {
    [start, waiting] = [addDays(on, use.get("household_hi/card_waiting_days")), true];
  } else {
    [start, waiting] = [on, false];
  }
  return { valid_from: start, valid_to: endOfTerm(start, months), waiting };
}

function lapsed(on, previousEnd, use) {
  if (inForce(parameter(use.P, "household_hi/lapse_days_at_least"), on)) {
    const days = use.get("household_hi/lapse_days_at_least");
    return Math.max(0, daysBetween(previousEnd, on) - 1) >= days;
  }
  const months = use.get("household_hi/lapse_uncovered_months_at_least");
  return on >= addMonths(addDays(previousEnd, 1), months);
}
