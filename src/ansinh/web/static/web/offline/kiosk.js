// The rally kiosk (issue 16): a shared tablet at one site of a launch rally. The offline app's modules, not a copy:
// store.js (the encrypted queue), rules.js (the server's rules, ported), sync.js (POST /api/v1/sync). The page itself
// (the site's checklist) is cached by the same service worker when opened online. No inline script (CSP).
import { QuoteError, formatVnd, quoteHi, quoteVsi } from "./rules.js";
import { Store, isoWithOffset, openDb } from "./store.js";
import { gettext } from "./i18n.js";
import { api, postQueue } from "./sync.js";

const $ = (id) => document.getElementById(id);
const { campaign, site, worker } = document.body.dataset;
const state = { store: null, parameters: null };
const escape = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const today = () => isoWithOffset(new Date()).slice(0, 10);
const say = (text) => { $("k-result").textContent = text; };

async function status() {
  const online = navigator.onLine;
  $("st-online").textContent = online ? gettext("Có mạng") : gettext("Mất mạng — đang làm ngoại tuyến");
  $("st-online").className = online ? "" : "offline";
  if (!state.store?.key) return;
  await state.store.refreshCounts();
  $("st-waiting").textContent = await state.store.meta("waiting", 0);
  const last = await state.store.meta("last_sync");
  $("st-last").textContent = last ? new Date(last).toLocaleString("vi-VN") : gettext("chưa");
}

async function unlock(event) {
  event.preventDefault();
  try {
    await state.store.unlock($("pin").value);
  } catch (error) {
    $("unlock-error").textContent = error.message;
    return;
  }
  $("pin").value = "";
  state.parameters = await state.store.get("kiosk_parameters");
  await showTicks();
  $("k-unlock").hidden = true;
  $("k-work").hidden = false;
  await status();
}

// Online, once: the tablet is registered as a device of the logged-in agent, and the parameters are stored.
async function prepare() {
  const out = $("prepare-result");
  try {
    let deviceId = await state.store.meta("device_id");
    if (!deviceId) { deviceId = crypto.randomUUID(); await state.store.setMeta("device_id", deviceId); }
    const device = await api("POST", "/api/v1/devices", { id: deviceId, label: gettext("Kiosk điểm cầu {site}", { site }) });
    if (device.token) await state.store.put("token", device.token);
    if (!(await state.store.get("token"))) throw new Error(gettext("Máy này đã đăng ký nhưng không còn mã truy cập."));
    state.parameters = await api("GET", `/api/v1/offline/parameters?from=${today()}&months=12`);
    await state.store.put("kiosk_parameters", state.parameters);
    await state.store.setMeta("last_sync", new Date().toISOString());
    out.textContent = gettext("Máy đã sẵn sàng làm việc không cần mạng.");
  } catch (error) {
    out.textContent = gettext("Chưa chuẩn bị được: {error}", { error: error.message });
  }
  await status();
}

// The cached page shows the checklist as it was when opened; the ticks queued here are laid over it.
async function showTicks() {
  for (const { op } of await state.store.operations()) {
    if (op.type !== "site_task" || op.data.site_id !== Number(site)) continue;
    const box = document.querySelector(`[data-task="${op.data.task_id}"]`);
    if (box) box.checked = op.data.status === "done";
  }
}

async function tick(event) {
  const box = event.target;
  await state.store.enqueue("site_task", { campaign_slug: campaign, site_id: Number(site),
    task_id: Number(box.dataset.task), status: box.checked ? "done" : "todo" });
  say(gettext("Đã ghi việc chuẩn bị; sẽ gửi khi đồng bộ."));
  await status();
}

async function recordSession(event) {
  event.preventDefault();
  await state.store.enqueue("advisory_session", { session_id: crypto.randomUUID(), campaign_slug: campaign,
    site_id: Number(site), held_at: isoWithOffset(new Date()), people_advised: Number($("s-people").value) || 0,
    notes: $("s-notes").value.trim() || document.title });
  say(gettext("Đã ghi buổi tư vấn; sẽ gửi khi đồng bộ."));
  await status();
}

async function recordLead(event) {
  event.preventDefault();
  const f = $("lead-form");
  await state.store.enqueue("lead", { lead_id: crypto.randomUUID(), campaign_slug: campaign, site_id: Number(site),
    full_name: f.full_name.value.trim(), phone: f.phone.value.trim() || null, interest: f.interest.value });
  say(gettext("Đã ghi người quan tâm {name}; sẽ gửi khi đồng bộ.", { name: f.full_name.value.trim() }));
  f.reset();
  await status();
}

const table = (rows) => `<table>${rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td class="money">${formatVnd(v)}</td></tr>`).join("")}</table>`;

function runQuote(event) {
  event.preventDefault();
  const f = $("quote-form"), out = $("quote-result");
  if (!state.parameters) { out.innerHTML = `<p class="error">${escape(gettext("Chưa có tham số trên máy: hãy chuẩn bị máy khi có mạng."))}</p>`; return; }
  const province = f.province.value.trim() || null;
  try {
    if (f.scheme.value === "vsi") {
      const q = quoteVsi(state.parameters, { on: today(), income: Number(f.income.value.replace(/\D/g, "")), months: 12,
        groups: [], province, method: "regular", fund_return: null });
      out.innerHTML = table([[gettext("Số tiền đóng"), q.gross], [gettext("Nhà nước hỗ trợ"), -q.state_support],
        [gettext("Tỉnh hỗ trợ thêm"), -q.local_support], [gettext("Phải nộp"), q.payable]]);
    } else {
      const count = Math.max(1, Number(f.members.value) || 1);
      const q = quoteHi(state.parameters, { on: today(), months: 12, province, previous_card_end: null,
        members: Array.from({ length: count }, () => ({ group: "household" })) });
      out.innerHTML = table([...q.members.map((m, i) => [gettext("Người thứ {rank}", { rank: m.rank ?? i + 1 }), m.amount]),
        [gettext("Tổng phải nộp"), q.total]]);
    }
  } catch (error) {
    out.innerHTML = `<p class="error">${escape(error instanceof QuoteError ? error.message : gettext("Lỗi tính: {error}", { error: error.message }))}</p>`;
  }
}

async function sync() {
  const out = $("sync-result");
  try {
    const sent = await postQueue(state.store);
    const failed = (await state.store.operations()).filter((o) => o.state === "failed");
    out.textContent = !sent ? gettext("Không có thao tác nào chờ gửi.") : failed.length
      ? gettext("Đã gửi {sent} thao tác; {count} lỗi: {errors}.", { sent, count: failed.length,
        errors: failed.map((o) => o.result?.error).join("; ") })
      : gettext("Đã gửi {count} thao tác.", { count: sent });
  } catch (error) {
    out.textContent = gettext("Chưa đồng bộ được: {error}", { error: error.message });
  }
  await status();
}

async function boot() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(worker, { scope: "/ra-quan/kiosk/" });
  state.store = new Store(openDb());
  await state.store.db.open();
  addEventListener("online", status);
  addEventListener("offline", status);
  $("unlock-form").addEventListener("submit", unlock);
  $("k-prepare").addEventListener("click", prepare);
  $("checklist").addEventListener("change", tick);
  $("session-form").addEventListener("submit", recordSession);
  $("lead-form").addEventListener("submit", recordLead);
  $("quote-form").addEventListener("submit", runQuote);
  $("sync-now").addEventListener("click", sync);
  await status();
  document.body.dataset.ready = "1";
}

boot();
