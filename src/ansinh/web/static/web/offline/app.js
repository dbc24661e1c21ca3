// The agent's offline app (issue 16, docs/adr/0016-offline-app.md; server side in OFFLINE_CONTRACT.md): the screens,
// the status bar, the queue of operations and the sync. Quotes come from rules.js (the server's rules, ported),
// storage from store.js (Dexie, encrypted with the PIN). No inline script: the CSP allows ansinh's files only.
import { QuoteError, formatVnd, quoteHi, quoteVsi } from "./rules.js";
import { Store, fold, freeReceipts, isoWithOffset, openDb } from "./store.js";
import { gettext } from "./i18n.js";
import { api, csrf, postQueue } from "./sync.js";

const $ = (id) => document.getElementById(id);
const state = { store: null, slice: null, subject: null, quote: null, enrolment: null, addTo: null, visit: null };
const escape = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const today = () => isoWithOffset(new Date()).slice(0, 10);

function show(name) {
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.dataset.screen !== name;
  $("tabs").hidden = name === "unlock";
}

async function status() {
  const online = navigator.onLine;
  $("st-online").textContent = online ? gettext("Có mạng") : gettext("Mất mạng — đang làm ngoại tuyến");
  $("st-online").className = online ? "" : "offline";
  if (!state.store) return;
  if (state.store.key) await state.store.refreshCounts();
  $("st-waiting").textContent = await state.store.meta("waiting", 0);
  const last = await state.store.meta("last_sync");
  $("st-last").textContent = last ? new Date(last).toLocaleString("vi-VN") : gettext("chưa");
  const left = await state.store.meta("receipts_left");
  $("st-receipts").textContent = left === null ? "—" : left;
}

// --- unlock, download ------------------------------------------------------------------------------

async function unlock(event) {
  event.preventDefault();
  $("unlock-error").textContent = "";
  try {
    await state.store.unlock($("pin").value);
  } catch (error) {
    $("unlock-error").textContent = error.message;
    return;
  }
  $("pin").value = "";
  state.slice = await state.store.get("slice");
  fillChoices();
  await status();
  show(state.slice ? "find" : "download");
}

async function download(event) {
  event.preventDefault();
  const out = $("download-result");
  out.textContent = gettext("Đang tải…");
  try {
    let deviceId = await state.store.meta("device_id");
    if (!deviceId) { deviceId = crypto.randomUUID(); await state.store.setMeta("device_id", deviceId); }
    const device = await api("POST", "/api/v1/devices", { id: deviceId, label: $("device-label").value });
    if (device.token) await state.store.put("token", device.token);
    const token = await state.store.get("token");
    if (!token) throw new Error(gettext("Máy này đã đăng ký nhưng không còn mã truy cập: hãy nhờ quản lý thu hồi và đăng ký lại."));
    const slice = await api("GET", "/api/v1/sync/slice", undefined, token);
    if (!slice.parameters || !slice.parameters.parameters) {
      slice.parameters = await api("GET", `/api/v1/offline/parameters?from=${today()}&months=12`);
    }
    await state.store.put("slice", slice);
    await state.store.setMeta("last_sync", new Date().toISOString());
    state.slice = slice;
    fillChoices();
    await status();
    const people = slice.households.reduce((n, h) => n + h.members.length, 0);
    out.textContent = gettext("Đã tải {households} hộ, {people} người, {receipts} số biên lai.",
      { households: slice.households.length, people, receipts: slice.receipt_block.numbers.length });
  } catch (error) {
    out.textContent = gettext("Chưa tải được: {error}", { error: error.message });
  }
}

function fillChoices() {
  const communes = state.slice?.communes || [];
  const options = communes.map((c) => `<option value="${escape(c.code)}">${escape(c.name)}</option>`).join("");
  $("reg-commune").innerHTML = options;
  $("l-commune").innerHTML = options;
  $("pay-point").innerHTML = (state.slice?.collection_points || [])
    .map((p) => `<option value="${p.id}">${escape(p.name)}</option>`).join("");
  $("q-on").value = today();
  $("q-province").value = state.slice?.province_code || communes[0]?.province_code || "";
}

// --- households: the slice's and those registered here ------------------------------------------------

async function households() {
  const local = new Map(), added = new Map();
  for (const { op } of await state.store.operations()) {
    if (op.type === "register_household") {
      local.set(op.data.household_id, { id: op.data.household_id, commune_code: op.data.commune_code,
        address: op.data.address, poverty: "none", members: [], local: true });
    } else if (op.type === "register_person") {
      (added.get(op.data.household_id) || added.set(op.data.household_id, []).get(op.data.household_id)).push({
        id: op.data.person_id, full_name: op.data.full_name, birth_date: op.data.birth_date, sex: op.data.sex,
        support_group: "", vsi: null, due: null });
    }
  }
  // A person registered here joins the household shown, whether it came with the slice or was registered here too.
  const all = [...(state.slice?.households || []), ...local.values()];
  return all.map((h) => (added.has(String(h.id)) ? { ...h, members: [...h.members, ...added.get(String(h.id))] } : h));
}

async function find() {
  const words = fold($("find-q").value).split(" ").filter(Boolean);
  const list = $("find-results");
  if (!words.length) { list.innerHTML = ""; return; }
  const found = (await households()).filter((h) => {
    const text = fold([h.address, ...h.members.map((m) => m.full_name)].join(" "));
    return words.every((w) => text.includes(w));
  }).slice(0, 30);
  list.innerHTML = found.length ? found.map((h) => `<li><button type="button" class="quiet" data-household="${escape(h.id)}">` +
    `${escape(h.members[0]?.full_name || gettext("(chưa có thành viên)"))} — ${escape(h.address)}</button></li>`).join("")
    : `<li>${escape(gettext("Không tìm thấy hộ nào."))}</li>`;
}

async function openHousehold(id) {
  const h = (await households()).find((x) => String(x.id) === String(id));
  if (!h) return;
  const rows = h.members.map((m) => `<li>${escape(m.full_name)} (${escape(m.birth_date || "")})` +
    `${m.citizen_id_masked ? ` · ${escape(m.citizen_id_masked)}` : ""}${m.hi_card_end ? ` · ${escape(gettext("thẻ BHYT đến {day}", { day: m.hi_card_end }))}` : ""}` +
    `${m.due ? ` · ${escape(gettext("cần đóng"))} <span class="money">${formatVnd(m.due.amount)}</span>` : ""}<br>` +
    `<button type="button" class="quiet" data-quote-vsi="${escape(m.id)}">${escape(gettext("Báo giá BHXH tự nguyện"))}</button></li>`).join("");
  $("household").innerHTML = `<h2>${escape(h.address)}</h2><ul class="list">${rows}</ul>` +
    `<button type="button" data-quote-hi="${escape(h.id)}">${escape(gettext("Báo giá BHYT hộ gia đình"))}</button>` +
    `<button type="button" class="quiet" data-add-person="${escape(h.id)}">${escape(gettext("Thêm người vào hộ này"))}</button>`;
}

// Register into an existing household: only the people's fields (the household's commune and address are known).
function registerInto(householdId) {
  state.addTo = householdId;
  for (const id of ["reg-commune", "reg-address"]) {
    $(id).disabled = true;
    $(id).previousElementSibling.hidden = $(id).hidden = true;
  }
  $("reg-people").querySelector("legend").textContent = gettext("Người mới của hộ");
  show("register");
}

function registerNew() {
  state.addTo = null;
  for (const id of ["reg-commune", "reg-address"]) {
    $(id).disabled = false;
    $(id).previousElementSibling.hidden = $(id).hidden = false;
  }
  $("reg-people").querySelector("legend").textContent = gettext("Thành viên (người đầu tiên là chủ hộ)");
}

// --- register ----------------------------------------------------------------------------------------

function addPersonForm() {
  const n = $("reg-people").querySelectorAll(".person").length;
  const div = document.createElement("div");
  div.className = "person";
  div.innerHTML = `<label for="p${n}-name">${escape(gettext("Họ tên"))}</label><input id="p${n}-name" data-field="full_name" required>` +
    `<label for="p${n}-birth">${escape(gettext("Ngày sinh"))}</label><input id="p${n}-birth" data-field="birth_date" type="date" required>` +
    `<label for="p${n}-sex">${escape(gettext("Giới tính"))}</label><select id="p${n}-sex" data-field="sex"><option value="female">${escape(gettext("Nữ"))}</option>` +
    `<option value="male">${escape(gettext("Nam"))}</option></select>` +
    `<label for="p${n}-cid">${escape(gettext("Số CCCD (nếu có)"))}</label><input id="p${n}-cid" data-field="citizen_id" inputmode="numeric">` +
    `<label for="p${n}-phone">${escape(gettext("Điện thoại (nếu có)"))}</label><input id="p${n}-phone" data-field="phone" inputmode="tel">`;
  $("reg-people").appendChild(div);
}

async function register(event) {
  event.preventDefault();
  const joining = state.addTo;
  const householdId = joining || crypto.randomUUID();
  const form = $("register-form");
  if (!joining) {
    await state.store.enqueue("register_household", { household_id: householdId,
      commune_code: form.commune_code.value, address: form.address.value.trim() });
  }
  const people = [...$("reg-people").querySelectorAll(".person")];
  for (const [i, div] of people.entries()) {
    const value = (f) => div.querySelector(`[data-field="${f}"]`).value.trim() || null;
    await state.store.enqueue("register_person", { person_id: crypto.randomUUID(), household_id: householdId,
      full_name: value("full_name"), birth_date: value("birth_date"), sex: value("sex"), citizen_id: value("citizen_id"),
      phone: value("phone"), relationship: i === 0 && !joining ? "head" : null });
  }
  $("register-result").textContent = joining
    ? gettext("Đã lưu {count} người mới của hộ trên máy; sẽ gửi khi đồng bộ.", { count: people.length })
    : gettext("Đã lưu hộ {count} người trên máy; sẽ gửi khi đồng bộ.", { count: people.length });
  form.reset();
  $("reg-people").querySelectorAll(".person").forEach((d) => d.remove());
  addPersonForm();
  registerNew();
  await status();
  await openHousehold(householdId);
  if (joining) show("find");
}

// --- quote, enrol, pay -------------------------------------------------------------------------------

// The province whose top-up the server applies: the one of the household's commune, as the slice says.
function provinceOf(communeCode) {
  const commune = (state.slice?.communes || []).find((c) => c.code === communeCode);
  return commune?.province_code || state.slice?.province_code || "";
}

async function quoteFor(kind, id) {
  const all = await households();
  const h = kind === "vsi" ? all.find((x) => x.members.some((m) => String(m.id) === String(id)))
    : all.find((x) => String(x.id) === String(id));
  $("q-province").value = provinceOf(h.commune_code);
  if (kind === "vsi") {
    const m = h.members.find((x) => String(x.id) === String(id));
    state.subject = { kind, person_id: m.id, label: m.full_name };
    $("q-groups").value = ["poor", "near_poor", "ethnic_minority", "island"].includes(m.support_group) ? m.support_group : "";
  } else {
    state.subject = { kind, household_id: h.id, member_ids: h.members.map((m) => m.id), poverty: h.poverty,
      label: h.address };
    $("q-members").value = h.members.length || 1;
    $("q-card-end").value = h.hi_card_end || "";
  }
  $("q-scheme").value = kind;
  schemeChanged();
  show("quote");
}

// Regular terms of 1–12 months, or an advance of whole years (24–60 months, discounted at the fund's return).
function methodChanged() {
  const advance = $("q-method").value === "advance";
  $("q-months").innerHTML = (advance ? [24, 36, 48, 60] : [1, 3, 6, 12])
    .map((m) => `<option${m === (advance ? 24 : 12) ? " selected" : ""}>${m}</option>`).join("");
  $("q-rate-box").hidden = !advance;
}

function schemeChanged() {
  const scheme = $("q-scheme").value;
  for (const div of document.querySelectorAll("[data-scheme]")) div.hidden = div.dataset.scheme !== scheme;
}

function hiGroup(poverty) { return ["poor", "near_poor", "near_poor_full"].includes(poverty) ? poverty : "household"; }

function runQuote(event) {
  event.preventDefault();
  const f = $("quote-form"), P = state.slice?.parameters;
  const out = $("quote-result");
  $("enrol").innerHTML = "";
  if (!P) { out.innerHTML = `<p class="error">${escape(gettext("Chưa có tham số trên máy: hãy «Tải dữ liệu» khi có mạng."))}</p>`; return; }
  const province = f.province.value.trim() || null;
  try {
    if (f.scheme.value === "vsi") {
      const input = { on: f.on.value, income: Number(f.income.value.replace(/\D/g, "")), months: Number(f.months.value),
        groups: f.groups.value ? [f.groups.value] : [], province, method: f.method.value,
        fund_return: f.method.value === "advance" ? f.rate.value.trim().replace(",", ".") || null : null };
      const q = quoteVsi(P, input);
      state.quote = { scheme: "vsi", input, amount: q.payable };
      out.innerHTML = table([[gettext("Số tiền đóng"), q.gross], [gettext("Nhà nước hỗ trợ"), -q.state_support],
        [gettext("Tỉnh hỗ trợ thêm"), -q.local_support], [gettext("Phải nộp"), q.payable]]) + notices(q);
    } else {
      const group = hiGroup(state.subject?.kind === "hi" ? state.subject.poverty : "none");
      const count = Math.max(1, Number(f.members.value) || 1);
      const input = { on: f.on.value, months: Number(f.term.value), province, previous_card_end: f.card_end.value || null,
        members: Array.from({ length: count }, () => ({ group })) };
      const q = quoteHi(P, input);
      state.quote = { scheme: "hi", input, amount: q.total };
      out.innerHTML = table([...q.members.map((m, i) => [gettext("Người thứ {rank}", { rank: m.rank ?? i + 1 }), m.amount]),
        [gettext("Tổng phải nộp"), q.total]]) +
        `<p>${escape(gettext("Thẻ có giá trị từ {start} đến {end}.", { start: q.card.valid_from.split("-").reverse().join("/"),
          end: q.card.valid_to.split("-").reverse().join("/") }))}</p>` + notices(q);
    }
  } catch (error) {
    state.quote = null;
    out.innerHTML = `<p class="error">${escape(error instanceof QuoteError ? error.message : gettext("Lỗi tính: {error}", { error: error.message }))}</p>`;
    return;
  }
  if (state.subject && state.subject.kind === state.quote.scheme) {
    $("enrol").innerHTML = `<button type="button" id="enrol-now">${escape(gettext("Đăng ký tham gia cho {name}", { name: state.subject.label }))}</button>`;
  }
}

const table = (rows) => `<table>${rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td class="money">${formatVnd(v)}</td></tr>`).join("")}</table>`;
const notices = (q) => q.notices.map((n) => `<p class="note">${escape(n.message)}</p>`).join("");

async function enrol() {
  const { quote, subject } = state;
  const id = crypto.randomUUID();
  if (quote.scheme === "vsi") {
    await state.store.enqueue("enrol_vsi", { enrolment_id: id, person_id: subject.person_id,
      monthly_income: quote.input.income, term_months: quote.input.months, start_month: quote.input.on.slice(0, 7),
      quoted_amount: quote.amount });
  } else {
    await state.store.enqueue("enrol_hi", { enrolment_id: id, household_id: subject.household_id,
      member_ids: subject.member_ids, start_date: quote.input.on, quoted_amount: quote.amount });
  }
  state.enrolment = { id, amount: quote.amount, label: subject.label, scheme: quote.scheme };
  $("pay-what").textContent = `${quote.scheme === "vsi" ? gettext("BHXH tự nguyện") : gettext("BHYT hộ gia đình")} — ${subject.label}`;
  $("pay-amount").value = quote.amount;
  $("receipt").innerHTML = "";
  await status();
  show("pay");
}

async function pay(event) {
  event.preventDefault();
  const free = freeReceipts(state.slice, await state.store.operations());
  if (!state.enrolment) return;
  if (!free.length) { $("receipt").innerHTML = `<p class="error">${escape(gettext("Hết số biên lai trên máy: hãy đồng bộ và tải dữ liệu để nhận dải số mới."))}</p>`; return; }
  const amount = Number($("pay-amount").value.replace(/\D/g, ""));
  const collectedAt = isoWithOffset(new Date());
  const point = Number($("pay-point").value) || null;
  await state.store.enqueue("payment", { payment_id: crypto.randomUUID(), enrolment_id: state.enrolment.id, amount,
    receipt_number: free[0], collected_at: collectedAt, collection_point_id: point });
  const block = state.slice.receipt_block;
  $("receipt").innerHTML = `<p><b>${escape(gettext("BIÊN LAI THU TIỀN"))}</b><br>${escape(gettext("Ký hiệu:"))} ${escape(block.series)} · ` +
    `${escape(gettext("Số:"))} <b id="receipt-number">${escape(free[0])}</b></p>` +
    `<p>${escape($("pay-what").textContent)}<br>${escape(gettext("Số tiền:"))} <b class="money">${formatVnd(amount)}</b><br>` +
    `${escape(gettext("Thời gian:"))} ${escape(new Date().toLocaleString("vi-VN"))}<br>` +
    `${escape(gettext("Người thu tiền:"))} ${escape(state.slice.agent?.name || "")}</p>` +
    `<button type="button" id="print-receipt" class="quiet">${escape(gettext("In biên lai (58 mm)"))}</button>`;
  fitRoll();
  await status();
}

// A 58 mm roll prints on one page exactly as tall as the receipt (as web/receipt.js does for the server's receipts).
function fitRoll() {
  const receipt = $("receipt");
  if (!receipt || !receipt.textContent.trim()) return;
  const mm = Math.ceil(receipt.getBoundingClientRect().height * 25.4 / 96) + 2;
  $("roll-page").textContent = `@page { size: 58mm ${mm}mm; margin: 0; }`;
}

// --- advisory sessions, leads, sync, logout ----------------------------------------------------------------

async function recordSession(event) {
  event.preventDefault();
  await state.store.enqueue("advisory_session", { session_id: crypto.randomUUID(), campaign_slug: null, site_id: null,
    held_at: isoWithOffset(new Date()), people_advised: Number($("s-people").value) || 0, notes: $("s-notes").value });
  $("advice-result").textContent = gettext("Đã ghi buổi tư vấn; sẽ gửi khi đồng bộ.");
  await status();
}

async function recordLead(event) {
  event.preventDefault();
  const f = $("lead-form");
  await state.store.enqueue("lead", { lead_id: crypto.randomUUID(), campaign_slug: null, full_name: f.full_name.value.trim(),
    phone: f.phone.value.trim() || null, commune_code: f.commune_code.value, interest: f.interest.value });
  $("advice-result").textContent = gettext("Đã ghi người quan tâm {name}; sẽ gửi khi đồng bộ.", { name: f.full_name.value.trim() });
  f.reset();
  await status();
}

// --- visit lists (issue 18): the households the agent's teams are to visit, and each visit's outcome ----------

const OUTCOMES = () => ({ advised: gettext("Đã tư vấn"), lead: gettext("Hẹn tham gia"), enrolled: gettext("Đã tham gia"),
  refused: gettext("Từ chối"), not_found: gettext("Không gặp") });
const GROUPS = () => ({ poor: gettext("Hộ nghèo"), near_poor: gettext("Hộ cận nghèo"), near_poor_full: gettext("Hộ cận nghèo"),
  ethnic_minority: gettext("Dân tộc thiểu số"), island: gettext("Xã đảo") });

// The outcome queued here last for each row (not yet synced), over the one the server knew at the download.
async function queuedOutcomes() {
  const found = new Map();
  for (const { op } of await state.store.operations()) if (op.type === "visit") found.set(op.data.assignment_id, op.data.outcome);
  return found;
}

async function renderVisits() {
  const rows = state.slice?.visits?.rows || [];
  const queued = await queuedOutcomes();
  const groups = GROUPS(), outcomes = OUTCOMES();
  const money = (v) => (v === null || v === undefined ? "—" : `<span class="money">${formatVnd(v)}</span>`);
  $("visit-rows").innerHTML = rows.length ? rows.map((r) => {
    const outcome = queued.get(r.id) || r.last_outcome;
    const members = r.members.map((m) => `${escape(m.full_name)} (${escape(m.age)})` +
      `${m.groups.length ? ` · ${escape(m.groups.map((g) => groups[g] || g).join(", "))}` : ""}` +
      ` · ${escape(gettext("BHXH tự nguyện"))} ${money(m.vsi_monthly)}`).join("<br>");
    return `<li data-visit-row="${r.id}"><b>${escape(r.head)}</b> — ${escape(r.address)}` +
      `${r.phone_masked ? ` · ${escape(r.phone_masked)}` : ""}<br>${members}<br>` +
      `${escape(gettext("BHYT hộ gia đình"))} ${money(r.hi_yearly)} · ${escape(r.team)}` +
      `<br><span class="visit-outcome">${escape(outcome ? outcomes[outcome] || outcome : gettext("chưa đến"))}</span>` +
      ` <button type="button" class="quiet" data-visit="${r.id}">${escape(gettext("Ghi kết quả"))}</button></li>`;
  }).join("") : `<li>${escape(gettext("Tổ của bạn chưa được giao hộ nào."))}</li>`;
}

function openVisit(id) {
  const row = (state.slice?.visits?.rows || []).find((r) => String(r.id) === String(id));
  if (!row) return;
  state.visit = row;
  $("visit-what").textContent = `${row.head} — ${row.address}`;
  $("v-person").innerHTML = `<option value="">${escape(gettext("Chủ hộ"))}</option>` +
    row.members.map((m) => `<option value="${escape(m.id)}">${escape(m.full_name)}</option>`).join("");
  $("visit-form").hidden = false;
  $("visit-result").textContent = "";
}

async function recordVisit(event) {
  event.preventDefault();
  const row = state.visit, f = $("visit-form");
  if (!row) return;
  await state.store.enqueue("visit", { visit_id: crypto.randomUUID(), assignment_id: row.id, outcome: f.outcome.value,
    person_id: f.person_id.value || null, scheme: f.scheme.value, note: f.note.value.trim() });
  $("visit-result").textContent = gettext("Đã ghi kết quả đến hộ {name}; sẽ gửi khi đồng bộ.", { name: row.head });
  f.reset();
  f.hidden = true;
  state.visit = null;
  await renderVisits();
  await status();
}

const LABELS = () => ({ applied: gettext("đã ghi"), replayed: gettext("đã ghi từ trước"),
  flagged: gettext("đã ghi, cần quản lý xem"), failed: gettext("lỗi") });

async function sync() {
  const out = $("sync-result");
  const waiting = (await state.store.operations()).filter((o) => o.state !== "done").length;
  if (!waiting) { out.textContent = gettext("Không có thao tác nào chờ gửi."); return; }
  out.textContent = gettext("Đang gửi {count} thao tác…", { count: waiting });
  try {
    out.textContent = gettext("Đã gửi {count} thao tác.", { count: await postQueue(state.store) });
  } catch (error) {
    out.textContent = gettext("Chưa đồng bộ được: {error}", { error: error.message });
  }
  await renderSyncList();
  await status();
}

async function renderSyncList() {
  $("sync-list").innerHTML = (await state.store.operations()).map(({ op, result, state: s }) => {
    const label = result ? LABELS()[result.status] || result.status : gettext("chờ gửi");
    const flags = (result?.flags || []).map((f) => escape(f.detail || f.kind)).join("; ");
    return `<li class="${result ? escape(result.status) : ""}" data-op="${escape(op.id)}">${escape(op.type)} — ${escape(label)}` +
      `${result?.error ? `: ${escape(result.error)}` : ""}${flags ? ` (${flags})` : ""}${s === "done" ? "" : ""}</li>`;
  }).join("");
}

async function logout() {
  await state.store.wipe();
  state.slice = null;
  try { await fetch("/dang-xuat/", { method: "POST", headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" }); } catch { /* offline */ }
  $("unlock-hint").textContent = gettext("Đã đăng xuất: dữ liệu trên máy đã được xoá.");
  await status();
  show("unlock");
}

// --- wiring ------------------------------------------------------------------------------------------------

async function boot() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/ung-dung/sw.js", { scope: "/ung-dung/" });
  state.store = new Store(openDb());
  await state.store.db.open();
  if (await state.store.wipeIfStale()) $("unlock-hint").textContent = gettext("Quá 14 ngày chưa đồng bộ: dữ liệu trên máy đã được xoá.");
  else if (await state.store.hasPin()) $("unlock-hint").textContent = gettext("Nhập mã PIN của bạn để mở dữ liệu trên máy.");
  addEventListener("beforeprint", fitRoll);
  addEventListener("online", status);
  addEventListener("offline", status);
  $("unlock-form").addEventListener("submit", unlock);
  $("download-form").addEventListener("submit", download);
  $("find-q").addEventListener("input", find);
  $("register-form").addEventListener("submit", register);
  $("reg-add").addEventListener("click", addPersonForm);
  $("quote-form").addEventListener("submit", runQuote);
  $("q-scheme").addEventListener("change", schemeChanged);
  $("q-method").addEventListener("change", methodChanged);
  $("pay-form").addEventListener("submit", pay);
  $("session-form").addEventListener("submit", recordSession);
  $("lead-form").addEventListener("submit", recordLead);
  $("visit-form").addEventListener("submit", recordVisit);
  $("sync-now").addEventListener("click", sync);
  document.body.addEventListener("click", (event) => {
    const t = event.target.closest("button");
    if (!t) return;
    if (t.dataset.screen === "logout") logout();
    else if (t.dataset.screen) {
      if (t.dataset.screen === "register") registerNew();
      show(t.dataset.screen);
      if (t.dataset.screen === "sync") renderSyncList();
      if (t.dataset.screen === "visits") renderVisits();
    } else if (t.dataset.addPerson) registerInto(t.dataset.addPerson);
    else if (t.dataset.household) openHousehold(t.dataset.household);
    else if (t.dataset.visit) openVisit(t.dataset.visit);
    else if (t.dataset.quoteVsi) quoteFor("vsi", t.dataset.quoteVsi);
    else if (t.dataset.quoteHi) quoteFor("hi", t.dataset.quoteHi);
    else if (t.id === "enrol-now") enrol();
    else if (t.id === "print-receipt") print();
  });
  addPersonForm();
  await status();
  show("unlock");
  document.body.dataset.ready = "1";
}

boot();
