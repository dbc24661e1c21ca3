// The phone's storage (issue 16, docs/adr/0016-offline-app.md): IndexedDB through Dexie (vendored), every personal
// record encrypted at rest with AES-GCM under a key derived from the agent's PIN (PBKDF2-SHA-256). The key is never
// stored: without the PIN the database is unreadable. Wiped on logout and after 14 days without a sync.
// Plain (not personal): the salt, a check value, the last sync time, and the counts the status bar shows.
import Dexie from "../vendor/dexie/dexie.min.js";
import { gettext } from "./i18n.js";

export const DB_NAME = "ansinh-offline";
export const WIPE_AFTER_DAYS = 14;
const ITERATIONS = 310000;  // OWASP 2023 for PBKDF2-HMAC-SHA256
const CHECK = "ansinh-offline-v1";

export function openDb() {
  const db = new Dexie(DB_NAME);
  db.version(1).stores({
    meta: "key",            // {key, value}: salt, check, last_sync, counts — nothing personal
    vault: "key",           // {key, iv, data}: the slice, the device token (encrypted)
    queue: "id, seq, state", // {id, seq, state, iv, data}: each operation (encrypted), state waiting|done|failed
  });
  return db;
}

const enc = new TextEncoder(), dec = new TextDecoder();

async function deriveKey(pin, salt) {
  const base = await crypto.subtle.importKey("raw", enc.encode(pin), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations: ITERATIONS }, base,
    { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

async function seal(key, value) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, enc.encode(JSON.stringify(value)));
  return { iv, data: new Uint8Array(data) };
}

async function open(key, sealed) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, key, sealed.data);
  return JSON.parse(dec.decode(plain));
}

export class Store {
  constructor(db) { this.db = db; this.key = null; }

  async meta(key, fallback = null) { const row = await this.db.meta.get(key); return row ? row.value : fallback; }
  async setMeta(key, value) { await this.db.meta.put({ key, value }); }
  async hasPin() { return (await this.meta("salt")) !== null; }

  // The first PIN creates the salt and the check value; later ones must open the check value.
  async unlock(pin) {
    if (!/^\d{6,}$/.test(pin)) throw new Error(gettext("Mã PIN gồm ít nhất 6 chữ số."));
    let salt = await this.meta("salt");
    if (salt === null) {
      salt = crypto.getRandomValues(new Uint8Array(16));
      const key = await deriveKey(pin, salt);
      await this.setMeta("salt", salt);
      await this.setMeta("check", await seal(key, CHECK));
      this.key = key;
      return true;
    }
    const key = await deriveKey(pin, salt);
    try {
      if ((await open(key, await this.meta("check"))) !== CHECK) throw new Error("check");
    } catch {
      throw new Error(gettext("Mã PIN không đúng."));
    }
    this.key = key;
    return true;
  }

  async put(name, value) { await this.db.vault.put({ key: name, ...(await seal(this.key, value)) }); }
  async get(name) { const row = await this.db.vault.get(name); return row ? open(this.key, row) : null; }

  async enqueue(type, data, deviceTime = new Date()) {
    const seq = ((await this.db.queue.orderBy("seq").last())?.seq || 0) + 1;
    const op = { id: crypto.randomUUID(), type, device_time: isoWithOffset(deviceTime), data };
    await this.db.queue.put({ id: op.id, seq, state: "waiting", ...(await seal(this.key, { op, result: null })) });
    await this.refreshCounts();
    return op;
  }

  async operations() {
    const rows = await this.db.queue.orderBy("seq").toArray();
    return Promise.all(rows.map(async (row) => ({ state: row.state, ...(await open(this.key, row)) })));
  }

  // The server's answer to a failed operation is final (docs/offline-sync.md): to try it again at the next
  // sync, the phone sends it under a new operation id (the ids in its data stay, so what it creates is found).
  async settle(op, result) {
    const done = ["applied", "replayed", "flagged"].includes(result.status);
    const { seq } = await this.db.queue.get(op.id);
    const next = done ? op : { ...op, id: crypto.randomUUID() };
    const row = { id: next.id, seq, state: done ? "done" : "failed", ...(await seal(this.key, { op: next, result })) };
    // sealed before the transaction: an IndexedDB transaction commits when it awaits anything else
    await this.db.transaction("rw", this.db.queue, async () => {
      if (next.id !== op.id) await this.db.queue.delete(op.id);
      await this.db.queue.put(row);
    });
  }

  async waitingCount() { return this.db.queue.where("state").anyOf("waiting", "failed").count(); }

  async refreshCounts() {
    await this.setMeta("waiting", await this.waitingCount());
    const slice = await this.get("slice");
    if (slice) await this.setMeta("receipts_left", freeReceipts(slice, await this.operations()).length);
  }

  async wipe() { this.key = null; this.db.close(); await Dexie.delete(DB_NAME); this.db = openDb(); await this.db.open(); }

  // 14 days without a sync (or a download): everything goes, before anyone types a PIN.
  async wipeIfStale(now = new Date()) {
    const last = await this.meta("last_sync");
    if (last && now - new Date(last) > WIPE_AFTER_DAYS * 86400000) { await this.wipe(); return true; }
    return false;
  }
}

// The block's numbers not used on the server (slice.receipt_block.used) nor by a payment queued here.
export function freeReceipts(slice, operations) {
  const block = slice.receipt_block || { numbers: [], used: [] };
  const taken = new Set([...(block.used || []), ...operations.filter((o) => o.op.type === "payment")
    .map((o) => o.op.data.receipt_number)]);
  return block.numbers.filter((n) => !taken.has(n));
}

export function isoWithOffset(d) {
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  const offset = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:` +
    `${pad(d.getSeconds())}${offset >= 0 ? "+" : "-"}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

// Folded text for search on the device: no accents, đ → d, lower case (lib/text's folding, in the browser).
export function fold(text) {
  return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d")
    .toLowerCase().replace(/\s+/g, " ").trim();
}
