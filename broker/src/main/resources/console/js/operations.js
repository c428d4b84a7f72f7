// Operations: the admin API on its own listener (another origin: the admin listener answers CORS for the
// console): live sessions with End, limits and budgets, usage charts, charts of the broker's own meters, and the
// audit log's recent records (GET /admin/audit) when the broker has an audit log.

import { Refusal, refusalOf } from "./api.js";
import { Chart } from "./charts.js";
import { el } from "./inspector.js";
import { buckets, parseMetrics, quantileBetween, sum } from "./prometheus.js";

const TOKEN_ITEM = "switchboard.console.adminToken";
const URL_ITEM = "switchboard.console.adminUrl";
const REFRESH_MS = 5000;
const METER_POINTS = 120;
const AUDIT_ROWS = 20;

export class Operations {
  constructor() {
    this.$ = (id) => document.getElementById(id);
    this.$("ops-url").value = sessionStorage.getItem(URL_ITEM) || `${location.protocol}//${location.hostname}:8081`;
    this.$("ops-token").value = sessionStorage.getItem(TOKEN_ITEM) || "";
    const today = new Date();
    const weekAgo = new Date(today.getTime() - 6 * 86400000);
    this.$("ops-to").value = isoDay(today);
    this.$("ops-from").value = isoDay(weekAgo);
    this.$("ops-form").addEventListener("submit", (e) => { e.preventDefault(); this.load(); });
    this.$("ops-tenant").addEventListener("change", () => this.refreshTenant());
    this.$("ops-from").addEventListener("change", () => this.usage());
    this.$("ops-to").addEventListener("change", () => this.usage());
    this.$("ops-auto").addEventListener("change", () => this.schedule());
    this.$("ops-audit-tenant").addEventListener("change", () => this.audit());
    this.dayChart = new Chart(this.$("ops-chart-day"), { series: [
      { label: "input tokens" }, { label: "output tokens" }, { label: "cost USD", scale: "usd" }] });
    this.modelChart = new Chart(this.$("ops-chart-model"), { categories: [], series: [
      { label: "tokens" }, { label: "cost USD", scale: "usd" }] });
    this.ttftChart = new Chart(this.$("ops-chart-ttft"), { series: [{ label: "TTFT p50 ms" }, { label: "TTFT p95 ms" }] });
    this.errorChart = new Chart(this.$("ops-chart-errors"), { series: [
      { label: "responses" }, { label: "failed %", scale: "pct" }] });
    this.meters = { times: [], p50: [], p95: [], responses: [], failed: [], last: null };
    this.timer = null;
    this.$("ops-audit-note").textContent = "Load to see the audit log's recent records.";
  }

  /** Called when the view is shown: loads at once if a token is known. */
  shown() {
    if (this.$("ops-token").value && !this.loaded) this.load();
    this.schedule();
  }

  hidden() {
    clearInterval(this.timer);
    this.timer = null;
  }

  schedule() {
    clearInterval(this.timer);
    this.timer = this.$("ops-auto").checked && this.loaded ? setInterval(() => this.refresh(), REFRESH_MS) : null;
  }

  base() {
    return this.$("ops-url").value.replace(/\/+$/, "");
  }

  async call(path, method = "GET") {
    const url = this.base() + path;
    let response;
    try {
      response = await fetch(url, { method, cache: "no-store",
        headers: { Authorization: `Bearer ${this.$("ops-token").value}` } });
    } catch (e) {
      throw new Refusal(0, "unreachable", `Cannot reach the admin API at ${this.base()} (${e.message}). Is the admin `
        + `listener running there, and does it allow this page's origin (${location.origin})?`, 0);
    }
    if (!response.ok) throw await refusalOf(response);
    return response.status === 204 ? {} : response.json();
  }

  async load() {
    sessionStorage.setItem(URL_ITEM, this.$("ops-url").value);
    sessionStorage.setItem(TOKEN_ITEM, this.$("ops-token").value);
    this.status("connecting", "Loading…");
    try {
      const body = await this.call("/admin/tenants");
      this.tenants = body.tenants || [];
      const select = this.$("ops-tenant");
      const chosen = select.value;
      select.innerHTML = "";
      for (const t of this.tenants) select.append(new Option(t.id, t.id));
      if (chosen && this.tenants.some((t) => t.id === chosen)) select.value = chosen;
      this.loaded = true;
      this.alert(null);
      this.status("open", `Loaded ${this.tenants.length} tenant(s)`);
      await this.refreshTenant();
      this.schedule();
    } catch (e) {
      this.fail(e);
    }
  }

  async refresh() {
    try {
      const body = await this.call("/admin/tenants");
      this.tenants = body.tenants || [];
      await this.refreshTenant();
    } catch (e) {
      this.fail(e);
    }
  }

  async refreshTenant() {
    const tenant = this.$("ops-tenant").value;
    if (!tenant) return;
    this.budgets(this.tenants.find((t) => t.id === tenant));
    await Promise.all([this.sessions(), this.usage(), this.scrape(), this.audit()]);
    this.status("open", `Updated ${new Date().toLocaleTimeString()}`);
  }

  async sessions() {
    const tenant = this.$("ops-tenant").value;
    try {
      const body = await this.call(`/admin/sessions?${new URLSearchParams({ tenant })}`);
      const tbody = this.$("ops-sessions").tBodies[0];
      tbody.innerHTML = "";
      for (const s of body.sessions || []) tbody.append(this.sessionRow(s));
      if (!(body.sessions || []).length) {
        const td = el("td", null, "No live sessions.");
        td.colSpan = 9;
        const tr = el("tr");
        tr.append(td);
        tbody.append(tr);
      }
    } catch (e) {
      this.fail(e);
    }
  }

  sessionRow(s) {
    const tr = el("tr");
    tr.dataset.session = s.id;
    tr.dataset.state = s.state;
    const cells = [s.id, s.key_id, s.model, s.transport ?? "—", s.state, new Date(s.started_at).toLocaleTimeString(),
                   s.responses, s.bytes_sent];
    cells.forEach((v, i) => tr.append(el("td", i >= 6 ? "num" : null, String(v))));
    const end = el("button", "danger", "End");
    end.type = "button";
    end.setAttribute("aria-label", `End session ${s.id}`);
    end.addEventListener("click", () => this.end(s.id, end));
    const td = el("td");
    td.append(end);
    tr.append(td);
    return tr;
  }

  async end(id, button) {
    button.disabled = true;
    try {
      const body = await this.call(`/admin/sessions/${encodeURIComponent(id)}`, "DELETE");
      this.alert(body.ended === false ? `Ending ${id}: the broker is still ending it.` : `Ended ${id}.`, true);
      await this.sessions();
    } catch (e) {
      button.disabled = false;
      this.fail(e);
    }
  }

  /** The newest audit records (all the caller may read, or the selected tenant's), or why there are none. */
  async audit() {
    if (!this.loaded) return;
    const tenant = this.$("ops-tenant").value;
    const params = { limit: AUDIT_ROWS };
    if (tenant && this.$("ops-audit-tenant").checked) params.tenant = tenant;
    const note = this.$("ops-audit-note");
    const wrap = this.$("ops-audit-wrap");
    let records;
    try {
      records = (await this.call(`/admin/audit?${new URLSearchParams(params)}`)).records || [];
    } catch (e) {
      wrap.hidden = true;
      note.dataset.state = e.code === "audit_not_configured" ? "not-configured" : "error";
      note.textContent = e.code === "audit_not_configured"
        ? "No audit log is configured on this broker (see docs/audit.md to turn one on)."
        : `Audit records unavailable: ${e.describe ? e.describe() : e.message}`;
      return;
    }
    const tbody = this.$("ops-audit").tBodies[0];
    tbody.innerHTML = "";
    for (const r of records) tbody.append(auditRow(r));
    wrap.hidden = records.length === 0;
    note.dataset.state = "ok";
    note.textContent = records.length
      ? `The newest ${records.length} record(s), newest first${params.tenant ? `, of tenant ${params.tenant}` : ""}.`
      : "No audit records yet.";
  }

  budgets(tenant) {
    const box = this.$("ops-budgets");
    box.innerHTML = "";
    if (!tenant) return;
    const limits = Object.entries(tenant.limits || {});
    if (!limits.length && !(tenant.budgets || []).length) box.append(el("p", "hint", "No limits or budgets."));
    for (const [name, limit] of limits) {
      const text = typeof limit === "object"
        ? `${name}: ${limit.remaining ?? "?"} of ${limit.limit} left${limit.in_use != null ? ` (${limit.in_use} in use)` : ""}`
        : `${name}: ${limit}`;
      box.append(el("p", "budget", text));
    }
    for (const b of tenant.budgets || []) {
      const div = el("div", "budget");
      const label = `${b.period} budget: ${fmt(b.spent ?? 0, b.unit)} of ${fmt(b.limit, b.unit)} spent`
        + (b.resets_at ? ` · resets ${new Date(b.resets_at).toLocaleString()}` : "");
      const id = `ops-budget-${b.period}-${b.unit}`;
      const lab = el("label", null, label);
      lab.htmlFor = id;
      const bar = el("progress");
      bar.id = id;
      bar.max = b.limit;
      bar.value = Math.min(b.limit, b.spent ?? 0);
      div.append(lab, bar);
      box.append(div);
    }
  }

  async usage() {
    const tenant = this.$("ops-tenant").value;
    if (!tenant || !this.loaded) return;
    const range = { from: this.$("ops-from").value, to: this.$("ops-to").value };
    try {
      const [byDay, byModel] = await Promise.all([
        this.call(`/admin/tenants/${encodeURIComponent(tenant)}/usage?${new URLSearchParams({ ...range, group_by: "day" })}`),
        this.call(`/admin/tenants/${encodeURIComponent(tenant)}/usage?${new URLSearchParams({ ...range, group_by: "model" })}`),
      ]);
      const t = byDay.totals || {};
      this.$("ops-usage-totals").textContent = `${byDay.from} to ${byDay.to}: ${t.requests ?? 0} requests, `
        + `${t.input_tokens ?? 0} input and ${t.output_tokens ?? 0} output tokens (${t.cached_tokens ?? 0} cached, `
        + `${t.audio_input_tokens ?? 0}/${t.audio_output_tokens ?? 0} audio in/out), `
        + `${fmt(t.cost_usd ?? 0, "usd")}, ${t.refusals ?? 0} refusals`;
      const days = everyDay(byDay.from, byDay.to, byDay.rows || []);
      this.dayChart.set([days.map((r) => r.time), days.map((r) => r.input_tokens), days.map((r) => r.output_tokens),
                         days.map((r) => r.cost_usd)]);
      const models = byModel.rows || [];
      this.modelChart.set([models.map((_, i) => i), models.map((r) => r.input_tokens + r.output_tokens),
                           models.map((r) => r.cost_usd)], models.map((r) => r.model));
    } catch (e) {
      this.$("ops-usage-totals").textContent = `Usage unavailable: ${e.describe ? e.describe() : e.message}`;
    }
  }

  /** Scrapes /metrics (admin listener first, then this broker) and charts the change since the last scrape. */
  async scrape() {
    let text = null;
    let source = "";
    for (const url of [`${this.base()}/metrics`, "/metrics"]) {
      try {
        const response = await fetch(url, { cache: "no-store" });
        if (response.ok) { text = await response.text(); source = url; break; }
      } catch (e) {
        // Try the next source.
      }
    }
    if (text === null) {
      this.$("ops-meters-source").textContent = "No /metrics endpoint answered.";
      return;
    }
    this.$("ops-meters-source").textContent = `From ${source}, every ${REFRESH_MS / 1000} s.`;
    const samples = parseMetrics(text);
    const now = { time: Date.now() / 1000, ttft: buckets(samples, "broker_response_ttft_seconds"),
      responses: sum(samples, "broker_responses_total"),
      failed: sum(samples, "broker_responses_total", { outcome: "failed" }) };
    const m = this.meters;
    if (m.last) {
      const p50 = quantileBetween(m.last.ttft, now.ttft, 0.5);
      const p95 = quantileBetween(m.last.ttft, now.ttft, 0.95);
      const responses = now.responses - m.last.responses;
      const failed = now.failed - m.last.failed;
      m.times.push(now.time);
      m.p50.push(p50 == null ? null : p50 * 1000);
      m.p95.push(p95 == null ? null : p95 * 1000);
      m.responses.push(responses);
      m.failed.push(responses > 0 ? (100 * failed) / responses : 0);
      for (const series of [m.times, m.p50, m.p95, m.responses, m.failed]) {
        while (series.length > METER_POINTS) series.shift();
      }
      // The last ten minutes, however few scrapes there are yet.
      const span = [now.time - (METER_POINTS * REFRESH_MS) / 1000, now.time];
      this.ttftChart.set([m.times, m.p50, m.p95], null, span);
      this.errorChart.set([m.times, m.responses, m.failed], null, span);
    }
    m.last = now;
  }

  fail(e) {
    const text = e.describe ? e.describe() : e.message;
    this.alert(text);
    this.status("error", text);
  }

  status(state, text) {
    const status = this.$("ops-status");
    status.dataset.state = state;
    status.textContent = text;
  }

  alert(text, info = false) {
    const box = this.$("ops-alert");
    box.hidden = !text;
    box.classList.toggle("info", info);
    box.textContent = text || "";
  }
}

/** A table row for an audit record: time, event, decision / reason, tenant, key id, session. */
function auditRow(r) {
  const tr = el("tr");
  tr.dataset.event = r.event || "";
  tr.dataset.session = r.session_id || "";
  const when = new Date(r.ts);
  const time = el("time", null, isNaN(when) ? String(r.ts ?? "") : (isoDay(when) === isoDay(new Date())
    ? when.toLocaleTimeString() : when.toLocaleString()));
  time.dateTime = r.ts || "";
  time.title = r.ts || "";
  const td = el("td");
  td.append(time);
  tr.append(td);
  const decision = [r.decision, r.reason].filter((v) => v).join(" / ");
  for (const v of [r.event, decision, r.tenant, r.key_id, r.session_id]) tr.append(el("td", null, v || "—"));
  return tr;
}

/** One row per day from `from` to `to` (a day without usage is zero), with its time in seconds. */
function everyDay(from, to, rows) {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const days = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`) && days.length < 400; t += 86400000) {
    const day = isoDay(new Date(t));
    days.push({ input_tokens: 0, output_tokens: 0, cost_usd: 0, ...byDay.get(day), time: t / 1000 });
  }
  return days;
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function fmt(value, unit) {
  return unit === "usd" ? `$${Number(value).toFixed(4)}` : `${Math.round(value)} tokens`;
}
