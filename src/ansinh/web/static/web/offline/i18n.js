// The offline app's and the kiosk's text in the page's language (issue 15; README "Languages"). The Vietnamese text
// is the source (the msgid, as in the server's code); the page carries its English catalogue (the djangojs domain,
// rendered by web/offline_views.py into <meta name="ansinh-strings">), so the cached page speaks its language
// offline, with no request for a catalogue. `{name}` placeholders are filled from `values`.
const element = typeof document === "undefined" ? null : document.querySelector('meta[name="ansinh-strings"]');
const catalog = element ? JSON.parse(element.content || "{}") : {};

export function gettext(text, values = {}) {
  const found = catalog[text];
  const shown = typeof found === "string" && found ? found : text;
  return shown.replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
}
