// The server calls the offline app and the rally kiosk share (issue 16, OFFLINE_CONTRACT.md): a JSON request with
// the CSRF cookie (a logged-in user) or the device's token, and the queue posted to POST /api/v1/sync.
import { gettext } from "./i18n.js";

export function csrf() { return (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/) || [])[1] || ""; }

export async function api(method, url, body, token) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`; else headers["X-CSRFToken"] = csrf();
  const response = await fetch(url, { method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(data.detail || data.error?.message || gettext("Máy chủ trả lời {status}.", { status: response.status }));
  }
  return data;
}

// Posts every operation not yet done, settles each with its own result; returns how many were sent (0: none waiting).
export async function postQueue(store) {
  const pending = (await store.operations()).filter((o) => o.state !== "done");
  if (!pending.length) return 0;
  const token = await store.get("token");
  const answer = await api("POST", "/api/v1/sync", { batch_id: crypto.randomUUID(), operations: pending.map((o) => o.op) }, token);
  const byId = new Map(answer.results.map((r) => [r.id, r]));
  for (const { op } of pending) if (byId.has(op.id)) await store.settle(op, byId.get(op.id));
  await store.setMeta("last_sync", new Date().toISOString());
  return answer.results.length;
}
