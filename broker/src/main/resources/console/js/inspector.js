// The event inspector: every server event with its seq, the client's own events and connection notes, filterable,
// each expandable to its JSON; above it the seq check (missing or repeated numbers) a resume must keep at zero.

const MAX_ROWS = 3000;
const LONG_STRING = 120;

export class Inspector {
  constructor(root, idPrefix) {
    this.root = root;
    this.started = performance.now();
    root.innerHTML = "";
    const tools = el("div", "tools");
    const filterLabel = el("label", null, "Filter");
    filterLabel.htmlFor = `${idPrefix}-filter`;
    this.filter = el("input");
    this.filter.type = "search";
    this.filter.id = `${idPrefix}-filter`;
    this.filter.placeholder = "event type, e.g. response.done";
    const hide = el("label", "check");
    this.hideDeltas = el("input");
    this.hideDeltas.type = "checkbox";
    this.hideDeltas.id = `${idPrefix}-hide-deltas`;
    hide.append(this.hideDeltas, " Hide deltas");
    const clear = el("button", null, "Clear");
    clear.type = "button";
    clear.addEventListener("click", () => this.clear());
    this.seqLine = el("output", "seqline");
    this.seqLine.id = `${idPrefix}-seq`;
    this.seqLine.setAttribute("aria-live", "polite");
    tools.append(filterLabel, this.filter, hide, clear, this.seqLine);
    this.list = el("ol");
    this.list.setAttribute("aria-label", "Events, oldest first");
    root.append(tools, this.list);
    this.filter.addEventListener("input", () => this.applyFilter());
    this.hideDeltas.addEventListener("change", () => this.applyFilter());
    this.seq({ lastSeq: 0, missing: 0, repeated: 0, resumes: 0 });
  }

  clear() {
    this.list.innerHTML = "";
    this.started = performance.now();
  }

  /** Adds one event: direction "in" (server), "out" (client) or "conn" (a note about the connection). */
  record(event, raw, direction) {
    const li = el("li", direction === "in" && event.type === "error" ? "err" : direction);
    li.dataset.type = event.type || "";
    if (typeof event.seq === "number") li.dataset.seq = String(event.seq);
    const responseId = event.response_id || (event.response && event.response.id);
    if (responseId) li.dataset.response = responseId;
    if (event.response && event.response.status) li.dataset.status = event.response.status;
    const row = el("button");
    row.type = "button";
    row.setAttribute("aria-expanded", "false");
    const seq = direction === "in" ? (event.seq ?? "·") : direction === "out" ? "→" : "‖";
    const ms = Math.round(performance.now() - this.started);
    row.append(el("span", "seq", String(seq)), el("span", "time", `${ms}ms`),
               el("span", "type", direction === "conn" ? event.note : event.type + summary(event)));
    row.addEventListener("click", () => toggle(li, row, event));
    li.append(row);
    li.hidden = !this.matches(li);
    this.list.append(li);
    while (this.list.childElementCount > MAX_ROWS) this.list.firstElementChild.remove();
    const nearBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 80;
    if (nearBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  /** The seq check of the link: shown, and kept in data attributes (tests and people read the same). */
  seq({ lastSeq, missing, repeated, resumes }) {
    const ok = missing === 0 && repeated === 0;
    this.seqLine.dataset.ok = String(ok);
    this.seqLine.dataset.last = String(lastSeq);
    this.seqLine.dataset.missing = String(missing);
    this.seqLine.dataset.repeated = String(repeated);
    this.seqLine.dataset.resumes = String(resumes);
    this.seqLine.textContent = `${lastSeq ? "seq 1–" + lastSeq : "no events yet"} · missing ${missing} · repeated ${repeated} · resumes ${resumes}`
      + (ok ? " ✓" : " ✗");
  }

  matches(li) {
    const type = li.dataset.type;
    if (this.hideDeltas.checked && type.endsWith(".delta")) return false;
    const wanted = this.filter.value.trim().toLowerCase();
    return !wanted || li.textContent.toLowerCase().includes(wanted);
  }

  applyFilter() {
    for (const li of this.list.children) li.hidden = !this.matches(li);
  }
}

function toggle(li, row, event) {
  const open = row.getAttribute("aria-expanded") === "true";
  row.setAttribute("aria-expanded", String(!open));
  if (open) {
    li.querySelector("pre").remove();
  } else {
    li.append(el("pre", null, JSON.stringify(event, shorten, 2)));
  }
}

/** Long strings (base64 audio) are shown by their length, not pasted into the page. */
function shorten(key, value) {
  return typeof value === "string" && value.length > LONG_STRING && (key === "delta" || key === "audio")
    ? `<${value.length} characters>` : value;
}

function summary(event) {
  if (event.type === "response.output_text.delta" || event.type === "response.output_audio_transcript.delta") {
    return ` ${JSON.stringify(event.delta)}`;
  }
  if (event.type === "response.done" && event.response) {
    const details = event.response.status_details;
    return ` ${event.response.status}${details && details.reason ? " (" + details.reason + ")" : ""}`;
  }
  if (event.type === "error" && event.error) return ` ${event.error.code}`;
  if (event.type === "switchboard.response.failover") return ` ${event.from_provider} → ${event.to_provider}`;
  if (event.type === "session.resumed") return ` after seq ${event.last_seq}`;
  return "";
}

export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}
